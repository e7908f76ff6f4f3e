import { describe, expect, it } from 'vitest';
import { AudioSampleClock } from '../../../src/app/hls/audio-time.js';
import type { TsAudioFrame } from '../../../src/protocol/mpegts/ts-muxer.js';

// ADTS header: LC, 44.1 kHz, stereo, 20-byte frame.
const adts = Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x9f, 0xfc, ...new Array(13).fill(0)]);
const frame = (ms: number): TsAudioFrame => ({ kind: 'audio', codec: 'aac', pts: ms * 90, data: adts });
const TICKS_PER_FRAME = (1024 * 90000) / 44100;

describe('AudioSampleClock (hls_dts_directly off)', () => {
  it('times AAC frames by sample count instead of jittery millisecond stamps', () => {
    const clock = new AudioSampleClock();
    const stamps = [1000, 1023, 1046, 1070, 1093, 1116];
    const pts = stamps.map((ms) => clock.retime(frame(ms)).pts);
    expect(pts).toEqual(stamps.map((_, i) => 90_000 + Math.round(i * TICKS_PER_FRAME)));
  });

  it('restarts from the real timestamp after a jump', () => {
    const clock = new AudioSampleClock();
    clock.retime(frame(0));
    clock.retime(frame(23));
    expect(clock.retime(frame(5000)).pts).toBe(450_000);
    expect(clock.retime(frame(5023)).pts).toBe(450_000 + Math.round(TICKS_PER_FRAME));
    clock.reset();
    expect(clock.retime(frame(7)).pts).toBe(630);
  });

  it('uses the MP3 frame header for MPEG audio', () => {
    const clock = new AudioSampleClock();
    // MPEG-1 layer 3, 128 kbit/s, 44.1 kHz: 1152 samples per frame.
    const mp3 = Buffer.from([0xff, 0xfb, 0x90, 0x64]);
    const at = (ms: number): TsAudioFrame => ({ kind: 'audio', codec: 'mp3', pts: ms * 90, data: mp3 });
    clock.retime(at(0));
    expect(clock.retime(at(27)).pts).toBe(Math.round((1152 * 90000) / 44100));
  });
});
