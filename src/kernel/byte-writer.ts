/**
 * A growable big-endian byte builder, shared by every encoder that assembles a message
 * field by field (AMF values, MP4 boxes). Methods chain; `toBuffer` returns an exact copy.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(1, initialSize));
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

  s16(v: number): this {
    this.reserve(2);
    this.buf.writeInt16BE(v, this.len);
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

  /** An unsigned 64-bit field from a safe integer (callers check the range). */
  u64(v: number): this {
    this.reserve(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.len);
    this.len += 8;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
    return this;
  }

  zeros(n: number): this {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** The UTF-8 bytes only; callers write the length prefix their format wants. */
  utf8(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.reserve(n);
    this.buf.write(s, this.len, n, 'utf8');
    this.len += n;
    return this;
  }

  /** One byte per character (FourCCs and other ASCII codes). */
  latin1(s: string): this {
    this.reserve(s.length);
    this.buf.write(s, this.len, s.length, 'latin1');
    this.len += s.length;
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}
