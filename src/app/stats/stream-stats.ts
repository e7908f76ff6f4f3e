/**
 * Per-stream statistics, kept as a SourceOutput on every live source: frames and payload
 * bytes (the source's own counters) and codec facts. Codec parsing happens on sequence
 * headers, and once on the first frame of codecs that have none: after that this output
 * needs no frame at all.
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { frameInterest, type FrameInterest, type LiveSource, type SourceOutput } from '../live/source.js';
import { audioInfoOf, videoInfoOf, type StreamAudioJson, type StreamVideoJson } from './codec-info.js';
import { Kbps } from './kbps.js';

export class StatsOutput implements SourceOutput {
  video: StreamVideoJson | undefined;
  audio: StreamAudioJson | undefined;
  /** The last publisher's client id: SRS keeps reporting it after an unpublish. */
  publisherId = '';
  /** The tcUrl the stream was last published (or first played) with. */
  tcUrl = '';
  /** Bytes of this stream's clients, fed by the stats ticker. */
  readonly kbps = new Kbps();
  private probedVideoFrame = false;
  private probedAudioFrame = false;
  private closed = false;

  constructor(
    readonly id: string,
    readonly source: LiveSource,
    private readonly onClose: (output: StatsOutput) => void,
  ) {}

  /** Video frames (sequence headers excluded), as SRS's `frames`. */
  get frames(): number {
    return this.source.counters.videoFrames;
  }

  /** Media payload bytes the publisher(s) sent, all publishes included. */
  get payloadBytes(): number {
    return this.source.counters.bytesIn;
  }

  onPublish(source: LiveSource): void {
    this.reset();
    this.publisherId = source.publisher?.clientId ?? this.publisherId;
  }

  onUnpublish(): void {
    // SRS drops the codec facts with the publisher: a stream without one reports null.
    this.reset();
  }

  /** Only a first frame of a codec without sequence header is still of interest. */
  wantsFrames(): FrameInterest {
    return frameInterest(!this.audio && !this.probedAudioFrame, !this.video && !this.probedVideoFrame);
  }

  onPacket(packet: MediaPacket): void {
    if (packet.kind === 'video') {
      if (packet.isSequenceHeader) this.video = this.parse('video', () => videoInfoOf(packet.payload)) ?? this.video;
      else {
        if (!this.video && !this.probedVideoFrame) {
          this.probedVideoFrame = true;
          this.video = this.parse('video', () => videoInfoOf(packet.payload));
        }
      }
    } else if (packet.kind === 'audio') {
      if (packet.isSequenceHeader) this.audio = this.parse('audio', () => audioInfoOf(packet.payload)) ?? this.audio;
      else if (!this.audio && !this.probedAudioFrame) {
        this.probedAudioFrame = true;
        this.audio = this.parse('audio', () => audioInfoOf(packet.payload));
      }
    }
  }

  /** Stats never keep a source alive. */
  isActive(): boolean {
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }

  private reset(): void {
    this.video = this.audio = undefined;
    this.probedVideoFrame = this.probedAudioFrame = false;
  }

  private parse<T>(what: string, read: () => T | undefined): T | undefined {
    try {
      return read();
    } catch (err) {
      log.warn(`stats ${this.source.url}: cannot read the ${what} codec: ${describeError(err)}`);
      return undefined;
    }
  }
}
