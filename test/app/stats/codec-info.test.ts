import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsrsError } from '../../../src/core/errors.js';
import { FlvReader, type FlvTag } from '../../../src/protocol/flv/reader.js';
import { audioInfoOf, videoInfoOf } from '../../../src/app/stats/codec-info.js';

const dir = mkdtempSync(join(tmpdir(), 'tsrs-stats-'));

function ffmpeg(args: string[], out: string): Buffer {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, join(dir, out)]);
  return readFileSync(join(dir, out));
}

function tags(flv: Buffer): FlvTag[] {
  return new FlvReader().feed(flv);
}

/** The enhanced RTMP sequence start of an HEVC stream: [IsExHeader|Key|SequenceStart] 'hvc1' hvcC. */
function hevcSequenceStart(mp4: Buffer): Buffer {
  const at = mp4.indexOf('hvcC', 0, 'latin1');
  const size = mp4.readUInt32BE(at - 4);
  return Buffer.concat([Buffer.from([0x90]), Buffer.from('hvc1', 'latin1'), mp4.subarray(at + 4, at - 4 + size)]);
}

describe('codec facts from sequence headers', () => {
  let avcHeader: Buffer;
  let aacHeader: Buffer;
  let avcFrame: Buffer;
  let mp3Frame: Buffer;
  let hevcHeader: Buffer;

  beforeAll(() => {
    const av = tags(ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=352x288:rate=10', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '0.5',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-profile:v', 'main', '-level', '3.1', '-c:a', 'aac', '-ac', '2', '-f', 'flv'], 'av.flv'));
    avcHeader = av.find((t) => t.type === 9 && t.data[1] === 0)!.data;
    avcFrame = av.find((t) => t.type === 9 && t.data[1] === 1)!.data;
    aacHeader = av.find((t) => t.type === 8 && t.data[1] === 0)!.data;
    const mp3 = tags(ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=22050', '-t', '0.3', '-c:a', 'libmp3lame', '-ac', '1', '-f', 'flv'], 'a.flv'));
    mp3Frame = mp3.find((t) => t.type === 8)!.data;
    hevcHeader = hevcSequenceStart(ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-frames:v', '1', '-c:v', 'libx265', '-x265-params', 'log-level=error', '-f', 'mp4'], 'h.mp4'));
  });

  it('reads H.264 profile, level and size from the AVC record', () => {
    expect(videoInfoOf(avcHeader)).toEqual({ codec: 'H264', profile: 'Main', level: '3.1', width: 352, height: 288 });
    // Frames carry no record: nothing to say.
    expect(videoInfoOf(avcFrame)).toBeUndefined();
  });

  it('reads HEVC from an Enhanced RTMP sequence start', () => {
    expect(videoInfoOf(hevcHeader)).toMatchObject({ codec: 'H265', width: 64, height: 48 });
  });

  it('reads AAC from the AudioSpecificConfig and MP3 from its tag header', () => {
    expect(audioInfoOf(aacHeader)).toEqual({ codec: 'AAC', sample_rate: 48000, channel: 2, profile: 'LC' });
    expect(audioInfoOf(mp3Frame)).toEqual({ codec: 'MP3', sample_rate: 22050, channel: 1, profile: 'Other' });
  });

  it('names codecs without a record (VP6) and ignores unknown ones', () => {
    expect(videoInfoOf(Buffer.from([0x14, 0, 0, 0]))).toEqual({ codec: 'VP6', profile: 'Other', level: 'Other', width: 0, height: 0 });
    expect(videoInfoOf(Buffer.from([0x1f, 0, 0]))).toBeUndefined();
  });

  it('throws a coded error for every truncation and corruption of a record, never anything else', () => {
    for (const header of [avcHeader, aacHeader, hevcHeader]) {
      const read = header === aacHeader ? audioInfoOf : videoInfoOf;
      for (let n = 0; n < header.length; n++) {
        try {
          read(header.subarray(0, n));
        } catch (err) {
          expect(err).toBeInstanceOf(TsrsError);
        }
      }
    }
    expect(() => videoInfoOf(Buffer.from([0x17, 0, 0, 0, 0, 2, 0x64]))).toThrow(TsrsError);
    expect(() => audioInfoOf(Buffer.from([0xaf, 0x00, 0x00]))).toThrow(TsrsError);
    expect(() => videoInfoOf(Buffer.alloc(0))).toThrow(TsrsError);
  });
});
