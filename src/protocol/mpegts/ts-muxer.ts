/**
 * The MPEG-TS muxer HLS segments and HTTP-TS streams are written with: one program, SRS's
 * PIDs, PAT/PMT on demand (each segment starts with them), one PES per video access unit with
 * the PCR in its first packet, and audio frames merged into fewer PES (as SRS does) to save
 * the per-PES overhead that dominates 200-byte AAC frames.
 * Input frames are already in their TS form (Annex B video, ADTS/MP3 audio); see flv-to-ts.ts.
 */
import { buildPesHeader } from './pes.js';
import { buildPatSection, buildPmtSection, type PmtStream } from './psi.js';
import {
  PesStreamId,
  TsPid,
  audioStreamType,
  videoStreamType,
  type TsAudioCodec,
  type TsVideoCodec,
} from './ts-constants.js';
import { TsPacketizer } from './ts-packetizer.js';

export interface TsVideoFrame {
  kind: 'video';
  codec: TsVideoCodec;
  /** 90 kHz, wrapped to 33 bits. */
  pts: number;
  dts: number;
  /** The access unit in Annex B form. */
  data: Uint8Array;
  /** A random access point (IDR/IRAP). */
  keyframe: boolean;
}

export interface TsAudioFrame {
  kind: 'audio';
  codec: TsAudioCodec;
  /** 90 kHz, wrapped to 33 bits. */
  pts: number;
  /** One ADTS frame (AAC) or MPEG audio frame (MP3). */
  data: Uint8Array;
}

export type TsFrame = TsVideoFrame | TsAudioFrame;

export interface TsMuxerOptions {
  /** Audio is merged into one PES until it spans this many 90 kHz ticks; 0 = one PES per frame. */
  audioMergeTicks?: number;
  /** ...or holds this many bytes. */
  audioMergeBytes?: number;
}

/** SRS merges about 100 ms of audio per PES (its aac delay); a PES stays well under 64 KiB. */
const DEFAULT_AUDIO_MERGE_TICKS = 9000;
const DEFAULT_AUDIO_MERGE_BYTES = 32 * 1024;

export class TsMuxer {
  private readonly packetizer = new TsPacketizer();
  private readonly audioMergeTicks: number;
  private readonly audioMergeBytes: number;
  private video: TsVideoCodec | undefined;
  private audio: TsAudioCodec | undefined;
  private tablesVersion = 0;
  /** The streams in the last PMT written; a frame of another codec rewrites the tables. */
  private tablesWritten = false;
  private writtenVideo: TsVideoCodec | undefined;
  private writtenAudio: TsAudioCodec | undefined;
  private audioCache: Uint8Array[] = [];
  private audioCacheBytes = 0;
  private audioCachePts = 0;
  private audioCacheLastPts = 0;
  private audioCacheCodec: TsAudioCodec | undefined;

  constructor(options: TsMuxerOptions = {}) {
    this.audioMergeTicks = options.audioMergeTicks ?? DEFAULT_AUDIO_MERGE_TICKS;
    this.audioMergeBytes = options.audioMergeBytes ?? DEFAULT_AUDIO_MERGE_BYTES;
  }

  /** Declares the streams the next PMT lists. A change takes effect at the next writeTables(). */
  setStreams(video: TsVideoCodec | undefined, audio: TsAudioCodec | undefined): void {
    this.video = video;
    this.audio = audio;
  }

  get videoCodec(): TsVideoCodec | undefined {
    return this.video;
  }

  get audioCodec(): TsAudioCodec | undefined {
    return this.audio;
  }

  /** PAT and PMT, as every segment starts. */
  writeTables(): Buffer[] {
    if (this.tablesWritten && (this.writtenVideo !== this.video || this.writtenAudio !== this.audio)) {
      this.tablesVersion = (this.tablesVersion + 1) & 0x1f;
    }
    this.tablesWritten = true;
    this.writtenVideo = this.video;
    this.writtenAudio = this.audio;
    const streams: PmtStream[] = [];
    if (this.video) streams.push({ streamType: videoStreamType(this.video), pid: TsPid.Video });
    if (this.audio) streams.push({ streamType: audioStreamType(this.audio), pid: TsPid.Audio });
    return [
      this.packetizer.packetizeSection(TsPid.Pat, buildPatSection(TsPid.Pmt, this.tablesVersion)),
      this.packetizer.packetizeSection(TsPid.Pmt, buildPmtSection(this.pcrPid(), streams, this.tablesVersion)),
    ];
  }

  /** Video goes out at once; audio may be held for merging (flushAudio() forces it out). */
  writeFrame(frame: TsFrame): Buffer[] {
    const out: Buffer[] = [];
    if (frame.kind === 'video') {
      this.ensureStream(out, frame.codec, this.audio);
      out.push(this.videoPes(frame));
      return out;
    }
    if (this.audioCache.length > 0 && (frame.codec !== this.audioCacheCodec || frame.pts < this.audioCacheLastPts)) {
      out.push(...this.flushAudio());
    }
    this.ensureStream(out, this.video, frame.codec);
    if (this.audioCache.length === 0) {
      this.audioCachePts = frame.pts;
      this.audioCacheCodec = frame.codec;
    }
    this.audioCache.push(frame.data);
    this.audioCacheBytes += frame.data.length;
    this.audioCacheLastPts = frame.pts;
    const span = frame.pts - this.audioCachePts;
    if (span >= this.audioMergeTicks || this.audioCacheBytes >= this.audioMergeBytes) out.push(...this.flushAudio());
    return out;
  }

  /** Writes any held audio as one PES; call before cutting a segment. */
  flushAudio(): Buffer[] {
    if (this.audioCache.length === 0) return [];
    const pieces = this.audioCache;
    const length = this.audioCacheBytes;
    this.audioCache = [];
    this.audioCacheBytes = 0;
    const timing = { pts: this.audioCachePts, dts: this.audioCachePts };
    const header = buildPesHeader(PesStreamId.Audio, timing, length, false);
    // Without video the audio PID carries the clock.
    const pcr = this.video ? undefined : this.audioCachePts;
    return [this.packetizer.packetizePes(TsPid.Audio, [header, ...pieces], { pcr, randomAccess: !this.video })];
  }

  private videoPes(frame: TsVideoFrame): Buffer {
    const header = buildPesHeader(PesStreamId.Video, frame, frame.data.length, true);
    // SRS's PCR is the DTS; carrying it on every video PES keeps the interval far under 100 ms.
    return this.packetizer.packetizePes(TsPid.Video, [header, frame.data], {
      pcr: frame.dts,
      randomAccess: frame.keyframe,
    });
  }

  /** A frame of a stream the last PMT did not list: update the tables before it. */
  private ensureStream(out: Buffer[], video: TsVideoCodec | undefined, audio: TsAudioCodec | undefined): void {
    if (this.tablesWritten && video === this.writtenVideo && audio === this.writtenAudio) return;
    if (this.audioCache.length > 0 && audio !== this.writtenAudio) out.push(...this.flushAudio());
    this.video = video;
    this.audio = audio;
    out.push(...this.writeTables());
  }

  private pcrPid(): number {
    return this.video || !this.audio ? TsPid.Video : TsPid.Audio;
  }
}
