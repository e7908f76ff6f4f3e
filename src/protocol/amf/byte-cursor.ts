/**
 * Bounds-checked big-endian reads over one Buffer for the AMF decoders. Every read checks
 * the remaining length first, so a truncated or lying payload becomes a coded error naming
 * what was being read and where, never an out-of-range read or a huge allocation.
 */
import { TsrsError } from '../../core/errors.js';

export class ByteCursor {
  pos: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available; `what` names the field for the error. */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw this.error(`${what} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  error(message: string, at = this.pos): TsrsError {
    return new TsrsError('RtmpAmf0Decode', `${message} (at offset ${at})`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  peekU8(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  s16(what: string): number {
    this.need(2, what);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  utf8(length: number, what: string): string {
    this.need(length, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return s;
  }

  /** A copy, so a small value does not pin the whole message buffer in memory. */
  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return out;
  }
}
