/**
 * A demuxed PES into the frames it holds: one access unit for video (with whether it is a
 * random access point), one entry per ADTS or MPEG audio frame for audio, each audio frame
 * timed from the PES's PTS plus the samples before it.
 */
import { parseAdtsHeader } from '../../kernel/codec/aac.js';
import { parseMpegAudioFrameHeader } from '../../kernel/codec/mp3.js';
import { splitAnnexB } from '../../kernel/codec/nalu.js';
import { TS_CLOCK_HZ, TS_CLOCK_WRAP, TsStreamType } from './ts-constants.js';
import type { TsPes } from './ts-demuxer.js';
import { tsError } from './ts-error.js';

export interface TsDemuxedFrame {
  kind: 'video' | 'audio';
  codec: 'h264' | 'hevc' | 'aac' | 'mp3';
  /** 90 kHz, 33-bit. */
  pts: number;
  dts: number;
  keyframe: boolean;
  /** Video: the Annex B access unit. AAC: the ADTS frame, header included. MP3: the frame. */
  data: Uint8Array;
  /** AAC only: the raw frame without its ADTS header. */
  raw?: Uint8Array;
}

const AAC_SAMPLES_PER_FRAME = 1024;

/** Throws a TsrsError when the PES does not hold what its stream type promises. */
export function framesOfPes(pes: TsPes): TsDemuxedFrame[] {
  if (pes.pts === undefined) throw tsError(`pid ${pes.pid}: PES without a PTS`);
  const pts = pes.pts;
  const dts = pes.dts ?? pts;
  switch (pes.streamType) {
    case TsStreamType.H264:
    case TsStreamType.Hevc: {
      const hevc = pes.streamType === TsStreamType.Hevc;
      const keyframe = splitAnnexB(pes.data).some((nalu) => {
        const type = hevc ? (nalu[0]! >> 1) & 0x3f : nalu[0]! & 0x1f;
        return hevc ? type >= 16 && type <= 23 : type === 5;
      });
      return [{ kind: 'video', codec: hevc ? 'hevc' : 'h264', pts, dts, keyframe, data: pes.data }];
    }
    case TsStreamType.AacAdts:
      return adtsFrames(pes.data, pts);
    case TsStreamType.Mpeg1Audio:
    case TsStreamType.Mpeg2Audio:
      return mpegAudioFrames(pes.data, pts);
    default:
      throw tsError(`pid ${pes.pid}: stream type 0x${pes.streamType.toString(16)} is not supported`);
  }
}

function adtsFrames(data: Uint8Array, pts: number): TsDemuxedFrame[] {
  const frames: TsDemuxedFrame[] = [];
  let at = 0;
  let samples = 0;
  while (at < data.length) {
    const header = parseAdtsHeader(data, at);
    if (at + header.frameLength > data.length) throw tsError(`adts frame of ${header.frameLength} bytes runs past the PES`);
    const framePts = addTicks(pts, (samples * TS_CLOCK_HZ) / header.sampleRate);
    const frame = data.subarray(at, at + header.frameLength);
    frames.push({ kind: 'audio', codec: 'aac', pts: framePts, dts: framePts, keyframe: true, data: frame, raw: frame.subarray(header.headerLength) });
    samples += AAC_SAMPLES_PER_FRAME * header.rawDataBlocks;
    at += header.frameLength;
  }
  return frames;
}

function mpegAudioFrames(data: Uint8Array, pts: number): TsDemuxedFrame[] {
  const frames: TsDemuxedFrame[] = [];
  let at = 0;
  let samples = 0;
  while (at < data.length) {
    const header = parseMpegAudioFrameHeader(data, at);
    if (header.frameLength === 0) throw tsError('mpeg audio: free-format frames are not supported');
    if (at + header.frameLength > data.length) throw tsError(`mpeg audio frame of ${header.frameLength} bytes runs past the PES`);
    const framePts = addTicks(pts, (samples * TS_CLOCK_HZ) / header.sampleRate);
    frames.push({ kind: 'audio', codec: 'mp3', pts: framePts, dts: framePts, keyframe: true, data: data.subarray(at, at + header.frameLength) });
    samples += header.samplesPerFrame;
    at += header.frameLength;
  }
  return frames;
}

function addTicks(base: number, ticks: number): number {
  return (base + Math.round(ticks)) % TS_CLOCK_WRAP;
}
