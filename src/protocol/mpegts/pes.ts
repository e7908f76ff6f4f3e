/**
 * PES packet headers (13818-1 2.4.3.6) as HLS uses them: a start code, a stream id, a length
 * (0 = unbounded, allowed for video only), and PTS with an optional DTS in 90 kHz units.
 */
import { TS_CLOCK_WRAP } from './ts-constants.js';
import { tsError } from './ts-error.js';

const PES_FIXED_HEADER = 9;
const MAX_PES_PACKET_LENGTH = 0xffff;

export interface PesTiming {
  /** 90 kHz, 0..2^33-1. */
  pts: number;
  /** 90 kHz; written only when it differs from pts. */
  dts: number;
}

/**
 * The header for a PES of `payloadLength` bytes. Video PES use length 0 (unbounded) as SRS
 * and most muxers do, since an access unit easily exceeds 64 KiB; audio gets its real length
 * when it fits.
 */
export function buildPesHeader(streamId: number, timing: PesTiming, payloadLength: number, isVideo: boolean): Buffer {
  const withDts = timing.dts !== timing.pts;
  const headerDataLength = withDts ? 10 : 5;
  const out = Buffer.alloc(PES_FIXED_HEADER + headerDataLength);
  out[2] = 1; // packet_start_code_prefix 00 00 01
  out[3] = streamId;
  const pesPacketLength = 3 + headerDataLength + payloadLength;
  out.writeUInt16BE(isVideo || pesPacketLength > MAX_PES_PACKET_LENGTH ? 0 : pesPacketLength, 4);
  out[6] = 0x80; // '10', not scrambled, no priority, no alignment flag, no copyright, copy
  out[7] = withDts ? 0xc0 : 0x80;
  out[8] = headerDataLength;
  writeTimestamp(out, 9, withDts ? 0x3 : 0x2, timing.pts);
  if (withDts) writeTimestamp(out, 14, 0x1, timing.dts);
  return out;
}

/** A 33-bit timestamp as 5 bytes: 4-bit prefix, then 3+15+15 bits each followed by a marker bit. */
export function writeTimestamp(out: Uint8Array, at: number, prefix: number, ticks: number): void {
  const value = ((ticks % TS_CLOCK_WRAP) + TS_CLOCK_WRAP) % TS_CLOCK_WRAP;
  const high = Math.floor(value / 2 ** 30); // bits 32..30
  const low30 = value % 2 ** 30;
  out[at] = (prefix << 4) | (high << 1) | 1;
  out[at + 1] = (low30 >>> 22) & 0xff;
  out[at + 2] = (((low30 >>> 15) & 0x7f) << 1) | 1;
  out[at + 3] = (low30 >>> 7) & 0xff;
  out[at + 4] = ((low30 & 0x7f) << 1) | 1;
}

export function readTimestamp(data: Uint8Array, at: number): number {
  const high = (data[at]! >> 1) & 0x07;
  const low30 = (data[at + 1]! << 22) | ((data[at + 2]! >> 1) << 15) | (data[at + 3]! << 7) | (data[at + 4]! >> 1);
  return high * 2 ** 30 + (low30 >>> 0);
}

export interface PesHeader {
  streamId: number;
  /** PES_packet_length as signalled; 0 = unbounded. */
  packetLength: number;
  pts: number | undefined;
  dts: number | undefined;
  /** Offset of the elementary stream data. */
  payloadOffset: number;
}

/** Stream ids whose PES have no optional header (13818-1 Table 2-22): padding, private 2, ECM... */
function hasOptionalHeader(streamId: number): boolean {
  return ![0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8].includes(streamId);
}

/** Parses the header at the start of a PES; `data` must hold at least the whole header. */
export function parsePesHeader(data: Uint8Array): PesHeader {
  if (data.length < 6) throw tsError(`pes: ${data.length} bytes is too short for a header`);
  if (data[0] !== 0 || data[1] !== 0 || data[2] !== 1) throw tsError('pes: no packet start code');
  const streamId = data[3]!;
  const packetLength = (data[4]! << 8) | data[5]!;
  if (!hasOptionalHeader(streamId)) return { streamId, packetLength, pts: undefined, dts: undefined, payloadOffset: 6 };
  if (data.length < PES_FIXED_HEADER) throw tsError(`pes: ${data.length} bytes is too short for a header`);
  if ((data[6]! & 0xc0) !== 0x80) throw tsError(`pes: marker bits 0x${data[6]!.toString(16)} are not '10'`);
  const ptsDtsFlags = data[7]! >> 6;
  if (ptsDtsFlags === 1) throw tsError('pes: PTS_DTS_flags 01 is forbidden');
  const headerDataLength = data[8]!;
  const payloadOffset = PES_FIXED_HEADER + headerDataLength;
  if (payloadOffset > data.length) throw tsError(`pes: header_data_length ${headerDataLength} runs past the data`);
  if (packetLength !== 0 && packetLength < 3 + headerDataLength) {
    throw tsError(`pes: PES_packet_length ${packetLength} is shorter than its header`);
  }
  const needed = ptsDtsFlags === 3 ? 10 : ptsDtsFlags === 2 ? 5 : 0;
  if (headerDataLength < needed) throw tsError(`pes: header_data_length ${headerDataLength} cannot hold the timestamps`);
  const pts = ptsDtsFlags >= 2 ? readTimestamp(data, 9) : undefined;
  const dts = ptsDtsFlags === 3 ? readTimestamp(data, 14) : pts;
  return { streamId, packetLength, pts, dts, payloadOffset };
}
