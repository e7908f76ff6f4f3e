import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  AvcNalType,
  avcHasIdr,
  avcLevelName,
  avcNalType,
  avcProfileName,
  avcVideoInfo,
  buildAvcDecoderConfigurationRecord,
  isAvcIdr,
  parseAvcDecoderConfigurationRecord,
  parseAvcSps,
} from '../../../src/kernel/codec/avc.js';
import { annexBToLengthPrefixed, splitAnnexB } from '../../../src/kernel/codec/nalu.js';

// ffmpeg is a hard requirement of this suite: if it is missing, these tests fail.
let dir: string;
function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}
function encodeH264(name: string, size: string, codecArgs: string[], frames = 1): Buffer {
  const file = join(dir, `${name}.h264`);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-frames:v', String(frames), '-c:v', 'libx264', ...codecArgs, '-f', 'h264', file]);
  return readFileSync(file);
}
function firstOfType(stream: Uint8Array, type: number): Uint8Array {
  const nalu = splitAnnexB(stream).find((n) => (n[0]! & 0x1f) === type);
  if (!nalu) throw new Error(`no nal of type ${type}`);
  return nalu;
}
/** A box's body from an MP4 file, found by its FourCC (enough for a one-track test file). */
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
  dir = mkdtempSync(join(tmpdir(), 'tsrs-avc-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface SpsCase {
  name: string;
  size: string;
  args: string[];
  width: number;
  height: number;
  profile: string;
  level: string;
  chroma?: number;
  bitDepth?: number;
  frameMbsOnly?: boolean;
}

const yuv420 = ['-pix_fmt', 'yuv420p'];
const cases: SpsCase[] = [
  { name: 'baseline 720p', size: '1280x720', args: [...yuv420, '-profile:v', 'baseline', '-level', '3.1'], width: 1280, height: 720, profile: 'Baseline', level: '3.1' },
  { name: 'main 854x480 (cropped width)', size: '854x480', args: [...yuv420, '-profile:v', 'main', '-level', '3.0'], width: 854, height: 480, profile: 'Main', level: '3' },
  { name: 'high 1080p (cropped height)', size: '1920x1080', args: [...yuv420, '-profile:v', 'high', '-level', '4.0'], width: 1920, height: 1080, profile: 'High', level: '4' },
  { name: 'high 426x240', size: '426x240', args: [...yuv420, '-profile:v', 'high', '-level', '2.1'], width: 426, height: 240, profile: 'High', level: '2.1' },
  { name: 'high interlaced 1080i', size: '1920x1080', args: [...yuv420, '-profile:v', 'high', '-level', '4.1', '-x264-params', 'interlaced=1'], width: 1920, height: 1080, profile: 'High', level: '4.1', frameMbsOnly: false },
  { name: 'high scaling matrices 642x362', size: '642x362', args: [...yuv420, '-profile:v', 'high', '-level', '3.0', '-x264-params', 'cqm=jvt'], width: 642, height: 362, profile: 'High', level: '3' },
  { name: 'high10', size: '1280x720', args: ['-pix_fmt', 'yuv420p10le', '-profile:v', 'high10', '-level', '3.1'], width: 1280, height: 720, profile: 'High(10)', level: '3.1', bitDepth: 10 },
  { name: 'high422 854x480', size: '854x480', args: ['-pix_fmt', 'yuv422p', '-profile:v', 'high422', '-level', '3.0'], width: 854, height: 480, profile: 'High(422)', level: '3', chroma: 2 },
  { name: 'high444 854x486', size: '854x486', args: ['-pix_fmt', 'yuv444p', '-profile:v', 'high444', '-level', '3.0'], width: 854, height: 486, profile: 'High(444+Predictive)', level: '3', chroma: 3 },
];

describe('avc sps from libx264', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.width}x${c.height} ${c.profile} ${c.level}`, () => {
      const sps = parseAvcSps(firstOfType(encodeH264(c.name.replace(/\W+/g, '-'), c.size, c.args), AvcNalType.Sps));
      expect({ width: sps.width, height: sps.height }).toEqual({ width: c.width, height: c.height });
      expect(avcProfileName(sps.profileIdc)).toBe(c.profile);
      expect(avcLevelName(sps.levelIdc)).toBe(c.level);
      expect(sps.chromaFormatIdc).toBe(c.chroma ?? 1);
      expect(sps.bitDepthLuma).toBe(c.bitDepth ?? 8);
      expect(sps.frameMbsOnly).toBe(c.frameMbsOnly ?? true);
      expect(sps.codedWidth % 16).toBe(0);
      expect(sps.codedHeight % 16).toBe(0);
    });
  }

  it('rejects every truncation and wrong nal type with a decode error, never a crash', () => {
    const sps = firstOfType(encodeH264('trunc', '642x362', [...yuv420, '-profile:v', 'high', '-x264-params', 'cqm=jvt']), AvcNalType.Sps);
    for (let n = 0; n < sps.length; n++) expectDecodeErrorOrValue(() => parseAvcSps(sps.subarray(0, n)));
    // Cut before the crop fields: the size cannot be known, so it must be an error.
    expect(() => parseAvcSps(sps.subarray(0, 6))).toThrow(TsrsError);
    const wrongType = Uint8Array.from(sps);
    wrongType[0] = 0x68;
    expect(() => parseAvcSps(wrongType)).toThrow(/nal type 8/);
  });

  it('survives random bytes behind an sps header', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 4 + (i % 40) }, rand);
      bytes[0] = 0x67;
      expectDecodeErrorOrValue(() => parseAvcSps(bytes));
    }
  });
});

describe('avc decoder configuration record', () => {
  let avcC: Uint8Array;
  beforeAll(() => {
    const file = join(dir, 'rec.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=854x480:rate=25', '-frames:v', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'main', '-level', '3.1', file]);
    avcC = mp4Box(readFileSync(file), 'avcC');
  });

  it('parses the avcC libx264 writes into MP4 (the same record an RTMP sequence header carries)', () => {
    const record = parseAvcDecoderConfigurationRecord(avcC);
    expect(record).toMatchObject({ version: 1, profileIdc: 77, levelIdc: 31, nalLengthSize: 4 });
    expect(record.sps).toHaveLength(1);
    expect(record.pps).toHaveLength(1);
    expect(avcNalType(record.sps[0]!)).toBe(AvcNalType.Sps);
    expect(avcNalType(record.pps[0]!)).toBe(AvcNalType.Pps);
    expect(avcVideoInfo(record)).toEqual({ codec: 'h264', profile: 'Main', level: '3.1', width: 854, height: 480 });
  });

  it('builds a record that parses back to the same parameter sets', () => {
    const record = parseAvcDecoderConfigurationRecord(avcC);
    const rebuilt = parseAvcDecoderConfigurationRecord(buildAvcDecoderConfigurationRecord(record.sps, record.pps, 2));
    expect(rebuilt.sps).toEqual(record.sps);
    expect(rebuilt.pps).toEqual(record.pps);
    expect(rebuilt.nalLengthSize).toBe(2);
    expect(rebuilt.profileIdc).toBe(77);
  });

  it('rejects every truncation, a bad version, a 3-byte NAL length and missing parameter sets', () => {
    for (let n = 0; n < avcC.length; n++) {
      // Only the cut inside trailing high-profile extension fields could parse; main has none.
      expect(() => parseAvcDecoderConfigurationRecord(avcC.subarray(0, n))).toThrow(TsrsError);
    }
    const bad = (patch: (b: Uint8Array) => void) => {
      const copy = Uint8Array.from(avcC);
      patch(copy);
      return () => parseAvcDecoderConfigurationRecord(copy);
    };
    expect(bad((b) => (b[0] = 2))).toThrow(/version 2/);
    expect(bad((b) => (b[4] = 0xfe))).toThrow(/NAL length size 3/);
    expect(bad((b) => (b[5] = 0xe0))).toThrow(TsrsError); // zero SPS: the PPS count byte is misread
    expect(() => parseAvcDecoderConfigurationRecord(Uint8Array.of(1, 77, 0, 31, 0xff, 0xe0, 0))).toThrow(/no sps/);
  });
});

describe('avc nal units', () => {
  it('finds IDR slices where libx264 put keyframes', () => {
    const stream = encodeH264('gop', '320x240', [...yuv420, '-x264-params', 'keyint=5:min-keyint=5:scenecut=0:bframes=0'], 10);
    const nalus = splitAnnexB(stream);
    const types = nalus.map(avcNalType);
    expect(types.filter((t) => t === AvcNalType.Idr)).toHaveLength(2);
    expect(types.filter((t) => t === AvcNalType.NonIdr)).toHaveLength(8);
    expect(nalus.filter(isAvcIdr)).toHaveLength(2);

    const avcc = annexBToLengthPrefixed(stream, 4);
    expect(avcHasIdr(avcc, 4)).toBe(true);
    const firstNonIdr = nalus.find((n) => avcNalType(n) === AvcNalType.NonIdr)!;
    expect(avcHasIdr(annexBToLengthPrefixed(Uint8Array.of(0, 0, 1, ...firstNonIdr), 4), 4)).toBe(false);
  });

  it('names profiles and levels as SRS does', () => {
    expect(avcProfileName(66)).toBe('Baseline');
    expect(avcProfileName(77)).toBe('Main');
    expect(avcProfileName(88)).toBe('Extended');
    expect(avcProfileName(100)).toBe('High');
    expect(avcProfileName(144)).toBe('High(444)');
    expect(avcProfileName(1)).toBe('Other');
    expect(avcLevelName(9)).toBe('1b');
    expect(avcLevelName(10)).toBe('1');
    expect(avcLevelName(13)).toBe('1.3');
    expect(avcLevelName(51)).toBe('5.1');
    expect(avcLevelName(0)).toBe('Other');
  });
});

/** Writes SPS syntax (u, ue, se) and emits a NAL unit with trailing bits and emulation prevention. */
class SpsWriter {
  private readonly bitList: number[] = [];
  u(count: number, value: number): this {
    for (let i = count - 1; i >= 0; i--) this.bitList.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }
  ue(value: number): this {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    return this.u(length, 0).u(length + 1, code);
  }
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }
  nal(header: number): Uint8Array {
    const bits = [...this.bitList, 1];
    while (bits.length % 8) bits.push(0);
    const rbsp: number[] = [];
    for (let i = 0; i < bits.length; i += 8) rbsp.push(parseInt(bits.slice(i, i + 8).join(''), 2));
    const out = [header];
    let zeros = 0;
    for (const byte of rbsp) {
      if (zeros >= 2 && byte <= 3) {
        out.push(3);
        zeros = 0;
      }
      out.push(byte);
      zeros = byte === 0 ? zeros + 1 : 0;
    }
    return Uint8Array.from(out);
  }
}

describe('avc sps syntax not produced by libx264', () => {
  it('reads past SPS scaling lists (explicit, and "use default" via a zero next scale)', () => {
    const w = new SpsWriter().u(8, 100).u(8, 0).u(8, 40).ue(0);
    w.ue(1).ue(0).ue(0).u(1, 0); // 4:2:0, 8 bit, no transform bypass
    w.u(1, 1); // seq_scaling_matrix_present_flag
    for (let i = 0; i < 8; i++) {
      if (i === 0) {
        w.u(1, 1);
        for (let j = 0; j < 16; j++) w.se(j % 2 ? 3 : -2);
      } else if (i === 6) {
        w.u(1, 1).se(-8); // 8 + -8 = 0: the default list, nothing more is read
      } else {
        w.u(1, 0);
      }
    }
    w.ue(0).ue(0).ue(2).ue(4).u(1, 0).ue(119).ue(67).u(1, 1).u(1, 1);
    w.u(1, 1).ue(0).ue(0).ue(0).ue(4).u(1, 0);
    const sps = parseAvcSps(w.nal(0x67));
    expect(sps).toMatchObject({ profileIdc: 100, levelIdc: 40, width: 1920, height: 1080, codedHeight: 1088 });
  });

  it('reads 12 scaling lists for 4:4:4, pic_order_cnt_type 1 and field coding', () => {
    const w = new SpsWriter().u(8, 244).u(8, 0).u(8, 30).ue(3);
    w.ue(3).u(1, 0).ue(2).ue(2).u(1, 1); // 4:4:4 planes together, 10 bit, bypass
    w.u(1, 1);
    for (let i = 0; i < 12; i++) {
      w.u(1, i % 5 === 0 ? 1 : 0);
      if (i % 5 === 0) for (let j = 0; j < (i < 6 ? 16 : 64); j++) w.se(1);
    }
    w.ue(1).ue(1).u(1, 0).se(-3).se(5).ue(3).se(1).se(-1).se(2); // poc type 1 with a 3-entry cycle
    w.ue(2).u(1, 0).ue(44).ue(17).u(1, 0).u(1, 1).u(1, 1); // 720 x (18 map units = 36 MB rows), mbaff
    w.u(1, 1).ue(0).ue(1).ue(0).ue(2).u(1, 0); // crop right 1 (x1), bottom 2 (x2 for fields)
    const sps = parseAvcSps(w.nal(0x67));
    expect(sps).toMatchObject({ chromaFormatIdc: 3, bitDepthLuma: 10, frameMbsOnly: false, spsId: 3 });
    expect({ width: sps.width, height: sps.height }).toEqual({ width: 719, height: 572 });
  });

  it('rejects values outside the syntax ranges', () => {
    expect(() => parseAvcSps(new SpsWriter().u(8, 66).u(8, 0).u(8, 30).ue(32).nal(0x67))).toThrow(/seq_parameter_set_id/);
    expect(() => parseAvcSps(new SpsWriter().u(8, 100).u(8, 0).u(8, 30).ue(0).ue(4).nal(0x67))).toThrow(/chroma_format_idc/);
    const base = () => new SpsWriter().u(8, 66).u(8, 0).u(8, 30).ue(0).ue(0);
    expect(() => parseAvcSps(base().ue(3).nal(0x67))).toThrow(/pic_order_cnt_type/);
    // Crop larger than the picture.
    const crop = base().ue(2).ue(1).u(1, 0).ue(0).ue(0).u(1, 1).u(1, 1).u(1, 1).ue(8).ue(0).ue(0).ue(0);
    expect(() => parseAvcSps(crop.nal(0x67))).toThrow(/cropping/);
  });
});
