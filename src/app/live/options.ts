/** * The per-vhost knobs the live service reads (SRS `play`, `publish` and vhost-level
 * directives), flattened from the config model so the media path reads plain fields.
 */
import type { VhostConfig } from '../../core/config/index.js';

export type TimeJitterMode = 'full' | 'zero' | 'off';

export interface LiveOptions {
  gopCache: boolean;
  gopCacheMaxFrames: number;
  /** Seconds a player may fall behind before it skips to the next keyframe. */
  queueLengthSeconds: number;
  timeJitter: TimeJitterMode;
  mixCorrect: boolean;
  atc: boolean;
  /** Merged-write interval in ms; 0 writes every message at once. */
  mwLatencyMs: number;
  mwMsgs: number;
  minLatency: boolean;
  tcpNodelay: boolean;
  chunkSize: number;
  reduceSequenceHeader: boolean;
  publishFirstPacketTimeoutMs: number;
  publishNormalTimeoutMs: number;
  /** SRS merged read (publish mr/mr_latency): how long a publisher's reading naps; 0 is off. */
  mergedReadMs: number;
  parseSps: boolean;
  outAckSize: number;
  inAckSize: number;
}

/** SRS 6 defaults. */
export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  gopCache: true,
  gopCacheMaxFrames: 2500,
  queueLengthSeconds: 30,
  timeJitter: 'full',
  mixCorrect: false,
  atc: false,
  mwLatencyMs: 350,
  mwMsgs: 8,
  minLatency: false,
  tcpNodelay: false,
  chunkSize: 60000,
  reduceSequenceHeader: false,
  publishFirstPacketTimeoutMs: 20000,
  publishNormalTimeoutMs: 5000,
  mergedReadMs: 0,
  parseSps: true,
  outAckSize: 2500000,
  inAckSize: 0,
};

/**
 * A vhost's config as the live service reads it. With min_latency on and no explicit
 * mw_latency SRS writes at once; tsrs follows that by writing every message as it comes.
 */
export function liveOptionsFromVhost(vhost: VhostConfig): LiveOptions {
  const { play, publish } = vhost;
  return {
    gopCache: play.gop_cache,
    gopCacheMaxFrames: play.gop_cache_max_frames,
    queueLengthSeconds: play.queue_length,
    timeJitter: play.time_jitter,
    mixCorrect: play.mix_correct,
    atc: play.atc,
    mwLatencyMs: play.mw_latency,
    mwMsgs: play.mw_msgs,
    minLatency: vhost.min_latency,
    tcpNodelay: vhost.tcp_nodelay,
    chunkSize: vhost.chunk_size,
    reduceSequenceHeader: play.reduce_sequence_header,
    publishFirstPacketTimeoutMs: publish.firstpkt_timeout,
    publishNormalTimeoutMs: publish.normal_timeout,
    mergedReadMs: publish.mr ? publish.mr_latency : 0,
    parseSps: publish.parse_sps,
    outAckSize: vhost.out_ack_size,
    inAckSize: vhost.in_ack_size,
  };
}
