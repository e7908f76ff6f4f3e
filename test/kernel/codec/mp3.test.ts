import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { mp3AudioInfo, parseMpegAudioFrameHeader } from '../../../src/kernel/codec/mp3.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-mp3-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function encodeMp3(name: string, args: string[]): Buffer {
  const file = join(dir, `${name}.mp3`);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1',
    '-c:a', 'libmp3lame', ...args, '-id3v2_version', '0', '-write_xing', '0', file,
  ]);
  return readFileSync(file);
}

describe('mpeg audio frame header', () => {
  it('MPEG-1 layer III 128 kbit/s 44100 Hz joint stereo (FF FB 90 64)', () => {
    const header = parseMpegAudioFrameHeader(Uint8Array.of(0xff, 0xfb, 0x90, 0x64));
    expect(header).toEqual({
      version: 1, layer: 3, crc: false, bitrate: 128000, sampleRate: 44100, padding: false,
      channelMode: 'joint-stereo', channels: 2, samplesPerFrame: 1152, frameLength: 417,
    });
    expect(mp3AudioInfo(header)).toEqual({ codec: 'mp3', profile: '', sampleRate: 44100, channels: 2 });
  });

  const cases = [
    { name: 'mpeg1', args: ['-ar', '44100', '-ac', '2', '-b:a', '128k'], version: 1, rate: 44100, channels: 2, bitrate: 128000, samples: 1152 },
    { name: 'mpeg2', args: ['-ar', '22050', '-ac', '1', '-b:a', '32k'], version: 2, rate: 22050, channels: 1, bitrate: 32000, samples: 576 },
    { name: 'mpeg25', args: ['-ar', '8000', '-ac', '1', '-b:a', '16k'], version: 2.5, rate: 8000, channels: 1, bitrate: 16000, samples: 576 },
  ];
  for (const c of cases) {
    it(`walks every frame of a libmp3lame ${c.name} file by frame length`, () => {
      const data = encodeMp3(c.name, c.args);
      let pos = 0;
      let frames = 0;
      while (pos < data.length) {
        const header = parseMpegAudioFrameHeader(data, pos);
        expect(header).toMatchObject({ version: c.version, layer: 3, sampleRate: c.rate, channels: c.channels, bitrate: c.bitrate, samplesPerFrame: c.samples });
        pos += header.frameLength;
        frames++;
      }
      expect(pos).toBe(data.length);
      expect(frames * c.samples).toBeGreaterThanOrEqual(c.rate);
    });
  }

  it('layers I and II frame lengths', () => {
    // MPEG-1 layer I, 384 kbit/s (index 12), 48000 Hz, padded: (12*384000/48000 + 1) * 4 = 388.
    expect(parseMpegAudioFrameHeader(Uint8Array.of(0xff, 0xff, 0xc6, 0xc0))).toMatchObject({ layer: 1, bitrate: 384000, frameLength: 388, channels: 1 });
    // MPEG-1 layer II, 192 kbit/s (index 10), 48000 Hz: 144*192000/48000 = 576.
    expect(parseMpegAudioFrameHeader(Uint8Array.of(0xff, 0xfd, 0xa4, 0x00))).toMatchObject({ layer: 2, bitrate: 192000, frameLength: 576, crc: false });
    // Free format: no bitrate, no length.
    expect(parseMpegAudioFrameHeader(Uint8Array.of(0xff, 0xfa, 0x00, 0x00))).toMatchObject({ bitrate: 0, frameLength: 0, crc: true });
  });

  it('rejects bad headers with decode errors', () => {
    const cases: Array<[number[], RegExp]> = [
      [[0xff, 0xfb, 0x90], /truncated/],
      [[0xfe, 0xfb, 0x90, 0x64], /sync/],
      [[0xff, 0x1b, 0x90, 0x64], /sync/],
      [[0xff, 0xeb, 0x90, 0x64], /reserved version/],
      [[0xff, 0xf9, 0x90, 0x64], /reserved layer/],
      [[0xff, 0xfb, 0xf0, 0x64], /bitrate index 15/],
      [[0xff, 0xfb, 0x9c, 0x64], /sample rate/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseMpegAudioFrameHeader(Uint8Array.from(bytes))).toThrow(message);
      expect(() => parseMpegAudioFrameHeader(Uint8Array.from(bytes))).toThrow(TsrsError);
    }
    expect(() => parseMpegAudioFrameHeader(Uint8Array.of(0xff, 0xfb, 0x90, 0x64), 1)).toThrow(/truncated/);
  });
});
