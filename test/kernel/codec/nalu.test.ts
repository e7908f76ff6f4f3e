import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { BitReader, nalToRbsp } from '../../../src/kernel/codec/bit-reader.js';
import {
  annexBToLengthPrefixed,
  joinLengthPrefixed,
  lengthPrefixedToAnnexB,
  splitAnnexB,
  splitLengthPrefixed,
} from '../../../src/kernel/codec/nalu.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('nal unit framing', () => {
  it('splits Annex B at 3- and 4-byte start codes, dropping leading junk and trailing zeros', () => {
    const stream = Uint8Array.of(0xaa, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0);
    expect(splitAnnexB(stream).map(hex)).toEqual(['670102', '6803', '650405']);
    expect(splitAnnexB(Uint8Array.of(1, 2, 3))).toEqual([]);
    expect(splitAnnexB(Uint8Array.of(0, 0, 1))).toEqual([]);
  });

  it('converts between Annex B and 1/2/4-byte length prefixes both ways', () => {
    const nalus = [Uint8Array.of(0x67, 1, 2), Uint8Array.of(0x68, 3), Uint8Array.of(0x65, ...new Array(300).fill(7))];
    for (const size of [2, 4] as const) {
      const avcc = joinLengthPrefixed(nalus, size);
      expect(splitLengthPrefixed(avcc, size).map(hex)).toEqual(nalus.map(hex));
      const annexB = lengthPrefixedToAnnexB(avcc, size);
      expect(hex(annexB.subarray(0, 4))).toBe('00000001');
      expect(hex(annexBToLengthPrefixed(annexB, size))).toBe(hex(avcc));
    }
    expect(() => joinLengthPrefixed(nalus, 1)).toThrow(/do not fit/);
    expect(hex(joinLengthPrefixed(nalus.slice(0, 2), 1))).toBe('03670102026803');
  });

  it('rejects lengths that run past the end at every truncation', () => {
    const avcc = joinLengthPrefixed([Uint8Array.of(0x65, 1, 2, 3), Uint8Array.of(0x41, 9)], 4);
    for (let n = 1; n < avcc.length; n++) {
      if (n === 8) continue; // a cut exactly between units is a valid shorter sequence
      expect(() => splitLengthPrefixed(avcc.subarray(0, n), 4)).toThrow(TsrsError);
    }
    expect(splitLengthPrefixed(avcc.subarray(0, 8), 4)).toHaveLength(1);
    expect(splitLengthPrefixed(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 9), 4).map(hex)).toEqual(['09']);
    expect(() => splitLengthPrefixed(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1), 4)).toThrow(/exceeds/);
  });
});

describe('bit reader', () => {
  it('drops emulation prevention bytes only after two zeros', () => {
    // 00 00 [03] 01 00 00 [03] 00 00 [03] 03 05: the second 03 of "03 03" is data.
    expect(hex(nalToRbsp(Uint8Array.of(0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 3, 5)))).toBe('000001000000000305');
    // After a single zero, 03 is data.
    expect(hex(nalToRbsp(Uint8Array.of(0, 3, 0, 0, 3)))).toBe('00030000');
  });

  it('reads bits, exp-Golomb codes and fails on overrun with a coded error', () => {
    const r = new BitReader(Uint8Array.of(0b10100110, 0b01000010, 0xff, 0xff, 0xff, 0xff), 'test');
    expect(r.flag()).toBe(true); // ue 0 is "1"
    expect(r.ue()).toBe(1); // 010
    expect(r.ue()).toBe(2); // 011
    expect(r.se()).toBe(2); // 00100 = ue 3 = se +2
    expect(new BitReader(Uint8Array.of(0b00101000), 't').se()).toBe(-2); // 00101 = ue 4 = se -2
    expect(r.bits(32)).toBeGreaterThan(0);
    expect(() => r.bits(8)).toThrow(TsrsError);
    expect(() => new BitReader(new Uint8Array(8), 'zeros').ue()).toThrow(/too long/);
  });
});
