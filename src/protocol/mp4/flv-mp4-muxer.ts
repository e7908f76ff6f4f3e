/**
 * FLV tag bodies (RTMP audio/video payloads) into an MP4 file: sequence headers become sample
 * entries, coded frames become samples. H.264 and H.265 (classic and Enhanced RTMP headers),
 * AAC and MP3 are stored; anything else is refused with an error the caller logs.
 *
 * Times arrive in milliseconds. Video uses a 90 kHz timescale (exact for ms, and what players
 * expect); audio uses its sample rate, so AAC frames get their natural 1024-tick durations.
 * Time zero is the first sample of either track; the other track starts behind an empty edit.
 */
import { parseAudioSpecificConfig } from '../../kernel/codec/aac.js';
import { avcVideoInfo, parseAvcDecoderConfigurationRecord } from '../../kernel/codec/avc.js';
import { hevcVideoInfo, parseHevcDecoderConfigurationRecord } from '../../kernel/codec/hevc.js';
import { parseMpegAudioFrameHeader } from '../../kernel/codec/mp3.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { audioTagData, parseAudioTag } from '../flv/audio.js';
import { parseVideoTag, videoTagData } from '../flv/video.js';
import { mp4Error } from './mp4-error.js';
import { Mp4Muxer, type Mp4Finish } from './mp4-muxer.js';
import { ObjectTypeIndication, type AudioSampleEntry, type VideoSampleEntry } from './sample-entry.js';

export const VIDEO_TIMESCALE = 90000;
/** A 25 fps frame, for a lone last video sample. */
const DEFAULT_VIDEO_FRAME_MS = 40;

interface TrackState<E> {
  /** The configuration waiting for the next frame (a new sequence header). */
  pending: E | undefined;
  trackId: number | undefined;
  timescale: number;
}

export class FlvMp4Muxer {
  private readonly mp4: Mp4Muxer;
  private readonly video: TrackState<VideoSampleEntry> = { pending: undefined, trackId: undefined, timescale: VIDEO_TIMESCALE };
  private readonly audio: TrackState<AudioSampleEntry> = { pending: undefined, trackId: undefined, timescale: 0 };
  private audioFrameSamples = 1024;
  private baseMs: number | undefined;
  private lastMs = 0;

  constructor(created = new Date()) {
    this.mp4 = new Mp4Muxer(created);
  }

  get size(): number {
    return this.mp4.size;
  }

  get sampleCount(): number {
    return this.mp4.sampleCount;
  }

  /** Milliseconds from the first sample to the last one written. */
  get durationMs(): number {
    return this.baseMs === undefined ? 0 : this.lastMs - this.baseMs;
  }

  start(): Buffer {
    return this.mp4.start();
  }

  /**
   * Takes one packet; returns the bytes to append to the file (undefined when the packet only
   * configures a track or carries nothing to store). Throws TsrsError on unusable media; the
   * muxer stays usable for the next packet.
   */
  write(packet: MediaPacket): Uint8Array | undefined {
    if (packet.kind === 'video') return this.writeVideo(packet);
    if (packet.kind === 'audio') return this.writeAudio(packet);
    return undefined; // script data has no place in MP4
  }

  finish(): Mp4Finish {
    return this.mp4.finish();
  }

  private writeVideo(packet: MediaPacket): Uint8Array | undefined {
    const tag = parseVideoTag(packet.payload);
    const data = videoTagData(packet.payload, tag);
    if (tag.isSequenceHeader) {
      this.video.pending = videoEntry(tag.codec, data);
      return undefined;
    }
    if (tag.packetType !== 'coded-frames' || data.length === 0) return undefined;
    const trackId = this.activate(this.video, 'video', DEFAULT_VIDEO_FRAME_MS * (VIDEO_TIMESCALE / 1000));
    if (trackId === undefined) throw mp4Error(`video frame at ${packet.timestamp} ms before any sequence header`);
    const dts = this.ticks(packet.timestamp, VIDEO_TIMESCALE);
    const cts = tag.compositionTime * (VIDEO_TIMESCALE / 1000);
    return this.mp4.writeSample(trackId, data, dts, cts, tag.isKeyframe);
  }

  private writeAudio(packet: MediaPacket): Uint8Array | undefined {
    const tag = parseAudioTag(packet.payload);
    const data = audioTagData(packet.payload, tag);
    if (tag.codec === 'aac') {
      if (tag.isSequenceHeader) {
        const config = parseAudioSpecificConfig(data);
        this.audio.pending = {
          kind: 'audio',
          format: 'mp4a',
          channels: config.channels || 2,
          sampleRate: config.sampleRate,
          objectTypeIndication: ObjectTypeIndication.Aac,
          decoderSpecificInfo: Uint8Array.from(data),
        };
        this.audioFrameSamples = 1024;
        return undefined;
      }
    } else if (tag.codec === 'mp3') {
      if (data.length === 0) return undefined;
      if (this.audio.trackId === undefined && this.audio.pending === undefined) {
        const header = parseMpegAudioFrameHeader(data);
        this.audioFrameSamples = header.samplesPerFrame;
        this.audio.pending = {
          kind: 'audio',
          format: 'mp4a',
          channels: header.channels,
          sampleRate: header.sampleRate,
          objectTypeIndication: ObjectTypeIndication.Mp3,
        };
      }
    } else {
      throw mp4Error(`audio codec ${tag.codec ?? `format ${tag.soundFormat}`} cannot be stored in MP4 by tsrs`);
    }
    if (tag.packetType !== 'coded-frames' || data.length === 0) return undefined;
    const trackId = this.activate(this.audio, 'audio', this.audioFrameSamples);
    if (trackId === undefined) throw mp4Error(`audio frame at ${packet.timestamp} ms before any sequence header`);
    const dts = this.ticks(packet.timestamp, this.audio.timescale);
    return this.mp4.writeSample(trackId, data, dts, 0, true);
  }

  /** The track for the next sample: created on first use, switched when a new config arrived. */
  private activate<E extends VideoSampleEntry | AudioSampleEntry>(
    state: TrackState<E>,
    kind: 'video' | 'audio',
    fallbackDuration: number,
  ): number | undefined {
    const pending = state.pending;
    if (pending) {
      state.pending = undefined;
      if (state.trackId === undefined) {
        if (pending.kind === 'audio') state.timescale = pending.sampleRate;
        state.trackId = this.mp4.addTrack(kind, state.timescale, pending, fallbackDuration);
      } else {
        this.mp4.setSampleEntry(state.trackId, pending);
      }
    }
    return state.trackId;
  }

  private ticks(ms: number, timescale: number): number {
    if (!Number.isFinite(ms)) throw mp4Error(`timestamp ${ms} is not finite`);
    this.baseMs ??= ms;
    this.lastMs = Math.max(this.lastMs, ms);
    return Math.round(((ms - this.baseMs) * timescale) / 1000);
  }
}

function videoEntry(codec: string | undefined, record: Uint8Array): VideoSampleEntry {
  const copy = Uint8Array.from(record);
  if (codec === 'h264') {
    const info = sizeOf(() => avcVideoInfo(parseAvcDecoderConfigurationRecord(copy)), () => parseAvcDecoderConfigurationRecord(copy));
    return { kind: 'video', format: 'avc1', ...info, record: copy };
  }
  if (codec === 'hevc') {
    const info = sizeOf(() => hevcVideoInfo(parseHevcDecoderConfigurationRecord(copy)), () => parseHevcDecoderConfigurationRecord(copy));
    return { kind: 'video', format: 'hvc1', ...info, record: copy };
  }
  throw mp4Error(`video codec ${codec ?? 'unknown'} cannot be stored in MP4 by tsrs`);
}

/**
 * The picture size from the record's SPS. The record itself must parse (a decoder needs it);
 * an SPS this parser cannot read only loses the size hint in tkhd, so it falls back to 0x0.
 */
function sizeOf(info: () => { width: number; height: number }, record: () => unknown): { width: number; height: number } {
  record();
  try {
    const { width, height } = info();
    return { width, height };
  } catch {
    return { width: 0, height: 0 };
  }
}
