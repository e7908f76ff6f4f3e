/**
 * A gop store that keeps copies of the packets' bytes in a few large segments and their
 * fields in typed arrays, instead of references to the packets.
 *
 * Every stream keeps its current GOP (seconds of messages) whether or not anyone plays it.
 * Held as objects, each message is three long-lived JS objects (entry, packet, payload view)
 * that the young-generation GC copies and promotes and every full GC marks: with hundreds
 * of publishers that was a third of the server's CPU. Packed, a message costs one copy of
 * its bytes and no object; packets are rebuilt only when a player arrives and asks.
 *
 * The segments of one GOP are reused for the next: allocating fresh ones would churn
 * external memory as fast as streams send bytes, and V8 answers that with a full GC every
 * few hundred milliseconds. So the payload views of a snapshot are valid only until the
 * next append: consumers encode (copy) them at once.
 */
import type { GopEntry, GopStore } from './gop-cache.js';
import type { MediaKind, MediaPacket } from './packet.js';

/** Room for ~0.4 s of a 600 kbit/s stream; a larger payload gets a segment of its own size. */
const SEGMENT_BYTES = 32 * 1024;
const INITIAL_ENTRIES = 64;

const KINDS: readonly MediaKind[] = ['audio', 'video', 'data'];
/** The index of `kind` in KINDS (a lookup by a string key would be a megamorphic load). */
function kindIndex(kind: MediaKind): number {
  return kind === 'audio' ? 0 : kind === 'video' ? 1 : 2;
}
const KEYFRAME = 1 << 2;
const SEQUENCE_HEADER = 1 << 3;
const RANDOM_ACCESS = 1 << 4;
const KIND_MASK = 3;

export class PackedMediaGopStore implements GopStore<MediaPacket> {
  private count = 0;
  private timestamps = new Float64Array(INITIAL_ENTRIES);
  private segmentIndex = new Uint32Array(INITIAL_ENTRIES);
  private offsets = new Uint32Array(INITIAL_ENTRIES);
  private lengths = new Uint32Array(INITIAL_ENTRIES);
  private flags = new Uint8Array(INITIAL_ENTRIES);
  private segments: Buffer[] = [];
  /** The previous GOP's standard-size segments, to be written again. */
  private spare: Buffer[] = [];
  /** Bytes used in the last segment. */
  private used = 0;

  get size(): number {
    return this.count;
  }

  append(packet: MediaPacket, randomAccess: boolean): void {
    const { payload } = packet;
    this.appendBytes(packet.kind, packet.timestamp, payload, 0, payload.length, packet.isKeyframe, packet.isSequenceHeader, randomAccess);
  }

  /** A packet given by its fields and its payload's place in `bytes` (no packet object needed). */
  appendBytes(
    kind: MediaKind,
    timestamp: number,
    bytes: Uint8Array,
    offset: number,
    length: number,
    isKeyframe: boolean,
    isSequenceHeader: boolean,
    randomAccess: boolean,
  ): void {
    if (this.count === this.timestamps.length) this.growIndex();
    let segment = this.segments[this.segments.length - 1];
    if (!segment || segment.length - this.used < length) {
      segment = length <= SEGMENT_BYTES ? (this.spare.pop() ?? Buffer.allocUnsafe(SEGMENT_BYTES)) : Buffer.allocUnsafe(length);
      this.segments.push(segment);
      this.used = 0;
    }
    segment.set(bytes.subarray(offset, offset + length), this.used);
    const i = this.count++;
    this.timestamps[i] = timestamp;
    this.segmentIndex[i] = this.segments.length - 1;
    this.offsets[i] = this.used;
    this.lengths[i] = length;
    this.flags[i] =
      kindIndex(kind) | (isKeyframe ? KEYFRAME : 0) | (isSequenceHeader ? SEQUENCE_HEADER : 0) | (randomAccess ? RANDOM_ACCESS : 0);
    this.used += length;
  }

  reset(): void {
    // Keep as many segments as this GOP filled: the next one is likely the same size.
    this.spare = this.segments.filter((segment) => segment.length === SEGMENT_BYTES);
    this.count = 0;
    this.segments = [];
    this.used = 0;
  }

  release(): void {
    this.reset();
    this.spare = [];
  }

  entries(): readonly GopEntry<MediaPacket>[] {
    const out: GopEntry<MediaPacket>[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const flags = this.flags[i]!;
      const offset = this.offsets[i]!;
      const payload = this.segments[this.segmentIndex[i]!]!.subarray(offset, offset + this.lengths[i]!);
      out[i] = {
        item: {
          kind: KINDS[flags & KIND_MASK]!,
          timestamp: this.timestamps[i]!,
          payload,
          isKeyframe: (flags & KEYFRAME) !== 0,
          isSequenceHeader: (flags & SEQUENCE_HEADER) !== 0,
        },
        randomAccess: (flags & RANDOM_ACCESS) !== 0,
      };
    }
    return out;
  }

  private growIndex(): void {
    const capacity = this.timestamps.length * 2;
    const grow = <A extends Float64Array | Uint32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.timestamps = grow(this.timestamps, (n) => new Float64Array(n));
    this.segmentIndex = grow(this.segmentIndex, (n) => new Uint32Array(n));
    this.offsets = grow(this.offsets, (n) => new Uint32Array(n));
    this.lengths = grow(this.lengths, (n) => new Uint32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
  }
}
