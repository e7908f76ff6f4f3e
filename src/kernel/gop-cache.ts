/**
 * A stream's gop cache: the messages since the latest random access point (a keyframe, or
 * any audio frame of an audio-only stream), kept once per stream as references to the
 * packets themselves (payloads are shared, never copied here).
 *
 * Each output's native fan-out log exists only while that output has players; when its first
 * player arrives, the log is seeded from here, so a stream nobody watches costs no encoding,
 * no copies and no native calls per message, and a new player still starts at a keyframe.
 *
 * Same limits as SRS's gop cache: off means nothing is kept; a GOP longer than `maxFrames`
 * messages is dropped until the next random access point.
 */
export interface GopLimits {
  enabled: boolean;
  maxFrames: number;
}

export interface GopEntry<T> {
  item: T;
  randomAccess: boolean;
}

export class GopCache<T> {
  private entries: GopEntry<T>[] = [];
  /** The current GOP outgrew maxFrames: wait for the next random access point. */
  private overflowed = false;

  push(item: T, randomAccess: boolean, limits: GopLimits): void {
    if (!limits.enabled) {
      if (this.entries.length > 0) this.clear();
      return;
    }
    if (randomAccess) {
      this.entries = [{ item, randomAccess }];
      this.overflowed = false;
      return;
    }
    // Before the first random access point nothing is decodable, so nothing is worth keeping.
    if (this.entries.length === 0 || this.overflowed) return;
    if (this.entries.length >= Math.max(1, limits.maxFrames)) {
      this.entries = [];
      this.overflowed = true;
      return;
    }
    this.entries.push({ item, randomAccess });
  }

  /** The cached GOP, oldest first, starting at a random access point (or empty). */
  snapshot(): readonly GopEntry<T>[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
    this.overflowed = false;
  }
}
