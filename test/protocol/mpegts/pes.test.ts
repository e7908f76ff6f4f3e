import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { buildPesHeader, parsePesHeader, readTimestamp, writeTimestamp } from '../../../src/protocol/mpegts/pes.js';
import { msTo90k, TS_CLOCK_WRAP } from '../../../src/protocol/mpegts/ts-constants.js';

describe('PES timestamps', () => {
  it('encodes a PTS with its prefix and marker bits', () => {
    const out = Buffer.alloc(5);
    writeTimestamp(out, 0, 0x2, 900_000);
    expect(out).toEqual(Buffer.from([0x21, 0x00, 0x37, 0x77, 0x41]));
  });

  it('round-trips the whole 33-bit range and wraps beyond it', () => {
    for (const value of [0, 1, 2 ** 30 - 1, 2 ** 30, 2 ** 32, 2 ** 32 + 12345, TS_CLOCK_WRAP - 1]) {
      const out = Buffer.alloc(5);
      writeTimestamp(out, 0, 0x3, value);
      expect(readTimestamp(out, 0)).toBe(value);
      expect(out[0]! >> 4).toBe(3);
      expect(out[0]! & 1 && out[2]! & 1 && out[4]! & 1).toBe(1);
    }
    const out = Buffer.alloc(5);
    writeTimestamp(out, 0, 0x2, TS_CLOCK_WRAP + 5);
    expect(readTimestamp(out, 0)).toBe(5);
  });

  it('converts milliseconds to the wrapped 90 kHz clock', () => {
    expect(msTo90k(1000)).toBe(90_000);
    expect(msTo90k(2 ** 33 / 90 + 1)).toBe(90);
    expect(msTo90k(-1)).toBe(TS_CLOCK_WRAP - 90);
    expect(msTo90k(2 ** 40)).toBe((2 ** 40 * 90) % TS_CLOCK_WRAP);
  });
});

describe('PES headers', () => {
  it('video: unbounded length, PTS and DTS when they differ', () => {
    const header = buildPesHeader(0xe0, { pts: 3600, dts: 0 }, 100_000, true);
    expect(header.subarray(0, 9)).toEqual(Buffer.from([0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10]));
    expect(parsePesHeader(header)).toEqual({ streamId: 0xe0, packetLength: 0, pts: 3600, dts: 0, payloadOffset: 19 });
  });

  it('audio: real length when it fits, PTS only', () => {
    const header = buildPesHeader(0xc0, { pts: 90, dts: 90 }, 400, false);
    expect(header.readUInt16BE(4)).toBe(3 + 5 + 400);
    expect(header[7]).toBe(0x80);
    expect(parsePesHeader(header)).toEqual({ streamId: 0xc0, packetLength: 408, pts: 90, dts: 90, payloadOffset: 14 });
    expect(buildPesHeader(0xc0, { pts: 0, dts: 0 }, 70_000, false).readUInt16BE(4)).toBe(0);
  });

  it('reads PES without an optional header (padding stream)', () => {
    expect(parsePesHeader(Buffer.from([0, 0, 1, 0xbe, 0, 2, 0xff, 0xff]))).toMatchObject({ streamId: 0xbe, payloadOffset: 6, pts: undefined });
  });

  it('rejects broken headers with a TsrsError', () => {
    const good = buildPesHeader(0xe0, { pts: 3600, dts: 0 }, 10, true);
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['short', good.subarray(0, 5)],
      ['no optional header', good.subarray(0, 8)],
      ['start code', Buffer.from([0, 0, 2, ...good.subarray(3)])],
      ['marker bits', Buffer.from([...good.subarray(0, 6), 0x40, ...good.subarray(7)])],
      ['PTS_DTS_flags 01', Buffer.from([...good.subarray(0, 7), 0x40, ...good.subarray(8)])],
      ['header_data_length past the data', Buffer.from([...good.subarray(0, 8), 200, ...good.subarray(9)])],
      ['header_data_length too small for PTS+DTS', Buffer.from([...good.subarray(0, 8), 5, ...good.subarray(9)])],
      ['length shorter than the header', Buffer.from([0, 0, 1, 0xc0, 0, 4, 0x80, 0x80, 5, ...good.subarray(9, 14)])],
    ];
    for (const [what, data] of cases) expect(() => parsePesHeader(data), what).toThrow(TsrsError);
  });
});
