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
  /** The completed messages packed in one Buffer (see unpackMessages), or undefined for none. */
  feed(bytes: Uint8Array): Buffer | undefined;
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
    let packed: Buffer | undefined;
    try {
      packed = this.native.feed(bytes);
    } catch (err) {
      throw toTsrsError(err);
    }
    return packed === undefined ? [] : unpackMessages(packed);
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

const HEADER_BYTES = 20;
const hostIsLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The native feed's layout: u32 count, then per message u32 csid, type id, timestamp, stream
 * id and payload length (host byte order), then the payloads back to back. Payloads are
 * views into the packed buffer, which lives as long as any of them.
 */
function unpackMessages(packed: Buffer): RtmpMessage[] {
  const u32 = (offset: number) => (hostIsLittleEndian ? packed.readUInt32LE(offset) : packed.readUInt32BE(offset));
  const count = u32(0);
  const messages: RtmpMessage[] = new Array(count);
  let head = 4;
  let body = 4 + count * HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const length = u32(head + 16);
    messages[i] = {
      csid: u32(head),
      typeId: u32(head + 4),
      timestamp: u32(head + 8),
      streamId: u32(head + 12),
      payload: packed.subarray(body, body + length),
    };
    head += HEADER_BYTES;
    body += length;
  }
  return messages;
}

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
