/**
 * Per-stream statistics, kept as a SourceOutput on every live source: frames, payload
 * bytes and codec facts. The media path costs two additions per packet; codec parsing
 * happens on sequence headers (and once on the first frame of codecs that have none).
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { audioInfoOf, videoInfoOf, type StreamAudioJson, type StreamVideoJson } from './codec-info.js';
import { Kbps } from './kbps.js';

export class StatsOutput implements SourceOutput {
  /** Video frames (sequence headers excluded), as SRS's `frames`. */
  frames = 0;
  /** Media payload bytes the publisher(s) sent, all publishes included. */
  payloadBytes = 0;
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

  onPublish(source: LiveSource): void {
    this.reset();
    this.publisherId = source.publisher?.clientId ?? this.publisherId;
  }

  onUnpublish(): void {
    // SRS drops the codec facts with the publisher: a stream without one reports null.
    this.reset();
  }

  onPacket(packet: MediaPacket): void {
    this.payloadBytes += packet.payload.length;
    if (packet.kind === 'video') {
      if (packet.isSequenceHeader) this.video = this.parse('video', () => videoInfoOf(packet.payload)) ?? this.video;
      else {
        this.frames++;
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
