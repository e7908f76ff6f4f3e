/**
 * One stream's HLS files: segments open and close on the controller's word, their TS packets
 * are held in memory (a segment's worth) and written once when the segment closes, then the
 * playlist is rewritten, segments that left the window are deleted, and on_hls is told.
 * The cutting policy lives in hls-output.ts; this class only does what it is told.
 */
import { dirname, relative, sep } from 'node:path';
import { log } from '../../core/logger.js';
import { encryptSegment, ivForSequence } from '../../protocol/hls/aes.js';
import { TsMuxer, type TsFrame } from '../../protocol/mpegts/ts-muxer.js';
import type { TsAudioCodec, TsVideoCodec } from '../../protocol/mpegts/ts-constants.js';
import { HlsFileQueue, pathInside } from './hls-files.js';
import { HlsKeyRing } from './hls-keys.js';
import { HlsWindow, type HlsSegmentRecord } from './hls-window.js';
import type { HlsOptions, HlsSegmentInfo } from './options.js';
import { renderHlsTemplate, type HlsTemplateVars } from './path-template.js';

export interface HlsStreamName {
  vhost: string;
  app: string;
  stream: string;
}

interface OpenSegment {
  seq: number;
  openedAt: Date;
  startMs: number;
  lastMs: number;
  parts: Buffer[];
  bytes: number;
  discontinuity: boolean;
  pureAudio: boolean;
}

export class HlsMuxer {
  readonly files: HlsFileQueue;
  readonly m3u8Path: string;
  readonly m3u8Url: string;
  private readonly window = new HlsWindow();
  private readonly keys: HlsKeyRing;
  private ts = new TsMuxer();
  private current: OpenSegment | undefined;
  private nextSeq = 0;
  private discontinuityPending = false;
  private readonly label: string;

  constructor(
    private readonly name: HlsStreamName,
    private readonly options: HlsOptions,
  ) {
    this.label = `hls ${name.vhost}/${name.app}/${name.stream}`;
    this.files = new HlsFileQueue((message) => log.warn(`${this.label}: ${message}`));
    this.keys = new HlsKeyRing(options);
    this.m3u8Url = renderHlsTemplate(options.m3u8File, this.vars(new Date()));
    this.m3u8Path = pathInside(options.path, this.m3u8Url);
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  get isPureAudio(): boolean {
    return this.current?.pureAudio ?? false;
  }

  /** Media time covered by the open segment, ms. */
  durationAt(timestampMs: number): number {
    return this.current ? timestampMs - this.current.startMs : 0;
  }

  get bufferedBytes(): number {
    return this.current?.bytes ?? 0;
  }

  get segmentCount(): number {
    return this.window.segments.length;
  }

  /** A new encoder session (publish): fresh TS state; the next segment follows a discontinuity. */
  restart(continuous: boolean): void {
    this.ts = new TsMuxer();
    this.keys.reset();
    if (continuous) {
      if (this.window.segments.length > 0) this.discontinuityPending = true;
      return;
    }
    // A fresh playlist; the old files stay only if hls_cleanup says segments are kept.
    if (this.options.cleanup) this.removeAll();
    else this.window.clear();
    this.discontinuityPending = false;
    this.nextSeq = 0;
  }

  /** The next segment starts after a discontinuity (codec or stream layout change). */
  markDiscontinuity(): void {
    this.discontinuityPending = true;
  }

  open(startMs: number, video: TsVideoCodec | undefined, audio: TsAudioCodec | undefined): void {
    if (this.current) this.close(startMs);
    this.ts.setStreams(video, audio);
    const tables = this.ts.writeTables();
    this.current = {
      seq: this.nextSeq++,
      openedAt: new Date(),
      startMs,
      lastMs: startMs,
      parts: tables,
      bytes: tables.reduce((sum, b) => sum + b.length, 0),
      discontinuity: this.discontinuityPending,
      pureAudio: video === undefined,
    };
    this.discontinuityPending = false;
  }

  write(frame: TsFrame, timestampMs: number): void {
    const segment = this.current;
    if (!segment) return;
    for (const part of this.ts.writeFrame(frame)) {
      segment.parts.push(part);
      segment.bytes += part.length;
    }
    if (timestampMs > segment.lastMs) segment.lastMs = timestampMs;
  }

  /**
   * Closes the open segment: held audio goes in, then the file, the playlist, the window
   * cleanup and the hook are queued. `endMs` is where the next segment starts (a cut), or
   * undefined to end at the last frame (unpublish).
   */
  close(endMs?: number): void {
    const segment = this.current;
    if (!segment) return;
    this.current = undefined;
    for (const part of this.ts.flushAudio()) {
      segment.parts.push(part);
      segment.bytes += part.length;
    }
    const durationMs = Math.max(0, (endMs ?? segment.lastMs) - segment.startMs);
    const vars: HlsTemplateVars = { ...this.vars(segment.openedAt), seq: segment.seq, durationMs };
    let url: string;
    let file: string;
    try {
      url = renderHlsTemplate(this.options.tsFile, vars);
      file = pathInside(this.options.path, url);
    } catch (err) {
      log.error(`${this.label}: segment ${segment.seq} dropped: ${(err as Error).message}`);
      return;
    }
    const record: HlsSegmentRecord = {
      seq: segment.seq,
      duration: durationMs / 1000,
      file,
      url,
      uri: this.entryUri(file),
      discontinuity: segment.discontinuity,
    };
    const key = this.keys.keyFor(segment.seq, vars, this.m3u8Path);
    if (key) {
      record.key = { uri: key.uri, file: key.file };
      if (key.fresh) this.files.write(key.file, () => key.key);
    }
    const parts = segment.parts;
    this.files.write(file, () => (key ? encryptSegment(parts, key.key, ivForSequence(segment.seq)) : Buffer.concat(parts)));
    this.window.add(record);
    const removed = this.window.shrink(this.options.window);
    const playlist = this.window.render(this.options.fragment * this.options.tdRatio);
    this.files.write(this.m3u8Path, () => playlist);
    if (this.options.cleanup) {
      for (const old of removed) this.files.remove(old.file);
      for (const keyFile of this.window.orphanKeys(removed)) this.files.remove(keyFile);
    }
    const onSegment = this.options.onSegment;
    if (onSegment) {
      const info = this.segmentInfo(record);
      this.files.afterPending(() => onSegment(info));
    }
    log.info(`${this.label}: segment ${record.seq} ${record.duration.toFixed(3)}s ${segment.bytes} bytes -> ${file}`);
  }

  /** Deletes every file the playlist names, and the playlist (hls_dispose). */
  removeAll(): void {
    const removed = this.window.clear();
    for (const old of removed) this.files.remove(old.file);
    for (const keyFile of this.window.orphanKeys(removed)) this.files.remove(keyFile);
    this.files.remove(this.m3u8Path);
    this.keys.reset();
    this.discontinuityPending = false;
  }

  /** Drops the open segment unwritten (source closed without an unpublish). */
  abandon(): void {
    this.current = undefined;
  }

  private vars(time: Date): HlsTemplateVars {
    const vars: HlsTemplateVars = { ...this.name, time };
    if (this.options.tsFloor) vars.floorFragmentMs = this.options.fragment * 1000;
    return vars;
  }

  /** SRS's entry URI: the segment relative to the playlist, behind hls_entry_prefix. */
  private entryUri(file: string): string {
    const rel = relative(dirname(this.m3u8Path), file).split(sep).join('/');
    const prefix = this.options.entryPrefix;
    if (!prefix) return rel;
    if (prefix.endsWith('/')) return prefix + rel;
    const httpDir = dirname(this.m3u8Url);
    return `${prefix}/${httpDir && httpDir !== '.' ? `${httpDir}/` : ''}${rel}`;
  }

  private segmentInfo(record: HlsSegmentRecord): HlsSegmentInfo {
    return {
      ...this.name,
      file: record.file,
      url: record.url,
      tsUrl: record.uri,
      m3u8: this.m3u8Path,
      m3u8Url: this.m3u8Url,
      seqNo: record.seq,
      duration: record.duration,
      discontinuity: record.discontinuity,
    };
  }
}
