/**
 * ISO/IEC 14496-12 box writing: a growable big-endian field builder and the two box headers
 * (plain and full). Boxes are built bottom-up as Buffers; a parent is its header plus its
 * children concatenated, which keeps every size field right by construction.
 */
import { ByteWriter } from '../../kernel/byte-writer.js';
import { mp4Error } from './mp4-error.js';

const MAX_U32 = 0xffffffff;

/** MP4 box fields: the shared writer plus the checks and field kinds of ISO-BMFF. */
export class Fields extends ByteWriter {
  constructor(initialSize = 64) {
    super(initialSize);
  }

  override u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw mp4Error(`64-bit field value ${v} is not a safe unsigned integer`);
    return super.u64(v);
  }

  /** A field that is 32 bits in version 0 boxes and 64 bits in version 1. */
  uVersioned(v: number, version: 0 | 1): this {
    return version === 1 ? this.u64(v) : this.u32(v);
  }

  fourcc(code: string): this {
    if (code.length !== 4) throw mp4Error(`fourcc "${code}" is not 4 characters`);
    return this.latin1(code);
  }
}

function header(type: string, payloadSize: number): Fields {
  const size = 8 + payloadSize;
  if (size > MAX_U32) throw mp4Error(`box ${type} of ${size} bytes needs a 64-bit size`);
  return new Fields(8).u32(size).fourcc(type);
}

/** A box: size, type, then the parts (fields and child boxes) in order. */
export function box(type: string, ...parts: Uint8Array[]): Buffer {
  const payload = parts.reduce((sum, p) => sum + p.length, 0);
  return Buffer.concat([header(type, payload).toBuffer(), ...parts]);
}

/** A full box: a box whose payload starts with an 8-bit version and 24-bit flags. */
export function fullBox(type: string, version: number, flags: number, ...parts: Uint8Array[]): Buffer {
  return box(type, new Fields(4).u8(version).u24(flags).toBuffer(), ...parts);
}

/** Whether a duration or time needs the 64-bit (version 1) form of mvhd/tkhd/mdhd. */
export function versionFor(...values: number[]): 0 | 1 {
  return values.some((v) => v > MAX_U32) ? 1 : 0;
}
