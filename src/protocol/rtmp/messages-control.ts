/**
 * Payloads of the protocol control messages (types 1, 2, 3, 5, 6) and user control events
 * (type 4). All are a few big-endian integers; a payload shorter than its fields is an
 * RtmpMessageDecode error, extra trailing bytes are ignored as SRS does.
 */
import { TsrsError } from '../../core/errors.js';
import { UserControlEvent } from './messages.js';

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) {
    throw new TsrsError('RtmpMessageDecode', `${what}: payload of ${payload.length} bytes, needs ${n}`);
  }
}

function u32Payload(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

function readU32(payload: Buffer, what: string): number {
  need(payload, 4, what);
  return payload.readUInt32BE(0);
}

/** Set chunk size (1). The high bit is reserved (always 0); range checks belong to the chunk layer. */
export function encodeSetChunkSize(chunkSize: number): Buffer {
  return u32Payload(chunkSize & 0x7fffffff);
}

/** Returns the raw 32-bit value so the chunk layer can reject a set high bit as out of range. */
export function decodeSetChunkSize(payload: Buffer): number {
  return readU32(payload, 'set chunk size');
}

/** Abort (2): the chunk stream id whose partial message the peer should drop. */
export function encodeAbort(chunkStreamId: number): Buffer {
  return u32Payload(chunkStreamId);
}

export function decodeAbort(payload: Buffer): number {
  return readU32(payload, 'abort');
}

/** Acknowledgement (3): bytes received so far (wraps at 2^32). */
export function encodeAcknowledgement(sequenceNumber: number): Buffer {
  return u32Payload(sequenceNumber);
}

export function decodeAcknowledgement(payload: Buffer): number {
  return readU32(payload, 'acknowledgement');
}

/** Window acknowledgement size (5). */
export function encodeWindowAckSize(windowSize: number): Buffer {
  return u32Payload(windowSize);
}

export function decodeWindowAckSize(payload: Buffer): number {
  return readU32(payload, 'window acknowledgement size');
}

export interface SetPeerBandwidth {
  windowSize: number;
  /** PeerBandwidthLimit: 0 hard, 1 soft, 2 dynamic. */
  limitType: number;
}

/** Set peer bandwidth (6). */
export function encodeSetPeerBandwidth(windowSize: number, limitType: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(windowSize >>> 0, 0);
  b.writeUInt8(limitType & 0xff, 4);
  return b;
}

export function decodeSetPeerBandwidth(payload: Buffer): SetPeerBandwidth {
  need(payload, 5, 'set peer bandwidth');
  return { windowSize: payload.readUInt32BE(0), limitType: payload.readUInt8(4) };
}

/**
 * A user control event (4). `eventData` is the stream id (StreamBegin/EOF/Dry/IsRecorded,
 * SetBufferLength) or the timestamp (PingRequest/PingResponse); `extraData` is the buffer
 * length in ms for SetBufferLength.
 */
export interface UserControl {
  eventType: number;
  eventData: number;
  extraData?: number;
}

function isFmsEvent(eventType: number): boolean {
  return eventType === UserControlEvent.FmsEvent0 || eventType === UserControlEvent.FmsEvent0Response;
}

export function encodeUserControl(event: UserControl): Buffer {
  if (isFmsEvent(event.eventType)) {
    const b = Buffer.alloc(3);
    b.writeUInt16BE(event.eventType, 0);
    b.writeUInt8(event.eventData & 0xff, 2);
    return b;
  }
  const withExtra = event.eventType === UserControlEvent.SetBufferLength;
  const b = Buffer.alloc(withExtra ? 10 : 6);
  b.writeUInt16BE(event.eventType & 0xffff, 0);
  b.writeUInt32BE(event.eventData >>> 0, 2);
  if (withExtra) b.writeUInt32BE((event.extraData ?? 0) >>> 0, 6);
  return b;
}

export function decodeUserControl(payload: Buffer): UserControl {
  need(payload, 2, 'user control');
  const eventType = payload.readUInt16BE(0);
  if (isFmsEvent(eventType)) {
    need(payload, 3, `user control event ${eventType}`);
    return { eventType, eventData: payload.readUInt8(2) };
  }
  need(payload, 6, `user control event ${eventType}`);
  const eventData = payload.readUInt32BE(2);
  if (eventType === UserControlEvent.SetBufferLength) {
    need(payload, 10, 'user control set buffer length');
    return { eventType, eventData, extraData: payload.readUInt32BE(6) };
  }
  return { eventType, eventData };
}
