/**
 * ISO/IEC 14496-12 box writing: a growable big-endian field builder and the two box headers
 * (plain and full). Boxes are built bottom-up as Buffers; a parent is its header plus its
 * children concatenated, which keeps every size field right by construction.
 */
import { mp4Error } from './mp4-error.js';

const MAX_U32 = 0xffffffff;

export class Fields {
  private buf: Buffer;
  private len = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
    return this;
  }

  u24(v: number): this {
    this.reserve(3);
    this.buf.writeUIntBE(v & 0xffffff, this.len, 3);
    this.len += 3;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  s32(v: number): this {
    this.reserve(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
    return this;
  }

  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw mp4Error(`64-bit field value ${v} is not a safe unsigned integer`);
    this.reserve(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.len);
    this.len += 8;
    return this;
  }

  /** A field that is 32 bits in version 0 boxes and 64 bits in version 1. */
  uVersioned(v: number, version: 0 | 1): this {
    return version === 1 ? this.u64(v) : this.u32(v);
  }

  zeros(n: number): this {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  fourcc(code: string): this {
    if (code.length !== 4) throw mp4Error(`fourcc "${code}" is not 4 characters`);
    this.reserve(4);
    this.buf.write(code, this.len, 'latin1');
    this.len += 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.len);
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
