/**
 * DVR for one live stream (SRS's SrsDvr with its session and segment plans). Whether a publish
 * is recorded is decided when it starts, from the config of that moment (so a reload applies to
 * the next publish; DvrService also re-applies it to streams being recorded).
 * - session: one file per publish, closed at unpublish.
 * - segment: a new file once the open one holds dvr_duration seconds, at the next keyframe when
 *   dvr_wait_keyframe is on (at the next audio frame for a stream without video).
 * Files of one stream are written strictly one after the other: the next opens only once the
 * previous is renamed (they may share a temp name when dvr_path has no [timestamp]).
 */
import { describeError } from '../../core/errors.js';
import { deepEqual, type DvrConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { ClientInfo } from '../live/context.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { formatOfPath } from './containers.js';
import { DvrFile, type DvrFileResult } from './dvr-file.js';
import { renderDvrPath } from './dvr-path.js';

/** What on_dvr needs about a finished file (SRS's hook fields, plus facts for logs and tests). */
export interface DvrFileInfo extends DvrFileResult {
  /** The server's working directory, against which a relative `file` is meant. */
  cwd: string;
  vhost: string;
  app: string;
  stream: string;
  /** The publisher whose stream this is (its request: tcUrl, param, ip for the hook). */
  clientId: string | undefined;
  client: ClientInfo | undefined;
}

export type OnDvr = (info: DvrFileInfo) => void;

/** What every stream's DVR shares: the config, the hook, the clients, the pending files. */
export interface DvrHost {
  /** The dvr section that applies to this stream now, or undefined when it is not recorded. */
  dvrFor(source: LiveSource): DvrConfig | undefined;
  clientOf(clientId: string): ClientInfo | undefined;
  onDvr: OnDvr;
  /** Keeps a file's completion for graceful quit. */
  track(done: Promise<unknown>): void;
  /** The output closed (its source was freed). */
  forget(output: DvrOutput): void;
}

interface Recording {
  config: DvrConfig;
  file: DvrFile | undefined;
  clientId: string | undefined;
  client: ClientInfo | undefined;
}

export class DvrOutput implements SourceOutput {
  private recording: Recording | undefined;
  /** The current publish was looked at (recorded or not). */
  private decided = false;
  private closed = false;
  /** The stream being recorded, for close(), which SourceOutput gives no source. */
  private lastSource: LiveSource | undefined;
  /** The last file's completion: the next file opens after it. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: DvrHost) {}

  get isRecording(): boolean {
    return this.recording !== undefined;
  }

  /** The file being written, if any (tests, API). */
  get currentFile(): DvrFile | undefined {
    return this.recording?.file;
  }

  onPublish(source: LiveSource): void {
    if (this.closed) return;
    this.decided = true;
    this.begin(source, this.host.dvrFor(source));
  }

  /** Undecided, it must see a frame to start; decided, only a recording needs frames. */
  wantsFrames(): boolean {
    return !this.decided ? !this.closed : this.recording !== undefined;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    if (!this.decided) {
      // Attached while the stream was already publishing: decide now.
      if (this.closed || !source.isPublishing) return;
      this.onPublish(source);
    }
    const rec = this.recording;
    if (!rec || packet.kind === 'data') return;
    if (rec.config.dvr_plan === 'segment' && rec.file?.isOpen && !packet.isSequenceHeader && this.segmentFull(rec, packet, source)) {
      this.finishFile(rec, source);
    }
    if (!rec.file && !this.openFile(rec, source)) return;
    rec.file!.write(packet, source);
  }

  onUnpublish(source: LiveSource): void {
    this.decided = false;
    this.end(source);
  }

  /** DVR never keeps a source alive. */
  isActive(): boolean {
    return false;
  }

  /** Source freed or server quitting: the open file is completed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.recording && this.lastSource) this.end(this.lastSource);
    this.host.forget(this);
  }

  /** A reload changed the dvr config: restart the recording under the new one (SRS does the same). */
  reconfigure(source: LiveSource): void {
    if (this.closed || !this.decided || !source.isPublishing) return;
    const next = this.host.dvrFor(source);
    if (deepEqual(next, this.recording?.config)) return;
    this.end(source);
    this.begin(source, next);
  }

  /** Resolves once every file of this stream finished so far is on disk. */
  idle(): Promise<unknown> {
    return this.previous;
  }

  private begin(source: LiveSource, config: DvrConfig | undefined): void {
    this.lastSource = source;
    if (!config) {
      this.recording = undefined;
      return;
    }
    const clientId = source.publisher?.clientId;
    this.recording = { config, file: undefined, clientId, client: clientId ? this.host.clientOf(clientId) : undefined };
    log.trace(`dvr ${source.url}: ${config.dvr_plan} plan, ${config.dvr_path}`);
  }

  private end(source: LiveSource): void {
    const rec = this.recording;
    this.recording = undefined;
    if (rec) this.finishFile(rec, source);
  }

  private segmentFull(rec: Recording, packet: MediaPacket, source: LiveSource): boolean {
    if (rec.file!.durationAt(packet.timestamp) < rec.config.dvr_duration * 1000) return false;
    if (!rec.config.dvr_wait_keyframe) return true;
    if (packet.kind === 'video') return packet.isKeyframe;
    return !source.hasVideo;
  }

  private openFile(rec: Recording, source: LiveSource): boolean {
    let path: string;
    try {
      path = renderDvrPath(rec.config.dvr_path, source, new Date());
    } catch (err) {
      log.warn(`dvr ${source.url}: not recorded: ${describeError(err)}`);
      this.recording = undefined;
      return false;
    }
    const { dvr_wait_keyframe: waitKeyframe, time_jitter: jitter } = rec.config;
    rec.file = new DvrFile(path, formatOfPath(path), jitter, waitKeyframe, source.url, this.previous);
    return true;
  }

  private finishFile(rec: Recording, source: LiveSource): void {
    const file = rec.file;
    rec.file = undefined;
    if (!file) return;
    const { vhost, app, stream } = source;
    const done = file.finish().then((result) => {
      if (!result) return;
      try {
        this.host.onDvr({ ...result, cwd: process.cwd(), vhost, app, stream, clientId: rec.clientId, client: rec.client });
      } catch (err) {
        log.error(`dvr ${source.url}: on_dvr callback failed: ${describeError(err)}`);
      }
    });
    this.previous = done;
    this.host.track(done);
  }
}
