/** `http_api` (port 1985: API, WebRTC signalling) and `http_server` (port 8080: FLV, HLS, files). */
import { block } from './fields-block.js';
import { flag, listen, str } from './fields-scalar.js';

const httpsSchema = (port: number) => ({
  enabled: flag(false),
  listen: listen(port),
  key: str('./conf/server.key'),
  cert: str('./conf/server.crt'),
});

export const httpApiSchema = {
  enabled: flag(false),
  listen: listen(1985),
  crossdomain: flag(true),
  raw_api: block({
    enabled: flag(false),
    allow_reload: flag(false),
    allow_query: flag(false),
    allow_update: flag(false),
  }),
  auth: block({
    enabled: flag(false),
    username: str(''),
    password: str(''),
  }),
  https: block(httpsSchema(1990)),
};

export const httpServerSchema = {
  enabled: flag(false),
  listen: listen(8080),
  dir: str('./objs/nginx/html'),
  crossdomain: flag(true),
  https: block(httpsSchema(8088)),
};
