/**
 * Big-endian bit reader for codec headers (SPS, AudioSpecificConfig, decoder configuration
 * records). Every read is bounds-checked and throws a coded error instead of returning garbage,
 * so a truncated header can never be mistaken for a valid one.
 */
import { codecError } from './codec-error.js';

export class BitReader {
  private bitPos = 0;

  constructor(
    private readonly data: Uint8Array,
    /** Names the structure in error messages ("avc sps", "aac config"). */
    private readonly what: string,
  ) {}

  get bitsLeft(): number {
    return this.data.length * 8 - this.bitPos;
  }

  get bytePosition(): number {
    return this.bitPos >>> 3;
  }

  private need(bits: number): void {
    if (bits > this.bitsLeft) {
      throw codecError(`${this.what}: truncated, need ${bits} bits at bit ${this.bitPos}, have ${this.bitsLeft}`);
    }
  }

  /** Reads up to 32 bits as an unsigned number. */
  bits(count: number): number {
    if (count === 0) return 0;
    this.need(count);
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.data[this.bitPos >>> 3]!;
      const bit = (byte >>> (7 - (this.bitPos & 7))) & 1;
      value = value * 2 + bit; // multiplication keeps 32-bit values unsigned
      this.bitPos++;
    }
    return value;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(count: number): void {
    this.need(count);
    this.bitPos += count;
  }

  u8(): number {
    return this.bits(8);
  }

  u16(): number {
    return this.bits(16);
  }

  /**
   * Copies `length` whole bytes into a plain Uint8Array (parameter sets outlive the payload they
   * came in, and must not pin it); the reader must be byte-aligned.
   */
  bytes(length: number): Uint8Array {
    if ((this.bitPos & 7) !== 0) throw codecError(`${this.what}: unaligned byte read`);
    this.need(length * 8);
    const start = this.bitPos >>> 3;
    this.bitPos += length * 8;
    const out = new Uint8Array(length);
    out.set(this.data.subarray(start, start + length));
    return out;
  }

  /** Unsigned exp-Golomb, ue(v). Codes longer than 32 bits are not valid in any header we read. */
  ue(): number {
    let leadingZeros = 0;
    while (!this.flag()) {
      leadingZeros++;
      if (leadingZeros > 31) throw codecError(`${this.what}: exp-Golomb code too long`);
    }
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  /** Signed exp-Golomb, se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/**
 * NAL unit payload to RBSP: drops the emulation-prevention 0x03 of every 00 00 03 sequence,
 * which encoders insert so a start code never appears inside a NAL unit.
 */
export function nalToRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let length = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 0x03) {
      zeros = 0;
      continue;
    }
    out[length++] = byte;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, length);
}
