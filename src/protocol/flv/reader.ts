/**
 * Incremental FLV reader: feed bytes split anywhere (socket reads, file chunks), get whole tags.
 * Memory stays bounded by the largest tag allowed: a declared size over the limit fails at once
 * instead of waiting for (and buffering) a body that may never be valid.
 */
import { TsrsError } from '../../core/errors.js';
import { flvError } from './flv-error.js';
import {
  FLV_HEADER_SIZE,
  FLV_MAX_TAG_DATA_SIZE,
  FLV_PREVIOUS_TAG_SIZE,
  FLV_TAG_HEADER_SIZE,
  parseFlvHeader,
  parseFlvTagHeader,
  type FlvHeader,
  type FlvTagType,
} from './tag.js';

export interface FlvTag {
  type: FlvTagType;
  /** 32-bit milliseconds as stored; callers unwrap/correct with the kernel jitter. */
  timestamp: number;
  streamId: number;
  filtered: boolean;
  data: Buffer;
}

export interface FlvReaderOptions {
  /** Largest tag body accepted, bytes; at most (and by default) the 24-bit maximum, ~16 MiB. */
  maxTagSize?: number;
  /** Whether the stream starts with the FLV file header (true for files, HTTP-FLV and FLV POST). */
  expectHeader?: boolean;
}

type State = 'header' | 'header-padding' | 'previous-tag-size' | 'tag-header' | 'tag-body';

export class FlvReader {
  /** The file header once read. */
  header: FlvHeader | undefined;
  private readonly maxTagSize: number;
  private readonly queue = new ByteQueue();
  private state: State;
  private need: number;
  private pending: ReturnType<typeof parseFlvTagHeader> | undefined;
  private failure: TsrsError | undefined;

  constructor(options: FlvReaderOptions = {}) {
    this.maxTagSize = Math.min(options.maxTagSize ?? FLV_MAX_TAG_DATA_SIZE, FLV_MAX_TAG_DATA_SIZE);
    const expectHeader = options.expectHeader ?? true;
    this.state = expectHeader ? 'header' : 'tag-header';
    this.need = expectHeader ? FLV_HEADER_SIZE : FLV_TAG_HEADER_SIZE;
  }

  /** Bytes held waiting for the rest of a header or tag. */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /**
   * Returns the tags completed by this chunk. The chunk is referenced, not copied, so the caller
   * must not reuse its memory. After an error the reader stays failed: FLV cannot resynchronise.
   */
  feed(chunk: Uint8Array): FlvTag[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) this.queue.push(chunk);
    const tags: FlvTag[] = [];
    try {
      while (this.queue.length >= this.need) {
        const tag = this.step();
        if (tag) tags.push(tag);
      }
    } catch (err) {
      this.failure = err instanceof TsrsError ? err : flvError(String(err));
      throw this.failure;
    }
    return tags;
  }

  private step(): FlvTag | undefined {
    switch (this.state) {
      case 'header': {
        this.header = parseFlvHeader(this.queue.take(FLV_HEADER_SIZE));
        this.expect('header-padding', this.header.headerSize - FLV_HEADER_SIZE);
        return undefined;
      }
      case 'header-padding':
        this.queue.take(this.need);
        this.expect('previous-tag-size', FLV_PREVIOUS_TAG_SIZE);
        return undefined;
      case 'previous-tag-size':
        // Not verified: several muxers write wrong values, and the tag header's size is what counts.
        this.queue.take(FLV_PREVIOUS_TAG_SIZE);
        this.expect('tag-header', FLV_TAG_HEADER_SIZE);
        return undefined;
      case 'tag-header': {
        const header = parseFlvTagHeader(this.queue.take(FLV_TAG_HEADER_SIZE));
        if (header.dataSize > this.maxTagSize) {
          throw flvError(`flv tag: data size ${header.dataSize} exceeds the limit of ${this.maxTagSize}`);
        }
        this.pending = header;
        this.expect('tag-body', header.dataSize);
        return undefined;
      }
      case 'tag-body': {
        const header = this.pending!;
        const data = this.queue.take(header.dataSize);
        this.pending = undefined;
        this.expect('previous-tag-size', FLV_PREVIOUS_TAG_SIZE);
        return { type: header.type, timestamp: header.timestamp, streamId: header.streamId, filtered: header.filtered, data };
      }
    }
  }

  private expect(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
  }
}

/**
 * Chunks in arrival order; take(n) is zero-copy when n bytes sit in one chunk. Small chunks are
 * copied into a shared tail buffer, so a peer trickling single bytes costs bytes, not an object
 * per byte. Bytes handed out by take() are never written again.
 */
class ByteQueue {
  private chunks: Buffer[] = [];
  private first = 0;
  private head = 0;
  private tail: Buffer | undefined;
  private tailUsed = 0;
  private lastIsTail = false;
  length = 0;

  push(chunk: Uint8Array): void {
    this.length += chunk.length;
    if (chunk.length >= SMALL_CHUNK) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.lastIsTail = false;
      return;
    }
    if (!this.lastIsTail || !this.tail || this.tailUsed + chunk.length > this.tail.length) {
      this.tail = Buffer.allocUnsafe(TAIL_SIZE);
      this.tailUsed = 0;
      this.chunks.push(this.tail.subarray(0, 0));
      this.lastIsTail = true;
    }
    this.tail.set(chunk, this.tailUsed);
    this.tailUsed += chunk.length;
    this.chunks[this.chunks.length - 1] = this.tail.subarray(0, this.tailUsed);
  }

  take(count: number): Buffer {
    if (count > this.length) throw new Error(`byte queue: take ${count} of ${this.length}`);
    if (count === 0) return Buffer.alloc(0);
    this.length -= count;
    const first = this.chunks[this.first]!;
    if (first.length - this.head >= count) {
      const out = first.subarray(this.head, this.head + count);
      this.advance(first, count);
      return out;
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[this.first]!;
      const n = Math.min(chunk.length - this.head, count - filled);
      chunk.copy(out, filled, this.head, this.head + n);
      filled += n;
      this.advance(chunk, n);
    }
    return out;
  }

  private advance(chunk: Buffer, n: number): void {
    this.head += n;
    if (this.head < chunk.length) return;
    this.head = 0;
    this.first++;
    if (this.first === this.chunks.length) {
      // Drained: start over, and never append to a tail whose bytes were handed out.
      this.chunks = [];
      this.first = 0;
      this.lastIsTail = false;
    } else if (this.first > 1024) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

const SMALL_CHUNK = 4096;
const TAIL_SIZE = 16384;
