/**
 * One output's native fan-out log, alive only while the output has players. With nobody
 * watching, a published message costs the output nothing (no encoding, no copy, no native
 * call); the first player opens the log, seeded from the source's gop cache so it still
 * starts at a keyframe, and the last one to leave frees it with the GOP it held.
 */
import { Fanout, type FanoutEventListener, type FanoutStats } from '../../native/fanout.js';
import type { LiveOptions } from './options.js';
import { MergedWrites } from './merged-writes.js';

/** One message of the seed: encoded bytes, log time, and whether a player may start there. */
export interface SeedMessage {
  bytes: Uint8Array | readonly Uint8Array[];
  timestampMs: number;
  randomAccess: boolean;
}

const EMPTY_STATS: FanoutStats = { players: 0, messages: 0, retainedBytes: 0, bytesSent: 0 };

export class PlayerLog {
  private fanout: Fanout | undefined;
  private readonly writes: MergedWrites;
  /** Totals of logs already freed, so stats() stays cumulative. */
  private bytesSentBefore = 0;

  constructor(
    private readonly options: LiveOptions,
    private readonly onEvent: FanoutEventListener,
  ) {
    this.writes = new MergedWrites(options, () => this.fanout?.flush());
  }

  /** True while the log exists: only then is a message worth encoding. */
  get isOpen(): boolean {
    return this.fanout !== undefined;
  }

  /** The log, opened (and seeded with the cached GOP) on first use. */
  open(seed: () => Iterable<SeedMessage>): Fanout {
    if (this.fanout) return this.fanout;
    const fanout = new Fanout({
      queueLimitMs: Math.max(1, this.options.queueLengthSeconds) * 1000,
      gopCache: this.options.gopCache,
      gopCacheMaxFrames: this.options.gopCacheMaxFrames,
    });
    fanout.onEvent(this.onEvent);
    for (const message of seed()) fanout.append(message.bytes, message.timestampMs, message.randomAccess);
    this.fanout = fanout;
    return fanout;
  }

  /** Appends a message if the log is open; written within mw_latency (or now, min_latency). */
  append(bytes: Uint8Array | readonly Uint8Array[], timestampMs: number, randomAccess: boolean): void {
    if (!this.fanout) return;
    this.fanout.append(bytes, timestampMs, randomAccess);
    this.writes.scheduled();
  }

  flushNow(): void {
    this.writes.now();
  }

  /** Frees the log once nobody is left on it (the caller knows its players). */
  release(): void {
    if (!this.fanout) return;
    this.writes.cancel();
    this.bytesSentBefore += this.fanout.stats().bytesSent;
    this.fanout.close();
    this.fanout = undefined;
  }

  stats(): FanoutStats {
    if (!this.fanout) return { ...EMPTY_STATS, bytesSent: this.bytesSentBefore };
    const stats = this.fanout.stats();
    return { ...stats, bytesSent: stats.bytesSent + this.bytesSentBefore };
  }

  /** The open log, for per-player calls; undefined when closed (no players). */
  get current(): Fanout | undefined {
    return this.fanout;
  }
}
