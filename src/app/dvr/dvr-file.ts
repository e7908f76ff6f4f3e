/**
 * One DVR recording file, from its first frame to its rename. It opens on the first frame it
 * may start with (a keyframe when waiting for one) and begins with the header, the publisher's
 * metadata and the cached sequence headers, so each file plays alone. Timestamps are rebased
 * per file by SRS's dvr time_jitter. Written as "<path>.tmp" and renamed when complete, as SRS
 * does, so a half-written recording is never mistaken for a finished one.
 */
import { rename } from 'node:fs/promises';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { TimestampJitter, type JitterMode } from '../../kernel/jitter.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveSource } from '../live/source.js';
import { FlvContainer, Mp4Container, type DvrContainer, type DvrFormat } from './containers.js';
import { QueuedFile } from './queued-file.js';

export interface DvrFileResult {
  /** The final path, as rendered from dvr_path (relative when dvr_path is). */
  file: string;
  format: DvrFormat;
  durationMs: number;
  size: number;
  /** When the file was opened, ms since the epoch. */
  startedAt: number;
}

const TWO_POW_32 = 0x100000000;

export class DvrFile {
  readonly tmpPath: string;
  /** Created with the first frame: a publish that never sends one leaves no file behind. */
  private out: QueuedFile | undefined;
  private container: DvrContainer | undefined;
  private readonly jitter: TimestampJitter;
  private readonly headers = new Set<MediaPacket>();
  private finished = false;
  private firstSourceTs = 0;
  private firstTs = 0;
  private lastTs = 0;
  private startedAt = 0;
  /** A video keyframe is in the file: video may follow freely. */
  hasKeyframe = false;

  constructor(
    readonly path: string,
    readonly format: DvrFormat,
    jitterMode: JitterMode,
    private readonly waitKeyframe: boolean,
    private readonly label: string,
    private readonly after: Promise<unknown>,
  ) {
    this.tmpPath = `${path}.tmp`;
    this.jitter = new TimestampJitter(jitterMode);
  }

  get isOpen(): boolean {
    return this.container !== undefined;
  }

  /** Source-time milliseconds since the file's first frame. */
  durationAt(sourceTimestamp: number): number {
    return this.container ? sourceTimestamp - this.firstSourceTs : 0;
  }

  /** Writes an audio/video packet; frames that cannot start the file yet are dropped. */
  write(packet: MediaPacket, source: LiveSource): void {
    if (this.finished || packet.kind === 'data') return;
    if (packet.isSequenceHeader) {
      if (!this.container || this.headers.has(packet)) return; // the opening writes the cached ones
      this.headers.add(packet);
      this.container.write(packet, this.correct(packet));
      return;
    }
    if (packet.kind === 'video' && !packet.isKeyframe && !this.hasKeyframe && this.waitKeyframe) return;
    const container = this.container ?? this.open(packet, source);
    if (packet.kind === 'video' && packet.isKeyframe) this.hasKeyframe = true;
    container.write(packet, this.correct(packet));
  }

  private open(first: MediaPacket, source: LiveSource): DvrContainer {
    const out = new QueuedFile(this.tmpPath, this.after);
    const container = this.format === 'mp4' ? new Mp4Container(out, this.label) : new FlvContainer(out);
    this.out = out;
    this.container = container;
    this.startedAt = Date.now();
    this.firstSourceTs = first.timestamp;
    // The first frame fixes the file's time zero; what the file starts with shares it.
    const t0 = this.correct(first);
    this.firstTs = t0;
    container.begin(source.metadata, t0);
    for (const header of [source.videoSequenceHeader, source.audioSequenceHeader]) {
      if (!header) continue;
      this.headers.add(header);
      container.write(header, t0);
    }
    log.trace(`dvr ${this.label}: recording ${this.tmpPath}`);
    return container;
  }

  private correct(packet: MediaPacket): number {
    const ts = this.jitter.correct(packet.timestamp % TWO_POW_32, packet.kind);
    // The jitter may repeat a time zero for packets written at the opening; keep it monotonic per file.
    this.lastTs = Math.max(this.lastTs, ts);
    return ts;
  }

  /**
   * Completes the file: trailer or patches, close, rename. Resolves with what was recorded, or
   * undefined when nothing was (no frame ever came) or the file failed (logged).
   */
  async finish(): Promise<DvrFileResult | undefined> {
    if (this.finished) return undefined;
    this.finished = true;
    const { out, container } = this;
    if (!out || !container) return undefined;
    const durationMs = Math.max(0, this.lastTs - this.firstTs);
    try {
      container.end(durationMs);
      await out.close();
      await rename(this.tmpPath, this.path);
    } catch (err) {
      log.error(`dvr ${this.label}: ${this.path} failed: ${describeError(err)}`);
      return undefined;
    }
    const result = { file: this.path, format: this.format, durationMs, size: out.size, startedAt: this.startedAt };
    log.trace(`dvr ${this.label}: closed ${this.path}, ${(durationMs / 1000).toFixed(3)} s, ${result.size} bytes`);
    return result;
  }
}
