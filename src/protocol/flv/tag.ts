/**
 * The FLV container around tag bodies: the 9-byte file header, 11-byte tag headers and the
 * 4-byte PreviousTagSize after each tag. HTTP-FLV, DVR and HTTP-FLV POST ingest share these.
 * Timestamps are written modulo 2^32 (24 bits + an 8-bit extension), as FLV can hold no more.
 */
import { flvError } from './flv-error.js';

export const FlvTagType = {
  Audio: 8,
  Video: 9,
  Script: 18,
} as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

export const FLV_HEADER_SIZE = 9;
export const FLV_TAG_HEADER_SIZE = 11;
export const FLV_PREVIOUS_TAG_SIZE = 4;
/** DataSize is 24 bits. */
export const FLV_MAX_TAG_DATA_SIZE = 0xffffff;

export function isFlvTagType(type: number): type is FlvTagType {
  return type === FlvTagType.Audio || type === FlvTagType.Video || type === FlvTagType.Script;
}

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
  /** DataOffset: bytes from the file start to the first PreviousTagSize (9 for version 1). */
  headerSize: number;
}

/** The file header plus PreviousTagSize0, the 13 bytes every FLV file and HTTP-FLV stream starts with. */
export function buildFlvHeader(flags: { hasAudio: boolean; hasVideo: boolean }): Buffer {
  const out = Buffer.alloc(FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE);
  out.write('FLV', 0, 'latin1');
  out[3] = 1;
  out[4] = (flags.hasAudio ? 0x04 : 0) | (flags.hasVideo ? 0x01 : 0);
  out.writeUInt32BE(FLV_HEADER_SIZE, 5);
  return out;
}

export function parseFlvHeader(bytes: Uint8Array): FlvHeader {
  if (bytes.length < FLV_HEADER_SIZE) throw flvError(`flv header: ${bytes.length} bytes, need ${FLV_HEADER_SIZE}`);
  if (bytes[0] !== 0x46 || bytes[1] !== 0x4c || bytes[2] !== 0x56) throw flvError('flv header: bad signature, not "FLV"');
  const version = bytes[3]!;
  if (version !== 1) throw flvError(`flv header: version ${version}, expected 1`);
  const headerSize = ((bytes[5]! << 24) >>> 0) + ((bytes[6]! << 16) | (bytes[7]! << 8) | bytes[8]!);
  if (headerSize < FLV_HEADER_SIZE) throw flvError(`flv header: data offset ${headerSize} is shorter than the header`);
  // Version 1 defines no header extension; a huge offset is a corrupt file, not padding to buffer.
  if (headerSize > 1024) throw flvError(`flv header: data offset ${headerSize} is implausible`);
  return { version, hasAudio: (bytes[4]! & 0x04) !== 0, hasVideo: (bytes[4]! & 0x01) !== 0, headerSize };
}

export interface FlvTagHeader {
  type: FlvTagType;
  /** Encrypted-content flag (FLV 10.1 Filter bit); tsrs forwards such tags untouched. */
  filtered: boolean;
  dataSize: number;
  /** Milliseconds, 32-bit (lower 24 bits + TimestampExtended as the high 8). */
  timestamp: number;
  streamId: number;
}

export function parseFlvTagHeader(bytes: Uint8Array, offset = 0): FlvTagHeader {
  if (bytes.length - offset < FLV_TAG_HEADER_SIZE) throw flvError('flv tag header: truncated');
  const b = bytes.subarray(offset, offset + FLV_TAG_HEADER_SIZE);
  const type = b[0]! & 0x1f;
  if ((b[0]! & 0xc0) !== 0) throw flvError(`flv tag header: reserved bits set in 0x${b[0]!.toString(16)}`);
  if (!isFlvTagType(type)) throw flvError(`flv tag header: tag type ${type} is not audio, video or script`);
  return {
    type,
    filtered: (b[0]! & 0x20) !== 0,
    dataSize: (b[1]! << 16) | (b[2]! << 8) | b[3]!,
    timestamp: ((b[7]! << 24) | (b[4]! << 16) | (b[5]! << 8) | b[6]!) >>> 0,
    streamId: (b[8]! << 16) | (b[9]! << 8) | b[10]!,
  };
}

/** Timestamps beyond 32 bits (a jitter-corrected long stream) wrap, as on the RTMP wire. */
function wireTimestamp(timestamp: number): number {
  if (!Number.isFinite(timestamp)) throw flvError(`flv tag: timestamp ${timestamp} is not finite`);
  const t = Math.floor(timestamp) % 0x100000000;
  return t < 0 ? t + 0x100000000 : t;
}

export function writeFlvTagHeader(out: Uint8Array, offset: number, type: FlvTagType, timestamp: number, dataSize: number): void {
  if (!Number.isInteger(dataSize) || dataSize < 0 || dataSize > FLV_MAX_TAG_DATA_SIZE) {
    throw flvError(`flv tag: data size ${dataSize} does not fit 24 bits`);
  }
  const ts = wireTimestamp(timestamp);
  out[offset] = type;
  out[offset + 1] = dataSize >>> 16;
  out[offset + 2] = (dataSize >>> 8) & 0xff;
  out[offset + 3] = dataSize & 0xff;
  out[offset + 4] = (ts >>> 16) & 0xff;
  out[offset + 5] = (ts >>> 8) & 0xff;
  out[offset + 6] = ts & 0xff;
  out[offset + 7] = ts >>> 24;
  out[offset + 8] = 0; // StreamID, always 0
  out[offset + 9] = 0;
  out[offset + 10] = 0;
}

export function buildFlvTagHeader(type: FlvTagType, timestamp: number, dataSize: number): Buffer {
  const out = Buffer.alloc(FLV_TAG_HEADER_SIZE);
  writeFlvTagHeader(out, 0, type, timestamp, dataSize);
  return out;
}

/** PreviousTagSize for a tag of `dataSize` body bytes: header plus body. */
export function buildPreviousTagSize(dataSize: number): Buffer {
  const out = Buffer.alloc(FLV_PREVIOUS_TAG_SIZE);
  out.writeUInt32BE(FLV_TAG_HEADER_SIZE + dataSize, 0);
  return out;
}

/** One whole tag as it goes into a file or HTTP-FLV response: header, body, PreviousTagSize. */
export function buildFlvTag(type: FlvTagType, timestamp: number, payload: Uint8Array): Buffer {
  const size = payload.length;
  const out = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE + size + FLV_PREVIOUS_TAG_SIZE);
  writeFlvTagHeader(out, 0, type, timestamp, size);
  out.set(payload, FLV_TAG_HEADER_SIZE);
  out.writeUInt32BE(FLV_TAG_HEADER_SIZE + size, FLV_TAG_HEADER_SIZE + size);
  return out;
}
