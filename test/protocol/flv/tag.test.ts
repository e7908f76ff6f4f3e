import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  buildFlvHeader,
  buildFlvTag,
  buildFlvTagHeader,
  buildPreviousTagSize,
  FlvTagType,
  parseFlvHeader,
  parseFlvTagHeader,
} from '../../../src/protocol/flv/tag.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('flv file header', () => {
  it('builds the 9-byte header plus PreviousTagSize0 with the audio/video flags', () => {
    expect(hex(buildFlvHeader({ hasAudio: true, hasVideo: true }))).toBe('464c5601050000000900000000');
    expect(hex(buildFlvHeader({ hasAudio: true, hasVideo: false }))).toBe('464c5601040000000900000000');
    expect(hex(buildFlvHeader({ hasAudio: false, hasVideo: true }))).toBe('464c5601010000000900000000');
    expect(parseFlvHeader(buildFlvHeader({ hasAudio: false, hasVideo: true }))).toEqual({ version: 1, hasAudio: false, hasVideo: true, headerSize: 9 });
  });

  it('rejects short, bad signature, bad version and bad data offsets', () => {
    const good = buildFlvHeader({ hasAudio: true, hasVideo: true });
    const patched = (at: number, value: number) => {
      const copy = Buffer.from(good);
      copy[at] = value;
      return copy;
    };
    expect(() => parseFlvHeader(good.subarray(0, 8))).toThrow(/need 9/);
    expect(() => parseFlvHeader(patched(0, 0x47))).toThrow(/signature/);
    expect(() => parseFlvHeader(patched(3, 2))).toThrow(/version 2/);
    expect(() => parseFlvHeader(patched(8, 8))).toThrow(/shorter than the header/);
    expect(() => parseFlvHeader(patched(5, 0x80))).toThrow(/implausible/);
    expect(() => parseFlvHeader(Buffer.from('GET / HTTP/1.1'))).toThrow(TsrsError);
  });
});

describe('flv tag header', () => {
  it('splits the timestamp into 24 bits plus the extended high byte', () => {
    const header = buildFlvTagHeader(FlvTagType.Video, 0x12345678, 0x0a0b0c);
    expect(hex(header)).toBe('090a0b0c34567812000000');
    expect(parseFlvTagHeader(header)).toEqual({ type: 9, filtered: false, dataSize: 0x0a0b0c, timestamp: 0x12345678, streamId: 0 });
  });

  it('writes timestamps beyond 32 bits modulo 2^32 (a long-running corrected stream)', () => {
    expect(parseFlvTagHeader(buildFlvTagHeader(FlvTagType.Audio, 2 ** 32 + 1000, 1)).timestamp).toBe(1000);
    expect(parseFlvTagHeader(buildFlvTagHeader(FlvTagType.Audio, 2 ** 32 - 1, 1)).timestamp).toBe(2 ** 32 - 1);
    expect(() => buildFlvTagHeader(FlvTagType.Audio, Number.NaN, 1)).toThrow(TsrsError);
  });

  it('rejects bodies beyond 24 bits, unknown tag types and reserved bits', () => {
    expect(() => buildFlvTagHeader(FlvTagType.Script, 0, 0x1000000)).toThrow(/24 bits/);
    expect(() => parseFlvTagHeader(Uint8Array.of(0x07, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0))).toThrow(/tag type 7/);
    expect(() => parseFlvTagHeader(Uint8Array.of(0x48, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0))).toThrow(/reserved bits/);
    expect(() => parseFlvTagHeader(Uint8Array.of(0x08, 0, 0))).toThrow(/truncated/);
    expect(parseFlvTagHeader(Uint8Array.of(0x28, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0))).toMatchObject({ type: 8, filtered: true });
  });
});

describe('flv tag writer', () => {
  it('writes header, body and PreviousTagSize = 11 + body', () => {
    const tag = buildFlvTag(FlvTagType.Audio, 23, Uint8Array.of(0xaf, 0x01, 0x21));
    // type | size 3 | ts 23 | ts ext | stream id | body | 11 + 3
    expect(hex(tag)).toBe(['08', '000003', '000017', '00', '000000', 'af0121', '0000000e'].join(''));
    expect(hex(buildPreviousTagSize(3))).toBe('0000000e');
    expect(hex(buildFlvTag(FlvTagType.Script, 0, new Uint8Array(0)))).toBe(['12', '000000', '000000', '00', '000000', '0000000b'].join(''));
  });
});
