import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  HevcNalType,
  hevcHasIrap,
  hevcLevelName,
  hevcNalType,
  hevcProfileName,
  hevcVideoInfo,
  isHevcIrap,
  parseHevcDecoderConfigurationRecord,
  parseHevcSps,
} from '../../../src/kernel/codec/hevc.js';
import { annexBToLengthPrefixed, splitAnnexB } from '../../../src/kernel/codec/nalu.js';

// ffmpeg with libx265 is a hard requirement of this suite: without it, these tests fail.
let dir: string;
function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}
function x265Args(pixFmt: string, params: string): string[] {
  return ['-pix_fmt', pixFmt, '-c:v', 'libx265', '-x265-params', `log-level=error:${params}`];
}
function encodeHevc(name: string, size: string, args: string[], frames = 1): Buffer {
  const file = join(dir, `${name}.hevc`);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-frames:v', String(frames), ...args, '-f', 'hevc', file]);
  return readFileSync(file);
}
function mp4Box(file: Uint8Array, fourcc: string): Uint8Array {
  const at = Buffer.from(file).indexOf(fourcc, 0, 'latin1');
  if (at < 4) throw new Error(`no ${fourcc} box`);
  const size = Buffer.from(file).readUInt32BE(at - 4);
  return file.subarray(at + 4, at - 4 + size);
}
function expectDecodeErrorOrValue(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
    expect((err as TsrsError).codeName).toBe('RtmpMessageDecode');
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-hevc-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cases = [
  { name: 'main 720p', size: '1280x720', args: x265Args('yuv420p', 'level-idc=3.1'), width: 1280, height: 720, profile: 'Main', level: '3.1', chroma: 1, depth: 8 },
  { name: 'main 854x480 (conformance window)', size: '854x480', args: x265Args('yuv420p', 'level-idc=3'), width: 854, height: 480, profile: 'Main', level: '3', chroma: 1, depth: 8 },
  { name: 'main 642x362 (window on both axes)', size: '642x362', args: x265Args('yuv420p', 'level-idc=3'), width: 642, height: 362, profile: 'Main', level: '3', chroma: 1, depth: 8 },
  { name: 'main10 1080p', size: '1920x1080', args: x265Args('yuv420p10le', 'level-idc=4.1'), width: 1920, height: 1080, profile: 'Main10', level: '4.1', chroma: 1, depth: 10 },
  { name: 'rext 4:4:4 426x242', size: '426x242', args: x265Args('yuv444p', 'level-idc=2.1'), width: 426, height: 242, profile: 'RExt', level: '2.1', chroma: 3, depth: 8 },
];

describe('hevc sps from libx265', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.width}x${c.height} ${c.profile} ${c.level}`, () => {
      const stream = encodeHevc(c.name.replace(/\W+/g, '-'), c.size, c.args);
      const nalu = splitAnnexB(stream).find((n) => hevcNalType(n) === HevcNalType.Sps)!;
      const sps = parseHevcSps(nalu);
      expect({ width: sps.width, height: sps.height }).toEqual({ width: c.width, height: c.height });
      expect(hevcProfileName(sps.profileIdc, sps.profileCompatibilityFlags)).toBe(c.profile);
      expect(hevcLevelName(sps.levelIdc)).toBe(c.level);
      expect(sps.chromaFormatIdc).toBe(c.chroma);
      expect(sps.bitDepthLuma).toBe(c.depth);
    });
  }

  it('parses an SPS with sub-layer profile/level entries (temporal layers)', () => {
    const stream = encodeHevc('temporal', '320x240', x265Args('yuv420p', 'b-pyramid=1:bframes=3:temporal-layers=1'), 8);
    const sps = parseHevcSps(splitAnnexB(stream).find((n) => hevcNalType(n) === HevcNalType.Sps)!);
    expect(sps.maxSubLayers).toBeGreaterThan(1);
    expect({ width: sps.width, height: sps.height }).toEqual({ width: 320, height: 240 });
  });

  it('turns every truncation and random tail into a decode error or a value', () => {
    const nalu = splitAnnexB(encodeHevc('trunc', '642x362', x265Args('yuv420p', ''))).find(
      (n) => hevcNalType(n) === HevcNalType.Sps,
    )!;
    for (let n = 0; n < nalu.length; n++) expectDecodeErrorOrValue(() => parseHevcSps(nalu.subarray(0, n)));
    expect(() => parseHevcSps(nalu.subarray(0, 10))).toThrow(TsrsError);
    let seed = 3;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 4 + (i % 60) }, rand);
      bytes[0] = 0x42;
      bytes[1] = 0x01;
      expectDecodeErrorOrValue(() => parseHevcSps(bytes));
    }
    expect(() => parseHevcSps(Uint8Array.of(0x40, 0x01, 0, 0, 0))).toThrow(/nal type 32/);
  });
});

describe('hevc decoder configuration record', () => {
  let hvcC: Uint8Array;
  beforeAll(() => {
    const file = join(dir, 'rec.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=854x480:rate=25', '-frames:v', '1', ...x265Args('yuv420p', 'level-idc=3.1'), '-tag:v', 'hvc1', file]);
    hvcC = mp4Box(readFileSync(file), 'hvcC');
  });

  it('parses the hvcC libx265 output carries (the record an Enhanced RTMP hvc1 sequence start carries)', () => {
    const record = parseHevcDecoderConfigurationRecord(hvcC);
    expect(record).toMatchObject({ version: 1, profileIdc: 1, levelIdc: 93, nalLengthSize: 4, chromaFormatIdc: 1, bitDepthLuma: 8 });
    expect(record.vps).toHaveLength(1);
    expect(record.sps).toHaveLength(1);
    expect(record.pps).toHaveLength(1);
    expect(record.arrays.map((a) => a.nalType)).toEqual(expect.arrayContaining([32, 33, 34]));
    expect(hevcVideoInfo(record)).toEqual({ codec: 'hevc', profile: 'Main', level: '3.1', width: 854, height: 480 });
  });

  it('rejects every truncation, bad version, 3-byte NAL length, and a record without SPS', () => {
    for (let n = 0; n < hvcC.length; n++) {
      expect(() => parseHevcDecoderConfigurationRecord(hvcC.subarray(0, n))).toThrow(TsrsError);
    }
    const bad = (patch: (b: Uint8Array) => void) => {
      const copy = Uint8Array.from(hvcC);
      patch(copy);
      return () => parseHevcDecoderConfigurationRecord(copy);
    };
    expect(bad((b) => (b[0] = 2))).toThrow(/version 2/);
    expect(bad((b) => (b[21] = (b[21]! & 0xfc) | 2))).toThrow(/NAL length size 3/);
    expect(bad((b) => (b[22] = 0))).toThrow(/no sps/);
  });
});

describe('hevc nal units', () => {
  it('finds IRAP pictures where libx265 put keyframes', () => {
    const stream = encodeHevc('gop', '320x240', x265Args('yuv420p', 'keyint=4:min-keyint=4:scenecut=0:bframes=0:open-gop=0'), 8);
    const nalus = splitAnnexB(stream);
    expect(nalus.filter(isHevcIrap)).toHaveLength(2);
    expect(hevcHasIrap(annexBToLengthPrefixed(stream, 4), 4)).toBe(true);
    const trail = nalus.find((n) => hevcNalType(n) <= HevcNalType.TrailR)!;
    expect(hevcHasIrap(annexBToLengthPrefixed(Uint8Array.of(0, 0, 1, ...trail)), 4)).toBe(false);
  });

  it('names profiles and levels as SRS does', () => {
    expect(hevcProfileName(1)).toBe('Main');
    expect(hevcProfileName(2)).toBe('Main10');
    expect(hevcProfileName(3)).toBe('Main Still Picture');
    expect(hevcProfileName(0, 0x20000000)).toBe('Main10'); // only compatibility flag 2 set
    expect(hevcProfileName(9)).toBe('Other');
    expect(hevcLevelName(30)).toBe('1');
    expect(hevcLevelName(63)).toBe('2.1');
    expect(hevcLevelName(123)).toBe('4.1');
    expect(hevcLevelName(156)).toBe('5.2');
    expect(hevcLevelName(186)).toBe('6.2');
    expect(hevcLevelName(31)).toBe('Other');
  });
});
