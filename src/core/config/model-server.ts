/** The top level of a config file: process, logging, listeners and services, then vhosts. */
import type { ConfDirective } from './directive.js';
import { block } from './fields-block.js';
import { flag, int, listen, num, oneOf, single, str } from './fields-scalar.js';
import { httpApiSchema, httpServerSchema } from './model-http.js';
import { rtcServerSchema, srtServerSchema, streamCastersField } from './model-listeners.js';
import { opsFields } from './model-ops.js';
import { chunkSizeField, DEFAULT_VHOST, vhostsField } from './model-vhost.js';

export const LOG_LEVELS = ['verbose', 'info', 'trace', 'warn', 'error'] as const;
/** SRS 6's srs_log_level_v2 uses the common names: its `info` is the old `trace`. */
export const LOG_LEVELS_V2 = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevelV2 = (typeof LOG_LEVELS_V2)[number];

/** The default vhost exists even when the file does not mention it, with every default. */
const vhostsWithDefault: typeof vhostsField = {
  ...vhostsField,
  load(found, ctx) {
    const vhosts = vhostsField.load(found, ctx);
    if (vhosts.some((v) => v.name === DEFAULT_VHOST)) return vhosts;
    const implicit: ConfDirective = { name: 'vhost', args: [DEFAULT_VHOST], children: [], file: '(default)', line: 0 };
    return [...vhosts, ...vhostsField.load([implicit], ctx)];
  },
};

export const serverSchema = {
  /** RTMP endpoints. */
  listen: listen(1935),
  pid: str('./objs/srs.pid'),
  /** Default RTMP chunk size for vhosts that set none. */
  chunk_size: chunkSizeField,
  max_connections: int(1000, { min: 1 }),
  daemon: flag(true),
  disable_daemon_for_docker: flag(true),
  in_docker: flag(false),
  asprocess: flag(false),
  work_dir: str('./'),
  utc_time: flag(false),
  srs_log_tank: oneOf(['console', 'file'] as const, 'file'),
  srs_log_level: oneOf(LOG_LEVELS, 'trace'),
  /** Empty when not set; when set it wins over srs_log_level (see effectiveLogLevel). */
  srs_log_level_v2: single<LogLevelV2 | ''>('', LOG_LEVELS_V2.join(' | '), (arg) =>
    LOG_LEVELS_V2.find((v) => v === arg.toLowerCase()),
  ),
  srs_log_file: str('./objs/srs.log'),
  ff_log_dir: str('./objs'),
  ff_log_level: str('info'),
  /** ms to wait after start before serving, so a replaced process can hand over. */
  grace_start_wait: int(2300, { min: 0 }),
  /** ms to wait for clients to finish on a graceful quit. */
  grace_final_wait: int(3200, { min: 0 }),
  force_grace_quit: flag(false),
  inotify_auto_reload: flag(false),
  auto_reload_for_docker: flag(true),
  empty_ip_ok: flag(true),
  /** Accepted for SRS compatibility; tsrs never asks the network for a newer version. */
  query_latest_version: flag(false),
  /** seconds */
  first_wait_for_qlv: int(300, { min: 0 }),
  /** Marks a config that lists every directive (conf/full.conf). */
  is_full: flag(false),
  /** Empty: generated at start. */
  server_id: str(''),
  /** Accepted for SRS compatibility (no tcmalloc in Node). */
  tcmalloc_release_rate: num(0.8, { min: 0, max: 10 }),
  http_api: block(httpApiSchema),
  http_server: block(httpServerSchema),
  rtc_server: block(rtcServerSchema),
  srt_server: block(srtServerSchema),
  stream_casters: streamCastersField,
  ...opsFields,
  vhosts: vhostsWithDefault,
};
