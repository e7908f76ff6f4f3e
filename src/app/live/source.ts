/**
 * One live stream (vhost/app/stream): at most one publisher, any number of outputs
 * (RTMP fan-out, HTTP-FLV, HLS, DVR, forwarders...). Every per-stream step happens here
 * once: time correction, sequence header and metadata caching, frame counting; per-player
 * work lives in the native fan-out behind each output.
 */
import { TsrsError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { GopCache, type GopLimits } from '../../kernel/gop-cache.js';
import { PackedMediaGopStore } from '../../kernel/packed-media-gop.js';
import { MixQueue } from '../../kernel/jitter-mix-queue.js';
import type { MediaKind, MediaPacket } from '../../kernel/packet.js';
import { streamUrl } from '../../kernel/stream-url.js';
import { createTimeCorrector, type TimeCorrector } from './time-corrector.js';
import type { LiveOptions } from './options.js';

/** Whoever publishes: an RTMP session, an SRT or WebRTC bridge, an edge puller... */
export interface SourcePublisher {
  readonly clientId: string;
  /** Ends the publishing client (API kick, timeout). */
  kick(reason: string): void;
}

/** A per-stream consumer of the source's packets (not a per-player one). */
export interface SourceOutput {
  onPublish?(source: LiveSource): void;
  onPacket(packet: MediaPacket, source: LiveSource): void;
  /**
   * Which of the stream's plain frames (audio and video, not sequence headers or metadata)
   * onPacket must see right now. Frames no output wants skip the packet path (see
   * LiveSource.feedFrame). Absent means all.
   */
  wantsFrames?(): FrameInterest;
  onUnpublish?(source: LiveSource): void;
  /** True while the output still serves someone, which keeps the source alive. */
  isActive(): boolean;
  close(): void;
  /** Resolves when files the output writes (HLS, DVR) are complete on disk. */
  flushed?(): Promise<void>;
}

export type FrameKind = Exclude<MediaKind, 'data'>;
/** Plain frames wanted: all (true), none (false), or only those of one kind. */
export type FrameInterest = boolean | FrameKind;

export function frameInterest(audio: boolean, video: boolean): FrameInterest {
  return audio && video ? true : audio ? 'audio' : video ? 'video' : false;
}

export class LiveSource {
  readonly url: string;
  readonly createdAt = Date.now();
  publisher: SourcePublisher | undefined;
  publishedAt = 0;
  metadata: MediaPacket | undefined;
  videoSequenceHeader: MediaPacket | undefined;
  audioSequenceHeader: MediaPacket | undefined;
  /** Counters the API reports. */
  readonly counters = { videoFrames: 0, audioFrames: 0, bytesIn: 0 };
  /** Last time the source had a publisher or an active output (for idle cleanup). */
  lastActiveAt = Date.now();
  /** A random access point came since the current publish began (the GOP is this session's). */
  randomAccessSincePublish = false;
  private readonly gopStore = new PackedMediaGopStore();
  /** The current publish session's GOP: what outputs seed a new fan-out log from. */
  readonly gop = new GopCache<MediaPacket>(this.gopStore);
  private readonly outputs = new Set<SourceOutput>();
  private corrector: TimeCorrector;
  private limits: GopLimits = { enabled: false, maxFrames: 0 };
  private lastTimestamp = 0;
  private seenVideo = false;
  private mixQueue: MixQueue<MediaPacket> | undefined;

  constructor(
    readonly key: string,
    readonly vhost: string,
    readonly app: string,
    readonly stream: string,
    public options: LiveOptions,
  ) {
    this.url = streamUrl(vhost, app, stream);
    this.corrector = createTimeCorrector(options, 0);
  }

  get isPublishing(): boolean {
    return this.publisher !== undefined;
  }

  get hasVideo(): boolean {
    return this.seenVideo;
  }

  /** The latest corrected timestamp of any message, this session or the previous ones. */
  get latestTimestamp(): number {
    return this.lastTimestamp;
  }

  publish(publisher: SourcePublisher): void {
    if (this.publisher) {
      throw new TsrsError('RtmpStreamBusy', `stream ${this.url} is already published by ${this.publisher.clientId}`);
    }
    this.publisher = publisher;
    this.publishedAt = Date.now();
    this.metadata = this.videoSequenceHeader = this.audioSequenceHeader = undefined;
    this.seenVideo = false;
    this.randomAccessSincePublish = false;
    this.gop.clear();
    // Players that waited through a republish see time keep moving forward.
    this.corrector = createTimeCorrector(this.options, this.lastTimestamp > 0 ? this.lastTimestamp + 1 : 0);
    for (const output of this.outputs) output.onPublish?.(this);
    log.trace(`source ${this.url}: published by ${publisher.clientId}`);
  }

  unpublish(publisher: SourcePublisher): void {
    if (this.publisher !== publisher) return;
    for (const queued of this.mixQueue?.drain() ?? []) this.deliver(queued);
    this.mixQueue = undefined;
    this.publisher = undefined;
    this.lastActiveAt = Date.now();
    this.randomAccessSincePublish = false;
    // The GOP needs this session's sequence headers: a player arriving later must not get it.
    this.gop.clear();
    for (const output of this.outputs) output.onUnpublish?.(this);
    log.trace(`source ${this.url}: unpublished, ${this.counters.videoFrames} video and ${this.counters.audioFrames} audio frames`);
  }

  /** A packet from the publisher, timestamp as sent (uncorrected). */
  feed(packet: MediaPacket): void {
    if (this.options.mixCorrect && packet.kind !== 'data') {
      // SRS mix_correct: release audio and video in timestamp order across both tracks.
      this.mixQueue ??= new MixQueue<MediaPacket>();
      for (const ready of this.mixQueue.pushAndRelease(packet, packet.timestamp, packet.kind)) this.deliver(ready);
      return;
    }
    this.deliver(packet);
  }

  /**
   * The plain frames that must take the packet path (feed) now: those some output wants,
   * or all when a mix queue orders them. The others may take feedFrame. The answer holds
   * until the caller hands the source anything else or yields to the event loop (either
   * may open an output), so a publisher's read asks once, not once per frame.
   */
  framesWanted(): FrameInterest {
    if (this.options.mixCorrect) return true;
    let audio = false;
    let video = false;
    for (const output of this.outputs) {
      const wanted = output.wantsFrames?.() ?? true;
      if (wanted === true) return true;
      if (wanted === 'audio') audio = true;
      else if (wanted === 'video') video = true;
    }
    return frameInterest(audio, video);
  }

  /** Whether a plain frame of this kind may take feedFrame, by framesWanted's answer. */
  static bypasses(wanted: FrameInterest, kind: FrameKind): boolean {
    return wanted === false || (wanted !== true && wanted !== kind);
  }

  /**
   * A plain frame (audio or video, not a sequence header) from a publisher, its payload at
   * `offset` in `bytes`, taken without a packet: correct its time, count it, keep it in the
   * GOP. That is all a frame needs while framesWanted leaves it out, and it costs no object.
   */
  feedFrame(kind: FrameKind, timestamp: number, isKeyframe: boolean, bytes: Uint8Array, offset: number, length: number): void {
    const corrected = this.corrector.correct(timestamp, kind);
    const randomAccess = this.account(kind, corrected, length, isKeyframe, false);
    if (this.gop.admit(randomAccess, this.gopLimits())) {
      this.gopStore.appendBytes(kind, corrected, bytes, offset, length, isKeyframe, false, randomAccess);
    }
  }

  private deliver(packet: MediaPacket): void {
    packet.timestamp = this.corrector.correct(packet.timestamp, packet.kind);
    if (packet.kind === 'video' && packet.isSequenceHeader) this.videoSequenceHeader = packet;
    else if (packet.kind === 'audio' && packet.isSequenceHeader) this.audioSequenceHeader = packet;
    else if (packet.kind === 'data') this.metadata = packet;
    const randomAccess = this.account(packet.kind, packet.timestamp, packet.payload.length, packet.isKeyframe, packet.isSequenceHeader);
    this.gop.push(packet, randomAccess, this.gopLimits());
    for (const output of this.outputs) output.onPacket(packet, this);
  }

  /**
   * Time, counters and start points for one corrected message, whichever path it took.
   * Returns whether a player may start at it.
   */
  private account(kind: MediaKind, timestamp: number, length: number, isKeyframe: boolean, isSequenceHeader: boolean): boolean {
    // The latest time of either track: audio and video interleave with small negative
    // deltas, and a republish must start after both tracks' last message.
    if (timestamp > this.lastTimestamp) this.lastTimestamp = timestamp;
    this.counters.bytesIn += length;
    if (kind === 'video') {
      this.seenVideo = true;
      if (!isSequenceHeader) this.counters.videoFrames++;
    } else if (kind === 'audio' && !isSequenceHeader) {
      this.counters.audioFrames++;
    }
    const randomAccess = this.startsAt(kind, isKeyframe, isSequenceHeader);
    if (randomAccess) this.randomAccessSincePublish = true;
    return randomAccess;
  }

  /** The options' gop limits, as one object reused while they stay the same. */
  private gopLimits(): GopLimits {
    const { gopCache, gopCacheMaxFrames } = this.options;
    if (this.limits.enabled !== gopCache || this.limits.maxFrames !== gopCacheMaxFrames) {
      this.limits = { enabled: gopCache, maxFrames: gopCacheMaxFrames };
    }
    return this.limits;
  }

  /** Where a player may start: a keyframe, or any audio frame of a stream without video. */
  isRandomAccess(packet: MediaPacket): boolean {
    return this.startsAt(packet.kind, packet.isKeyframe, packet.isSequenceHeader);
  }

  private startsAt(kind: MediaKind, isKeyframe: boolean, isSequenceHeader: boolean): boolean {
    return isKeyframe || (kind === 'audio' && !this.seenVideo && !isSequenceHeader);
  }

  /** The packets a new consumer must get before any frame: metadata, then sequence headers. */
  startupPackets(): MediaPacket[] {
    return [this.metadata, this.videoSequenceHeader, this.audioSequenceHeader].filter(
      (p): p is MediaPacket => p !== undefined,
    );
  }

  addOutput(output: SourceOutput): void {
    this.outputs.add(output);
  }

  removeOutput(output: SourceOutput): void {
    this.outputs.delete(output);
  }

  findOutput<T extends SourceOutput>(kind: abstract new (...args: never[]) => T): T | undefined {
    for (const output of this.outputs) if (output instanceof kind) return output;
    return undefined;
  }

  /** Idle: nobody publishes and no output serves anyone. */
  isIdle(): boolean {
    if (this.publisher) return false;
    for (const output of this.outputs) if (output.isActive()) return false;
    return true;
  }

  /** Frees everything the source holds; resolves once its outputs' files are complete. */
  dispose(): Promise<void> {
    const outputs = [...this.outputs];
    for (const output of outputs) output.close();
    this.outputs.clear();
    this.metadata = this.videoSequenceHeader = this.audioSequenceHeader = undefined;
    this.gop.clear();
    return Promise.all(outputs.map((o) => o.flushed?.())).then(() => undefined);
  }
}
