/**
 * The RTMP chunk stream codec (native/src/rtmp_chunk_{de,}muxer): bytes of one connection
 * in, whole messages out; one message in, its chunks out. Set Chunk Size and Abort are
 * applied natively (and still returned, so the session can log and acknowledge them);
 * aggregate messages are split by default.
 */
import { addon } from './addon.js';
import { TsrsError, type ErrorCodeName } from '../core/errors.js';

export interface RtmpMessage {
  /** Chunk stream id, 2..65599. */
  csid: number;
  typeId: number;
  /** Absolute timestamp in ms, mod 2^32. */
  timestamp: number;
  /** Message stream id. */
  streamId: number;
  payload: Buffer;
}

export interface RtmpChunkDemuxerOptions {
  /** Largest message accepted, in bytes; a header announcing more is an error. Default 8 MiB. */
  maxMessageSize?: number;
  /** Distinct chunk stream ids a peer may use. Default 64. */
  maxChunkStreams?: number;
  /** Deliver the sub-messages of aggregate messages (type 22) instead of the aggregate. Default true. */
  splitAggregate?: boolean;
}

interface NativeChunkDemuxer {
  /**
   * The completed messages packed in one Buffer (see RtmpMessageBatch), or undefined for
   * none: `reusable` itself when they fit in it, else a new Buffer.
   */
  feed(bytes: Uint8Array, reusable?: Uint8Array): Buffer | undefined;
  readonly inChunkSize: number;
  readonly bytesReceived: number;
}

/** The native string codes and the SRS error each becomes. */
const nativeCodeToError: Record<string, ErrorCodeName> = {
  ChunkSizeInvalid: 'RtmpChunkSize',
  MessageTooLarge: 'RtmpPacketSize',
  MessageLengthChanged: 'RtmpPacketSize',
  TooManyChunkStreams: 'RtmpChunkStart',
  ChunkStartInvalid: 'RtmpChunkStart',
  AggregateInvalid: 'RtmpMessageDecode',
  AfterError: 'RtmpChunkStart',
};

/** The string code a native error carries ("MessageTooLarge", ...), if any. */
function nativeCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A native error as a TsrsError whose message starts with the native string code. */
function toTsrsError(err: unknown): TsrsError {
  const code = nativeCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const name: ErrorCodeName = (code !== undefined && nativeCodeToError[code]) || 'Unknown';
  return new TsrsError(name, `${code ?? 'NativeError'}: ${message}`, { cause: err });
}

export class RtmpChunkDemuxer {
  private readonly native: NativeChunkDemuxer;

  constructor(options: RtmpChunkDemuxerOptions = {}) {
    try {
      this.native = new addon.ChunkDemuxer(options) as NativeChunkDemuxer;
    } catch (err) {
      throw toTsrsError(err);
    }
  }

  /**
   * Consumes bytes read from the connection and returns every message they complete.
   * Throws a TsrsError on a protocol violation; the connection must then be closed (every
   * later feed throws too).
   */
  feed(bytes: Uint8Array): RtmpMessage[] {
    return this.feedBatch(bytes).messages();
  }

  /**
   * As feed, but the messages stay packed: no object per message until one is asked for.
   * The batch usually lives in a buffer every demuxer reuses: read it before the next feed.
   */
  feedBatch(bytes: Uint8Array): RtmpMessageBatch {
    let packed: Buffer | undefined;
    try {
      packed = this.native.feed(bytes, sharedBatch.bytes);
    } catch (err) {
      throw toTsrsError(err);
    }
    if (packed === undefined) return EMPTY_BATCH;
    if (packed !== sharedBatch.bytes) return new RtmpMessageBatch(packed);
    sharedBatch.generation++;
    return new RtmpMessageBatch(packed, sharedBatch.words, sharedBatch.generation);
  }

  /** The peer's chunk size, changed by its Set Chunk Size messages. */
  get inChunkSize(): number {
    return this.native.inChunkSize;
  }

  /** Bytes consumed so far, for Acknowledgement messages. */
  get bytesReceived(): number {
    return this.native.bytesReceived;
  }
}

const HEADER_WORDS = 5;

/**
 * Where feeds pack their messages when they fit (nearly always: a read is at most 64 KB).
 * A fresh buffer per read would be external memory allocated as fast as publishers send,
 * which V8 answers with a full garbage collection every few hundred milliseconds.
 */
const sharedBatch = (() => {
  const bytes = Buffer.allocUnsafeSlow(256 * 1024);
  return { bytes, words: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), generation: 0 };
})();

/**
 * The messages of one feed as the native side packed them: u32 count, u32 offset of the
 * headers, the payloads back to back from byte 8, then per message u32 csid, type id,
 * timestamp, stream id and payload length (host byte order). A publisher's media can be
 * read field by field with no object per message; message(i) builds one.
 *
 * A batch in the shared buffer is valid only until the next feed of any demuxer (reads are
 * handled one at a time, so a read's handler finishes first); its messages' payloads are
 * views into a copy, as they may be kept (sequence headers, metadata, queued forwards).
 */
export class RtmpMessageBatch {
  readonly count: number;
  /** Where message 0's payload starts in `bytes`; each next one follows the previous. */
  readonly firstPayloadOffset = 8;
  readonly bytes: Buffer;
  private readonly words: Uint32Array;
  /** Index in `words` of message 0's header. */
  private readonly head: number;
  /** A shared batch's payloads, copied when the first message object is built. */
  private ownedPayloads: Buffer | undefined;

  /** For the shared buffer: its words view and the feed generation that filled it. */
  constructor(
    bytes: Buffer,
    sharedWords?: Uint32Array,
    private readonly generation = 0,
  ) {
    // The native side allocates its buffers itself, so they start aligned; copy if one is not.
    this.bytes = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
    this.words = sharedWords ?? new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >>> 2);
    this.count = this.words[0]!;
    this.head = this.words[1]! >>> 2;
  }

  csid(i: number): number {
    return this.words[this.head + i * HEADER_WORDS]!;
  }

  typeId(i: number): number {
    return this.words[this.head + i * HEADER_WORDS + 1]!;
  }

  timestamp(i: number): number {
    return this.words[this.head + i * HEADER_WORDS + 2]!;
  }

  streamId(i: number): number {
    return this.words[this.head + i * HEADER_WORDS + 3]!;
  }

  payloadLength(i: number): number {
    return this.words[this.head + i * HEADER_WORDS + 4]!;
  }

  /** Message i as an object; `payloadOffset` is where its payload starts in `bytes`. */
  message(i: number, payloadOffset: number): RtmpMessage {
    let payloads = this.bytes;
    if (this.generation !== 0) {
      if (this.generation !== sharedBatch.generation) throw new TsrsError('Unknown', 'rtmp message batch read after a later feed reused its buffer');
      // One copy of the batch's payloads serves all its messages: one allocation per read,
      // not one per message. Not from Buffer's shared pool: a payload a session keeps would
      // pin a whole 8 KB pool slab.
      payloads = this.ownedPayloads ??= copyOutOfPool(this.bytes.subarray(0, this.head * 4));
    }
    const payload = payloads.subarray(payloadOffset, payloadOffset + this.payloadLength(i));
    return { csid: this.csid(i), typeId: this.typeId(i), timestamp: this.timestamp(i), streamId: this.streamId(i), payload };
  }

  messages(): RtmpMessage[] {
    const out: RtmpMessage[] = new Array(this.count);
    let offset = this.firstPayloadOffset;
    for (let i = 0; i < this.count; i++) {
      out[i] = this.message(i, offset);
      offset += this.payloadLength(i);
    }
    return out;
  }
}

function copyOutOfPool(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/** No message: count 0, headers at 8. */
const EMPTY_BATCH = new RtmpMessageBatch(Buffer.from(new Uint32Array([0, 8]).buffer));

/**
 * Encodes one message: a fmt 0 first chunk (absolute timestamp, so every encoded message
 * stands alone and can be sent to any player as is) and fmt 3 continuations. The timestamp
 * is reduced mod 2^32 as RTMP carries it.
 */
export function encodeRtmpMessage(message: RtmpMessage, chunkSize: number): Buffer {
  const timestamp = Number.isInteger(message.timestamp) ? message.timestamp % 2 ** 32 : message.timestamp;
  try {
    return addon.encodeMessage(
      message.csid,
      message.typeId,
      timestamp < 0 ? timestamp + 2 ** 32 : timestamp,
      message.streamId,
      message.payload,
      chunkSize,
    ) as Buffer;
  } catch (err) {
    throw toTsrsError(err);
  }
}
