/**
 * A client-side RTMP URL, `rtmp://host[:port]/app[?query]/stream[?query]`, split the way
 * SRS and FFmpeg split it: the tcUrl is everything up to the stream, the stream is the
 * last path segment with its own query. Either query may carry `vhost=` or tokens.
 */
import { TsrsError } from '../../core/errors.js';

export const RTMP_DEFAULT_PORT = 1935;

export interface RtmpUrl {
  host: string;
  port: number;
  /** The app as the connect command carries it, its query included (`live?vhost=v`). */
  app: string;
  /** The stream name with its query (`s?token=abc`), '' when the URL names none. */
  stream: string;
  /** `rtmp://host:port/app[?query]`, what the connect command sends as tcUrl. */
  tcUrl: string;
}

/**
 * Splits the path after the host into app and stream. A `?` with no `/` before it opens the
 * app's query, which then ends at the next `/`; otherwise the app ends at the last `/` before
 * the stream's query (so multi-level apps like `live/sub/s` keep `live/sub`).
 */
function splitPath(path: string): [app: string, stream: string] {
  const query = path.indexOf('?');
  if (query >= 0 && !path.slice(0, query).includes('/')) {
    const end = path.indexOf('/', query);
    return end < 0 ? [path, ''] : [path.slice(0, end), path.slice(end + 1)];
  }
  const head = query >= 0 ? path.slice(0, query) : path;
  const slash = head.lastIndexOf('/');
  return slash < 0 ? [path, ''] : [path.slice(0, slash), path.slice(slash + 1)];
}

export function parseRtmpUrl(url: string): RtmpUrl {
  const match = /^rtmp:\/\/(\[[^\]]+\]|[^/:?[\]]+)(?::(\d{1,5}))?(?:\/(.*))?$/i.exec(url);
  if (!match) throw new TsrsError('RtmpClientCommand', `rtmp url "${url}": expected rtmp://host[:port]/app/stream`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const port = match[2] ? Number(match[2]) : RTMP_DEFAULT_PORT;
  if (port < 1 || port > 65535) throw new TsrsError('RtmpClientCommand', `rtmp url "${url}": port ${port} out of range`);
  const [app, stream] = splitPath((match[3] ?? '').replace(/^\/+/, ''));
  if (!app) throw new TsrsError('RtmpClientCommand', `rtmp url "${url}": no app`);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { host, port, app, stream, tcUrl: `rtmp://${hostPart}:${port}/${app}` };
}
