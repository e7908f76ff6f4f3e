import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  aacAudioInfo,
  buildAdtsHeader,
  buildAudioSpecificConfig,
  parseAdtsHeader,
  parseAudioSpecificConfig,
} from '../../../src/kernel/codec/aac.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-aac-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('AudioSpecificConfig', () => {
  it('LC 44100 Hz stereo (0x12 0x10, what most encoders send)', () => {
    const config = parseAudioSpecificConfig(Uint8Array.of(0x12, 0x10));
    expect(config).toMatchObject({ objectType: 2, profile: 'LC', sampleRateIndex: 4, sampleRate: 44100, channelConfig: 2, channels: 2 });
    expect(aacAudioInfo(config)).toEqual({ codec: 'aac', profile: 'LC', sampleRate: 44100, channels: 2 });
  });

  it('LC 48000 Hz mono and Main 8000 Hz 7.1', () => {
    expect(parseAudioSpecificConfig(Uint8Array.of(0x11, 0x88))).toMatchObject({ profile: 'LC', sampleRate: 48000, channels: 1 });
    const main = parseAudioSpecificConfig(buildAudioSpecificConfig(1, 8000, 7));
    expect(main).toMatchObject({ objectType: 1, profile: 'Main', sampleRate: 8000, channelConfig: 7, channels: 8 });
  });

  it('HE-AAC with explicit SBR signalling: core rate plus extension rate', () => {
    // 00101 (SBR) 0110 (24000) 0010 (stereo) 0011 (48000) 00010 (LC core)
    const config = parseAudioSpecificConfig(Uint8Array.of(0x2b, 0x11, 0x88));
    expect(config).toMatchObject({ objectType: 5, profile: 'HE', sampleRate: 24000, channels: 2, extensionSampleRate: 48000, coreObjectType: 2 });
  });

  it('HE-AAC v2 (PS) over a mono core', () => {
    // 11101 (PS) 0110 (24000) 0001 (mono) 0011 (48000) 00010 (LC core)
    const config = parseAudioSpecificConfig(Uint8Array.of(0xeb, 0x09, 0x88));
    expect(config).toMatchObject({ objectType: 29, profile: 'HEv2', sampleRate: 24000, channels: 1, extensionSampleRate: 48000 });
  });

  it('an explicit 24-bit sample rate (index 0xF) round-trips', () => {
    const bytes = buildAudioSpecificConfig(2, 44000, 2);
    expect(bytes).toHaveLength(5);
    expect(parseAudioSpecificConfig(bytes)).toMatchObject({ sampleRateIndex: 15, sampleRate: 44000, channels: 2, profile: 'LC' });
    // A standard rate gets the 2-byte form.
    expect(Array.from(buildAudioSpecificConfig(2, 44100, 2))).toEqual([0x12, 0x10]);
  });

  it('an escaped object type (31 + 6 bits)', () => {
    // 11111 001010 (32 + 10 = 42) 0100 (44100) 0010
    expect(parseAudioSpecificConfig(Uint8Array.of(0xf9, 0x48, 0x40))).toMatchObject({ objectType: 42, profile: 'Other', sampleRate: 44100 });
  });

  it('rejects short, reserved and invalid configs with decode errors', () => {
    const cases: Array<[number[], RegExp]> = [
      [[], /too short/],
      [[0x12], /too short/],
      [[0x00, 0x10], /object type 0/],
      [[0x16, 0x90], /index 13 is reserved/],
      [[0x12, 0x40], /channel configuration 8/],
      [[0x17, 0x80, 0x00], /truncated/], // explicit rate needs 24 more bits
      [[0x2b, 0x11], /truncated/], // HE without its extension fields
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseAudioSpecificConfig(Uint8Array.from(bytes))).toThrow(message);
      expect(() => parseAudioSpecificConfig(Uint8Array.from(bytes))).toThrow(TsrsError);
    }
  });
});

describe('ADTS', () => {
  it('builds the standard header for LC 44100 stereo', () => {
    const header = buildAdtsHeader(parseAudioSpecificConfig(Uint8Array.of(0x12, 0x10)), 100);
    expect(Buffer.from(header).toString('hex')).toBe('fff150800d7ffc');
    expect(parseAdtsHeader(header)).toMatchObject({ objectType: 2, sampleRate: 44100, channelConfig: 2, frameLength: 107, headerLength: 7 });
  });

  it('writes HE-AAC as its LC core and maps an explicit standard rate to its index', () => {
    const he = parseAdtsHeader(buildAdtsHeader(parseAudioSpecificConfig(Uint8Array.of(0x2b, 0x11, 0x88)), 10));
    expect(he).toMatchObject({ objectType: 2, sampleRate: 24000, channelConfig: 2 });
    const explicit = parseAudioSpecificConfig(Uint8Array.of(0x17, 0x80, 0x56, 0x22, 0x10)); // 0xF + 44100
    expect(explicit.sampleRate).toBe(44100);
    expect(parseAdtsHeader(buildAdtsHeader(explicit, 10)).sampleRateIndex).toBe(4);
    expect(() => buildAdtsHeader(parseAudioSpecificConfig(buildAudioSpecificConfig(2, 44000, 2)), 10)).toThrow(/no ADTS index/);
    expect(() => buildAdtsHeader(parseAudioSpecificConfig(Uint8Array.of(0x12, 0x10)), 8185)).toThrow(/too long/);
    expect(() => buildAdtsHeader(parseAudioSpecificConfig(Uint8Array.of(0xf9, 0x48, 0x40)), 10)).toThrow(/no ADTS profile/);
  });

  it('matches the ADTS headers ffmpeg writes, frame by frame', () => {
    const file = join(dir, 'a.aac');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1:sample_rate=48000', '-ac', '2', '-c:a', 'aac', '-f', 'adts', file]);
    const data = readFileSync(file);
    let pos = 0;
    let frames = 0;
    while (pos < data.length) {
      const header = parseAdtsHeader(data, pos);
      expect(header).toMatchObject({ objectType: 2, sampleRate: 48000, channelConfig: 2, headerLength: 7 });
      const config = parseAudioSpecificConfig(buildAudioSpecificConfig(header.objectType, header.sampleRate, header.channelConfig));
      const built = buildAdtsHeader(config, header.frameLength - 7);
      expect(Buffer.from(built).equals(data.subarray(pos, pos + 7))).toBe(true);
      pos += header.frameLength;
      frames++;
    }
    expect(pos).toBe(data.length);
    expect(frames).toBeGreaterThan(45); // 1 s at 48 kHz is ~47 frames of 1024 samples
  });

  it('rejects bad ADTS headers', () => {
    expect(() => parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x50))).toThrow(/truncated/);
    expect(() => parseAdtsHeader(Uint8Array.of(0xff, 0x01, 0x50, 0x80, 0x0d, 0x7f, 0xfc))).toThrow(/syncword/);
    expect(() => parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x74, 0x80, 0x0d, 0x7f, 0xfc))).toThrow(/reserved/);
    expect(() => parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x50, 0x80, 0x00, 0x7f, 0xfc))).toThrow(/shorter than its header/);
  });
});
