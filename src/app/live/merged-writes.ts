/**
 * When a stream's fan-out writes: SRS's merged writes. Messages collect for `mw_latency`
 * ms and then go to every player in one writev each; with `min_latency` (or mw_latency 0)
 * every message is written as it comes. One timer per stream, never one per player.
 */
import type { LiveOptions } from './options.js';

export class MergedWrites {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: Pick<LiveOptions, 'minLatency' | 'mwLatencyMs'>,
    private readonly flush: () => void,
  ) {}

  /** After an append: write now in low-latency mode, else within mw_latency. */
  scheduled(): void {
    if (this.options.minLatency || this.options.mwLatencyMs <= 0) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.now(), this.options.mwLatencyMs);
  }

  now(): void {
    this.cancel();
    this.flush();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
