/**
 * A stream's gop cache: the messages since the latest random access point (a keyframe, or
 * any audio frame of an audio-only stream), kept once per stream. The policy lives here; a
 * GopStore keeps the entries (live sources use packed copies, see packed-media-gop.ts).
 *
 * Each output's native fan-out log exists only while that output has players; when its first
 * player arrives, the log is seeded from here, so a stream nobody watches costs no encoding
 * and no native calls per message, and a new player still starts at a keyframe.
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

/** Where a GopCache keeps its entries: plain references, or packed copies (packed-media-gop.ts). */
export interface GopStore<T> {
  readonly size: number;
  append(item: T, randomAccess: boolean): void;
  /** Forgets every entry; a new GOP follows at once, so the store may keep its buffers. */
  reset(): void;
  /** Forgets every entry and frees what the store holds (the stream stopped). */
  release(): void;
  /** The entries, valid until the next append (payload bytes may be reused after it). */
  entries(): readonly GopEntry<T>[];
}

/** Keeps the items themselves. */
export class ReferenceGopStore<T> implements GopStore<T> {
  private list: GopEntry<T>[] = [];

  get size(): number {
    return this.list.length;
  }

  append(item: T, randomAccess: boolean): void {
    this.list.push({ item, randomAccess });
  }

  reset(): void {
    this.list = [];
  }

  release(): void {
    this.reset();
  }

  entries(): readonly GopEntry<T>[] {
    return this.list;
  }
}

export class GopCache<T> {
  /** The current GOP outgrew maxFrames: wait for the next random access point. */
  private overflowed = false;

  constructor(private readonly store: GopStore<T> = new ReferenceGopStore<T>()) {}

  push(item: T, randomAccess: boolean, limits: GopLimits): void {
    if (this.admit(randomAccess, limits)) this.store.append(item, randomAccess);
  }

  /**
   * Applies the policy for one more message and says whether to append it to the store (a
   * caller that owns the store may append in its own form, see LiveSource.feedFrame).
   */
  admit(randomAccess: boolean, limits: GopLimits): boolean {
    if (!limits.enabled) {
      if (this.store.size > 0) this.clear();
      return false;
    }
    if (randomAccess) {
      this.store.reset();
      this.overflowed = false;
      return true;
    }
    // Before the first random access point nothing is decodable, so nothing is worth keeping.
    if (this.store.size === 0 || this.overflowed) return false;
    if (this.store.size >= Math.max(1, limits.maxFrames)) {
      this.store.reset();
      this.overflowed = true;
      return false;
    }
    return true;
  }

  /**
   * The cached GOP, oldest first, starting at a random access point (or empty). Consume it
   * before the next push: a packed store reuses its payload bytes.
   */
  snapshot(): readonly GopEntry<T>[] {
    return this.store.entries();
  }

  get size(): number {
    return this.store.size;
  }

  clear(): void {
    this.store.release();
    this.overflowed = false;
  }
}
