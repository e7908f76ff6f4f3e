/**
 * The per-vhost knobs the live service reads (SRS `play`, `publish` and vhost-level
 * directives), flattened from the config model so the media path reads plain fields.
 */
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
  parseSps: true,
  outAckSize: 2500000,
  inAckSize: 0,
};
