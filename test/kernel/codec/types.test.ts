import { describe, expect, it } from 'vitest';
import {
  audioCodecFromFourcc,
  srsAudioCodecName,
  srsVideoCodecName,
  videoCodecFromFourcc,
} from '../../../src/kernel/codec/types.js';

describe('codec ids', () => {
  it('maps Enhanced RTMP / ISOBMFF FourCCs, case-sensitively, and nothing else', () => {
    expect(['avc1', 'hvc1', 'hev1', 'av01', 'vp09', 'vp08'].map(videoCodecFromFourcc)).toEqual(['h264', 'hevc', 'hevc', 'av1', 'vp9', 'vp8']);
    expect(['mp4a', '.mp3', 'Opus', 'ac-3', 'ec-3', 'fLaC'].map(audioCodecFromFourcc)).toEqual(['aac', 'mp3', 'opus', 'ac3', 'eac3', 'flac']);
    expect(videoCodecFromFourcc('AVC1')).toBeUndefined();
    expect(videoCodecFromFourcc('toString')).toBeUndefined();
    expect(audioCodecFromFourcc('opus')).toBeUndefined();
  });

  it('names codecs as SRS reports them in its HTTP API', () => {
    expect(srsVideoCodecName('h264')).toBe('H264');
    expect(srsVideoCodecName('hevc')).toBe('H265');
    expect(srsVideoCodecName('av1')).toBe('AV1');
    expect(srsAudioCodecName('aac')).toBe('AAC');
    expect(srsAudioCodecName('mp3')).toBe('MP3');
    expect(srsAudioCodecName('opus')).toBe('Opus');
  });
});
