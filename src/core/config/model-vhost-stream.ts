/** How a vhost moves live streams: play, publish, cluster (edge/origin), forward, rtc, srt. */
import { block } from './fields-block.js';
import { flag, int, list, num, oneOf, str } from './fields-scalar.js';

export const playField = block({
  gop_cache: flag(true),
  /** Frames kept in the GOP cache at most, so a stream without keyframes cannot grow it forever. */
  gop_cache_max_frames: int(2500, { min: 0 }),
  /** seconds (float) of messages a consumer queue holds before it drops. */
  queue_length: num(30, { min: 0 }),
  time_jitter: oneOf(['full', 'zero', 'off'] as const, 'full'),
  mix_correct: flag(false),
  atc: flag(false),
  atc_auto: flag(false),
  /** ms a player's merged write waits (SRS uses 0 when min_latency is on and this is unset). */
  mw_latency: num(350, { min: 0 }),
  mw_msgs: int(8, { min: 0 }),
  /** ms (float) between two sends to one player. */
  send_min_interval: num(0, { min: 0 }),
  reduce_sequence_header: flag(false),
});

export const publishField = block({
  /** Merged read: batch socket reads for throughput at the cost of latency. */
  mr: flag(false),
  /** ms */
  mr_latency: num(350, { min: 0 }),
  /** ms to wait for the first packet after publish. */
  firstpkt_timeout: num(20000, { min: 0 }),
  /** ms of silence that ends a publish. */
  normal_timeout: num(5000, { min: 0 }),
  parse_sps: flag(true),
  try_annexb_first: flag(true),
  /** seconds a publisher without players may stay; 0 never kicks it. */
  kickoff_for_idle: num(0, { min: 0 }),
});

export const clusterField = block({
  mode: oneOf(['local', 'remote'] as const, 'local'),
  /** Upstream origins (HOST[:PORT]) an edge pulls from and pushes to, tried in order. */
  origin: list(),
  token_traverse: flag(false),
  /** The vhost name to use on the origin; empty keeps this vhost's name. */
  vhost: str(''),
  debug_srs_upnode: flag(true),
  origin_cluster: flag(false),
  /** HOST:PORT of the other origins' HTTP APIs, asked where a stream lives. */
  coworkers: list(),
  protocol: oneOf(['rtmp', 'flv', 'flvs'] as const, 'rtmp'),
  follow_client: flag(false),
});

export const forwardField = block({
  enabled: flag(false),
  /** HOST[:PORT] of each server every published stream is pushed to. */
  destination: list(),
  /** An HTTP service asked for the destinations of each stream (SRS dynamic forward). */
  backend: str(''),
});

export const rtcField = block({
  enabled: flag(false),
  rtmp_to_rtc: flag(false),
  keep_bframe: flag(false),
  keep_avc_nalu_sei: flag(true),
  rtc_to_rtmp: flag(false),
  /** seconds between PLIs asked for a keyframe when bridging to RTMP. */
  pli_for_rtmp: num(6, { min: 0.5, max: 30 }),
  nack: flag(true),
  nack_no_copy: flag(true),
  twcc: flag(true),
  /** seconds without STUN before a session ends. */
  stun_timeout: num(30, { min: 0 }),
  stun_strict_check: flag(false),
  dtls_role: oneOf(['passive', 'active'] as const, 'passive'),
  dtls_version: oneOf(['auto', 'dtls1.0', 'dtls1.2'] as const, 'auto'),
  /** An RTP payload type to drop (testing), 0 for none. */
  drop_for_pt: int(0, { min: 0, max: 127 }),
  /** bps of the Opus encoded from RTMP AAC. */
  opus_bitrate: int(48000, { min: 6000, max: 510000 }),
  /** bps of the AAC encoded from WebRTC Opus. */
  aac_bitrate: int(48000, { min: 8000, max: 320000 }),
});

export const srtField = block({
  enabled: flag(false),
  srt_to_rtmp: flag(true),
});
