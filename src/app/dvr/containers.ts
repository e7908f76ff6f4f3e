/**
 * The two DVR containers behind one interface. Both stream media to the file as it arrives and
 * finish with what only the end knows: FLV patches duration and filesize into its onMetaData,
 * MP4 appends moov and patches the mdat size.
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { FLV_HEADER_SIZE, FLV_PREVIOUS_TAG_SIZE, FLV_TAG_HEADER_SIZE, FlvTagType, buildFlvHeader, buildFlvTagHeader, buildPreviousTagSize } from '../../protocol/flv/tag.js';
import { FlvMp4Muxer } from '../../protocol/mp4/flv-mp4-muxer.js';
import { amfNumber, buildDvrMetadata } from './flv-metadata.js';
import type { QueuedFile } from './queued-file.js';

export type DvrFormat = 'flv' | 'mp4';

export interface DvrContainer {
  /** The file's first bytes; `metadata` is the publisher's latest onMetaData, if any. */
  begin(metadata: MediaPacket | undefined, timestamp: number): void;
  /** An audio or video packet (sequence headers included), timestamp already rebased. */
  write(packet: MediaPacket, timestamp: number): void;
  /** What only the end knows; the caller closes the file. */
  end(durationMs: number): void;
}

/** Malformed packets are logged this many times per file, then counted silently. */
const MAX_LOGGED = 5;

const TAG_TYPES = { audio: FlvTagType.Audio, video: FlvTagType.Video, data: FlvTagType.Script } as const;

export class FlvContainer implements DvrContainer {
  private durationAt = -1;
  private filesizeAt = -1;

  constructor(private readonly file: QueuedFile) {}

  begin(metadata: MediaPacket | undefined, timestamp: number): void {
    // SRS writes both flags whatever the stream has; players probe the tags anyway.
    this.file.append(buildFlvHeader({ hasAudio: true, hasVideo: true }));
    const meta = buildDvrMetadata(metadata?.payload);
    const bodyAt = FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE + FLV_TAG_HEADER_SIZE;
    this.durationAt = bodyAt + meta.durationAt;
    this.filesizeAt = bodyAt + meta.filesizeAt;
    this.tag(FlvTagType.Script, timestamp, meta.body);
  }

  write(packet: MediaPacket, timestamp: number): void {
    this.tag(TAG_TYPES[packet.kind], timestamp, packet.payload);
  }

  end(durationMs: number): void {
    if (this.durationAt < 0) return;
    this.file.writeAt(this.durationAt, amfNumber(durationMs / 1000));
    this.file.writeAt(this.filesizeAt, amfNumber(this.file.size));
  }

  /** Header, the shared payload as is (no copy), PreviousTagSize. */
  private tag(type: FlvTagType, timestamp: number, payload: Buffer): void {
    this.file.append(buildFlvTagHeader(type, timestamp, payload.length));
    this.file.append(payload);
    this.file.append(buildPreviousTagSize(payload.length));
  }
}

export class Mp4Container implements DvrContainer {
  private readonly muxer = new FlvMp4Muxer();
  private errors = 0;

  constructor(
    private readonly file: QueuedFile,
    private readonly label: string,
  ) {}

  begin(): void {
    this.file.append(this.muxer.start());
  }

  write(packet: MediaPacket, timestamp: number): void {
    if (packet.kind === 'data') return;
    try {
      const bytes = this.muxer.write({ ...packet, timestamp });
      if (bytes) this.file.append(bytes);
    } catch (err) {
      if (++this.errors <= MAX_LOGGED) log.warn(`dvr ${this.label}: ${packet.kind} at ${timestamp} ms not recorded: ${describeError(err)}`);
    }
  }

  end(): void {
    const done = this.muxer.finish();
    this.file.append(done.moov);
    this.file.writeAt(done.header.offset, done.header.bytes);
  }
}

export function formatOfPath(path: string): DvrFormat {
  return path.toLowerCase().endsWith('.mp4') ? 'mp4' : 'flv';
}
