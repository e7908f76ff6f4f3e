/**
 * hls_dts_directly off: audio time from the sample count instead of the publisher's
 * millisecond timestamps, whose rounding and jitter make audio PES wobble (SRS's HLS AAC
 * jitter). The count restarts from the real timestamp when the two drift apart.
 */
import { parseAdtsHeader } from '../../kernel/codec/aac.js';
import { parseMpegAudioFrameHeader } from '../../kernel/codec/mp3.js';
import type { TsAudioFrame } from '../../protocol/mpegts/ts-muxer.js';
import { TS_CLOCK_HZ, TS_CLOCK_WRAP } from '../../protocol/mpegts/ts-constants.js';

/** Beyond this gap (90 kHz) the stream jumped or lost audio: trust the timestamp again. */
const MAX_DRIFT_TICKS = 9000;

export class AudioSampleClock {
  private basePts: number | undefined;
  private samples = 0;

  /** Rewrites frame.pts from the sample count; returns the frame. */
  retime(frame: TsAudioFrame): TsAudioFrame {
    const { sampleRate, samplesPerFrame } = frameFacts(frame);
    if (this.basePts !== undefined) {
      const expected = (this.basePts + Math.round((this.samples * TS_CLOCK_HZ) / sampleRate)) % TS_CLOCK_WRAP;
      if (Math.abs(expected - frame.pts) <= MAX_DRIFT_TICKS) {
        this.samples += samplesPerFrame;
        return { ...frame, pts: expected };
      }
    }
    this.basePts = frame.pts;
    this.samples = samplesPerFrame;
    return frame;
  }

  reset(): void {
    this.basePts = undefined;
    this.samples = 0;
  }
}

function frameFacts(frame: TsAudioFrame): { sampleRate: number; samplesPerFrame: number } {
  if (frame.codec === 'aac') {
    const header = parseAdtsHeader(frame.data);
    return { sampleRate: header.sampleRate, samplesPerFrame: 1024 * header.rawDataBlocks };
  }
  const header = parseMpegAudioFrameHeader(frame.data);
  return { sampleRate: header.sampleRate, samplesPerFrame: header.samplesPerFrame };
}
