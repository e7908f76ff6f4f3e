/**
 * HLS for one live stream (SRS's SrsHls + SrsHlsController): turns the source's packets into
 * TS frames and decides where segments begin.
 * - A stream with video starts a segment at a keyframe once the open one reached hls_fragment
 *   (or at any frame when hls_wait_keyframe is off); audio before the first keyframe is dropped
 *   so every segment can be decoded alone.
 * - A pure-audio stream cuts at hls_fragment * hls_aof_ratio, as SRS does.
 * - Unpublish closes the last segment; hls_dispose seconds later every file goes, unless the
 *   stream came back. Until then the output stays active, which keeps the source (and the
 *   playlist's sequence) alive for a republish.
 * Timing comes from media timestamps only, so feeding packets faster than real time is fine.
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { FlvToTsConverter } from '../../protocol/mpegts/flv-to-ts.js';
import type { TsAudioCodec, TsVideoCodec } from '../../protocol/mpegts/ts-constants.js';
import type { TsFrame } from '../../protocol/mpegts/ts-muxer.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { AudioSampleClock } from './audio-time.js';
import { HlsMuxer } from './hls-muxer.js';
import type { HlsOptions } from './options.js';

/** SRS will not cut a segment shorter than this (2 x its 100 ms minimum). */
const MIN_SEGMENT_MS = 200;
/** A segment holding this much without a cut point is cut anyway: memory stays bounded. */
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Malformed payloads are logged this many times per publish, then counted silently. */
const MAX_LOGGED_ERRORS = 5;

export class HlsOutput implements SourceOutput {
  private muxer: HlsMuxer | undefined;
  private converter = new FlvToTsConverter();
  private readonly audioClock = new AudioSampleClock();
  private publishing = false;
  private primed = false;
  private hadSession = false;
  private closed = false;
  private disposeTimer: NodeJS.Timeout | undefined;
  private lastAudioCodec: TsAudioCodec | undefined;
  private segmentVideoCodec: TsVideoCodec | undefined;
  private errors = 0;

  constructor(readonly options: HlsOptions) {}

  /** The playlist and files of the stream, once it was published. */
  get files(): { m3u8Path: string; m3u8Url: string } | undefined {
    return this.muxer ? { m3u8Path: this.muxer.m3u8Path, m3u8Url: this.muxer.m3u8Url } : undefined;
  }

  onPublish(source: LiveSource): void {
    if (this.closed) return;
    this.cancelDispose();
    if (!this.muxer) {
      try {
        this.muxer = new HlsMuxer({ vhost: source.vhost, app: source.app, stream: source.stream }, this.options);
      } catch (err) {
        log.error(`hls ${source.url}: disabled: ${describeError(err)}`);
        return;
      }
    }
    if (this.hadSession) this.muxer.restart(this.options.continuous);
    this.hadSession = true;
    this.publishing = true;
    this.primed = false;
    this.converter = new FlvToTsConverter();
    this.audioClock.reset();
    this.lastAudioCodec = undefined;
    this.segmentVideoCodec = undefined;
    this.errors = 0;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    if (!this.publishing) {
      // Attached to a stream already publishing: start as if it had just begun.
      if (this.closed || !source.isPublishing || this.hadSession) return;
      this.onPublish(source);
      if (!this.publishing) return;
    }
    if (!this.primed) this.prime(packet, source);
    const frame = this.convert(packet, source);
    if (!frame) return;
    const muxer = this.muxer!;
    const ts = packet.timestamp;
    if (!this.cutBefore(frame, ts, muxer)) return;
    muxer.write(frame, ts);
  }

  onUnpublish(): void {
    if (!this.publishing) return;
    this.publishing = false;
    this.muxer?.close();
    if (this.muxer && this.options.dispose > 0 && !this.closed) {
      const muxer = this.muxer;
      this.disposeTimer = setTimeout(() => {
        this.disposeTimer = undefined;
        log.trace(`hls ${muxer.m3u8Url}: disposed ${this.options.dispose}s after unpublish`);
        muxer.removeAll();
      }, this.options.dispose * 1000);
      this.disposeTimer.unref();
    }
  }

  isActive(): boolean {
    return this.publishing || this.disposeTimer !== undefined;
  }

  /** Source freed or server stopping: the open segment is finished, files stay. */
  close(): void {
    if (this.closed) return;
    if (this.publishing) this.muxer?.close();
    this.publishing = false;
    this.closed = true;
    this.cancelDispose();
  }

  /** Resolves once every file written or removed so far is done (tests, graceful shutdown). */
  flushed(): Promise<void> {
    return this.muxer ? this.muxer.files.idle() : Promise.resolve();
  }

  /** Sequence headers that went by before this output was attached. */
  private prime(packet: MediaPacket, source: LiveSource): void {
    this.primed = true;
    for (const header of [source.videoSequenceHeader, source.audioSequenceHeader]) {
      if (header && header !== packet) this.convert(header, source);
    }
  }

  private convert(packet: MediaPacket, source: LiveSource): TsFrame | undefined {
    if (packet.kind === 'data') return undefined;
    if (packet.kind === 'video' && this.options.vcodec === 'vn') return undefined;
    if (packet.kind === 'audio' && this.options.acodec === 'an') return undefined;
    let frame: TsFrame | undefined;
    try {
      frame = this.converter.convert(packet);
      if (frame?.kind === 'audio') {
        this.lastAudioCodec = frame.codec;
        if (!this.options.dtsDirectly) frame = this.audioClock.retime(frame);
      }
    } catch (err) {
      if (++this.errors <= MAX_LOGGED_ERRORS) {
        log.warn(`hls ${source.url}: ${packet.kind} packet at ${packet.timestamp} skipped: ${describeError(err)}`);
      }
      return undefined;
    }
    return frame;
  }

  /** Opens a segment before `frame` when one should start there; false drops the frame. */
  private cutBefore(frame: TsFrame, ts: number, muxer: HlsMuxer): boolean {
    const video = this.converter.videoCodec;
    const pureAudio = this.options.vcodec === 'vn' || video === undefined;
    if (!muxer.isOpen) {
      if (frame.kind === 'video') {
        if (!frame.keyframe && this.options.waitKeyframe) return false;
      } else if (!pureAudio) {
        return false; // wait for the first keyframe
      }
      this.open(muxer, ts, pureAudio);
      return true;
    }
    const duration = muxer.durationAt(ts);
    const fragmentMs = this.options.fragment * 1000;
    if (frame.kind === 'video') {
      // Video appeared in a pure-audio stream, or the codec changed: a new layout from here.
      if (frame.keyframe && (muxer.isPureAudio || frame.codec !== this.segmentVideoCodec)) {
        muxer.markDiscontinuity();
        this.open(muxer, ts, false);
      } else if (muxer.isPureAudio) {
        return false; // video that cannot start a segment has no place in an audio one
      } else if (duration >= fragmentMs && duration >= MIN_SEGMENT_MS && (frame.keyframe || !this.options.waitKeyframe)) {
        this.open(muxer, ts, false);
      }
    } else if (muxer.isPureAudio && duration >= fragmentMs * this.options.aofRatio && duration >= MIN_SEGMENT_MS) {
      this.open(muxer, ts, true);
    }
    if (muxer.bufferedBytes > MAX_SEGMENT_BYTES) {
      log.warn(`hls ${muxer.m3u8Url}: ${muxer.bufferedBytes} bytes without a cut point, cutting`);
      this.open(muxer, ts, muxer.isPureAudio);
    }
    return true;
  }

  private open(muxer: HlsMuxer, ts: number, pureAudio: boolean): void {
    const video = pureAudio ? undefined : this.converter.videoCodec;
    let audio: TsAudioCodec | undefined;
    if (this.options.acodec !== 'an') audio = this.lastAudioCodec ?? (this.converter.hasAacConfig ? 'aac' : undefined);
    this.segmentVideoCodec = video;
    muxer.open(ts, video, audio);
  }

  private cancelDispose(): void {
    if (this.disposeTimer) clearTimeout(this.disposeTimer);
    this.disposeTimer = undefined;
  }
}
