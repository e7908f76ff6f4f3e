/**
 * NAL unit framing shared by H.264 and HEVC: the length-prefixed form RTMP/FLV/MP4 carry
 * (AVCC/HVCC, 1, 2 or 4 byte big-endian lengths) and the start-code form MPEG-TS and raw
 * .h264/.h265 files use (Annex B).
 */
import { codecError } from './codec-error.js';

export type NalLengthSize = 1 | 2 | 4;

export function isNalLengthSize(size: number): size is NalLengthSize {
  return size === 1 || size === 2 || size === 4;
}

const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** Splits length-prefixed NAL units; a length that runs past the end is an error, not a short NAL. */
export function splitLengthPrefixed(data: Uint8Array, nalLengthSize: NalLengthSize): Uint8Array[] {
  const nalus: Uint8Array[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (pos + nalLengthSize > data.length) {
      throw codecError(`nalu: truncated ${nalLengthSize}-byte length at ${pos} of ${data.length}`);
    }
    let length = 0;
    for (let i = 0; i < nalLengthSize; i++) length = length * 256 + data[pos + i]!;
    pos += nalLengthSize;
    if (length > data.length - pos) {
      throw codecError(`nalu: length ${length} at ${pos - nalLengthSize} exceeds the ${data.length - pos} bytes left`);
    }
    // Zero-length units carry nothing; some encoders pad with them.
    if (length > 0) nalus.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return nalus;
}

/** Length-prefixed to Annex B with 4-byte start codes (what HLS/TS muxers write). */
export function lengthPrefixedToAnnexB(data: Uint8Array, nalLengthSize: NalLengthSize): Uint8Array {
  return joinAnnexB(splitLengthPrefixed(data, nalLengthSize));
}

export function joinAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const nalu of nalus) total += START_CODE.length + nalu.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const nalu of nalus) {
    out.set(START_CODE, pos);
    out.set(nalu, pos + START_CODE.length);
    pos += START_CODE.length + nalu.length;
  }
  return out;
}

/**
 * Splits an Annex B byte stream at 3- and 4-byte start codes. Bytes before the first start code
 * are not a NAL unit and are dropped; trailing zero bytes of each unit (trailing_zero_8bits, or
 * the first byte of a 4-byte start code) are trimmed.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const nalus: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) pushTrimmed(nalus, data, start, i);
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0) pushTrimmed(nalus, data, start, data.length);
  return nalus;
}

function pushTrimmed(nalus: Uint8Array[], data: Uint8Array, start: number, end: number): void {
  while (end > start && data[end - 1] === 0) end--;
  if (end > start) nalus.push(data.subarray(start, end));
}

/** Annex B to length-prefixed, the form FLV and MP4 carry. */
export function annexBToLengthPrefixed(data: Uint8Array, nalLengthSize: NalLengthSize = 4): Uint8Array {
  return joinLengthPrefixed(splitAnnexB(data), nalLengthSize);
}

export function joinLengthPrefixed(nalus: readonly Uint8Array[], nalLengthSize: NalLengthSize = 4): Uint8Array {
  const limit = 2 ** (8 * nalLengthSize);
  let total = 0;
  for (const nalu of nalus) {
    if (nalu.length >= limit) throw codecError(`nalu: ${nalu.length} bytes do not fit a ${nalLengthSize}-byte length`);
    total += nalLengthSize + nalu.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const nalu of nalus) {
    let length = nalu.length;
    for (let i = nalLengthSize - 1; i >= 0; i--) {
      out[pos + i] = length & 0xff;
      length = Math.floor(length / 256);
    }
    out.set(nalu, pos + nalLengthSize);
    pos += nalLengthSize + nalu.length;
  }
  return out;
}
