/** Bounds-checked big-endian reads over one tag body; running out is a decode error naming the tag. */
import { flvError } from './flv-error.js';

export class TagCursor {
  pos = 0;

  constructor(
    readonly data: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.data.length - this.pos;
  }

  need(bytes: number, field: string): void {
    if (bytes > this.remaining) {
      throw flvError(`${this.what}: truncated at ${field}, need ${bytes} bytes at ${this.pos}, have ${this.remaining}`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.data[this.pos++]!;
  }

  u24(field: string): number {
    this.need(3, field);
    const d = this.data;
    const value = (d[this.pos]! << 16) | (d[this.pos + 1]! << 8) | d[this.pos + 2]!;
    this.pos += 3;
    return value;
  }

  /** Signed 24-bit, as FLV composition time offsets are. */
  s24(field: string): number {
    const value = this.u24(field);
    return value & 0x800000 ? value - 0x1000000 : value;
  }

  fourcc(field: string): string {
    this.need(4, field);
    const d = this.data;
    const text = String.fromCharCode(d[this.pos]!, d[this.pos + 1]!, d[this.pos + 2]!, d[this.pos + 3]!);
    this.pos += 4;
    return text;
  }

  skip(bytes: number, field: string): void {
    this.need(bytes, field);
    this.pos += bytes;
  }
}
