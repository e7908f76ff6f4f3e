/** `vhost NAME { ... }`: every per-vhost setting; `__defaultVhost__` is always present. */
import { named } from './fields-block.js';
import { flag, int, orTopLevel } from './fields-scalar.js';
import { execField, httpHooksField, referField, securityField } from './model-vhost-access.js';
import { dashField, dvrField, hdsField, hlsField, httpRemuxField, httpStaticField } from './model-vhost-delivery.js';
import { ingestsField, transcodesField } from './model-vhost-ffmpeg.js';
import { clusterField, forwardField, playField, publishField, rtcField, srtField } from './model-vhost-stream.js';

export const DEFAULT_VHOST = '__defaultVhost__';

/** SRS bounds the RTMP chunk size to 128..65536. */
export const chunkSizeField = int(60000, { min: 128, max: 65536 });

export const vhostSchema = {
  enabled: flag(true),
  /** Lower latency at some CPU cost: SRS's realtime mode (no merged writes unless set). */
  min_latency: flag(false),
  tcp_nodelay: flag(false),
  /** Falls back to the top-level chunk_size, then 60000. */
  chunk_size: orTopLevel(chunkSizeField, 'chunk_size'),
  /** bytes; 0 sends no ack-size request. */
  in_ack_size: int(0, { min: 0 }),
  out_ack_size: int(2500000, { min: 0 }),
  refer: referField,
  security: securityField,
  http_hooks: httpHooksField,
  exec: execField,
  play: playField,
  publish: publishField,
  cluster: clusterField,
  forward: forwardField,
  rtc: rtcField,
  srt: srtField,
  hls: hlsField,
  hds: hdsField,
  dash: dashField,
  http_remux: httpRemuxField,
  http_static: httpStaticField,
  dvr: dvrField,
  ingests: ingestsField,
  transcodes: transcodesField,
};

export const vhostsField = named(vhostSchema, { directive: 'vhost', nameRequired: true });
