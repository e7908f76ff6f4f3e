/**
 * SRS `mix_correct`: reorders audio and video messages into one timestamp-ordered sequence for
 * publishers that send the two tracks out of step (each track in order, the interleave not).
 *
 * A message is released only when it is known to be the earliest that can arrive: once both
 * tracks have something queued the smallest head is safe, because each track arrives in order.
 * A stream with one track only (or a track that stops) is released once SRS's 10 messages
 * (SRS_MIX_CORRECT_PURE_AV) are queued. That rule also bounds the queue: while both tracks have
 * messages it releases, and while one is empty it holds at most 10.
 */

/** SRS SRS_MIX_CORRECT_PURE_AV. */
export const MIX_PURE_TRACK_THRESHOLD = 10;

export type MixKind = 'audio' | 'video';

interface Entry<T> {
  timestamp: number;
  kind: MixKind;
  item: T;
}

export class MixQueue<T> {
  // Sorted by timestamp; equal timestamps keep arrival order. Small (bounded), so an array is fine.
  private entries: Entry<T>[] = [];
  private audios = 0;
  private videos = 0;

  get size(): number {
    return this.entries.length;
  }

  push(item: T, timestamp: number, kind: MixKind): void {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.timestamp <= timestamp) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, { timestamp, kind, item });
    if (kind === 'video') this.videos++;
    else this.audios++;
  }

  /** The next message in timestamp order, or undefined while ordering is not yet certain. */
  pop(): T | undefined {
    const ready =
      (this.videos >= 1 && this.audios >= 1) ||
      (this.audios === 0 && this.videos >= MIX_PURE_TRACK_THRESHOLD) ||
      (this.videos === 0 && this.audios >= MIX_PURE_TRACK_THRESHOLD);
    return ready ? this.shift() : undefined;
  }

  /** Pushes one message and returns every message now releasable, in order. */
  pushAndRelease(item: T, timestamp: number, kind: MixKind): T[] {
    this.push(item, timestamp, kind);
    const out: T[] = [];
    for (let next = this.pop(); next !== undefined; next = this.pop()) out.push(next);
    return out;
  }

  /** Everything still queued, in order (the publisher stopped). */
  drain(): T[] {
    const out: T[] = [];
    while (this.entries.length > 0) out.push(this.shift()!);
    return out;
  }

  private shift(): T | undefined {
    const entry = this.entries.shift();
    if (!entry) return undefined;
    if (entry.kind === 'video') this.videos--;
    else this.audios--;
    return entry.item;
  }
}
