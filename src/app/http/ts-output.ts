/**
 * HTTP-TS for one stream (SRS's `[app]/[stream].ts` mount): packets go through the same
 * FLV-to-TS conversion and muxer as HLS, and the TS bytes of each frame are one fan-out
 * message. Every video keyframe message starts with PAT/PMT, so a player that starts at the
 * cached GOP has the tables first; a player's preamble repeats the latest tables for the
 * live-edge and audio-only starts.
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { FlvToTsConverter } from '../../protocol/mpegts/flv-to-ts.js';
import type { TsAudioCodec, TsVideoCodec } from '../../protocol/mpegts/ts-constants.js';
import { TsMuxer, type TsFrame } from '../../protocol/mpegts/ts-muxer.js';
import type { LiveOptions } from '../live/options.js';
import type { LiveSource } from '../live/source.js';
import { CHUNKED_FRAMING } from './framing.js';
import { HttpRemuxOutput } from './remux-output.js';
import { StreamChannel } from './stream-channel.js';

const MAX_LOGGED_ERRORS = 5;

export class HttpTsOutput extends HttpRemuxOutput {
  readonly contentType = 'video/MP2T';
  readonly http: StreamChannel;
  private converter = new FlvToTsConverter();
  private muxer = new TsMuxer();
  private lastTables: Buffer | undefined;
  private primed = false;
  private errors = 0;
  private lastTimestamp = 0;

  constructor(options: LiveOptions, label: string) {
    super();
    this.http = new StreamChannel(options, CHUNKED_FRAMING, label);
  }

  static of(source: LiveSource): HttpTsOutput {
    let output = source.findOutput(HttpTsOutput);
    if (!output) {
      output = new HttpTsOutput(source.options, `http-ts ${source.url}`);
      source.addOutput(output);
    }
    return output;
  }

  /** A new encoder session: fresh codec state and tables (continuity counters restart too). */
  onPublish(): void {
    this.converter = new FlvToTsConverter();
    this.muxer = new TsMuxer();
    this.lastTables = undefined;
    this.primed = true;
    this.errors = 0;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    if (!this.primed) {
      // Created while the stream was already publishing: learn the codecs it announced.
      this.primed = true;
      for (const header of [source.videoSequenceHeader, source.audioSequenceHeader]) {
        if (header && header !== packet) this.convert(header, source);
      }
    }
    const frame = this.convert(packet, source);
    if (frame) this.write(frame, packet.timestamp);
  }

  /** The audio held for merging goes out before the players are ended. */
  override onUnpublish(): void {
    this.append(this.muxer.flushAudio(), this.lastTimestamp, false);
    super.onUnpublish();
  }

  startupBody(): Uint8Array[] {
    return this.lastTables ? [this.lastTables] : [];
  }

  private convert(packet: MediaPacket, source: LiveSource): TsFrame | undefined {
    try {
      return this.converter.convert(packet);
    } catch (err) {
      if (++this.errors <= MAX_LOGGED_ERRORS) log.warn(`http-ts ${source.url}: ${packet.kind} packet at ${packet.timestamp} skipped: ${describeError(err)}`);
      return undefined;
    }
  }

  private write(frame: TsFrame, timestamp: number): void {
    this.lastTimestamp = timestamp;
    const muxer = this.muxer;
    const video: TsVideoCodec | undefined = frame.kind === 'video' ? frame.codec : (muxer.videoCodec ?? this.converter.videoCodec);
    const audio: TsAudioCodec | undefined =
      frame.kind === 'audio' ? frame.codec : (muxer.audioCodec ?? (this.converter.hasAacConfig ? 'aac' : undefined));
    let tables: Buffer[] = [];
    const layoutChanged = !this.lastTables || video !== muxer.videoCodec || audio !== muxer.audioCodec;
    if (layoutChanged || (frame.kind === 'video' && frame.keyframe)) {
      // Held audio belongs before the new tables (and before the keyframe players start at).
      this.append(muxer.flushAudio(), timestamp, false);
      muxer.setStreams(video, audio);
      tables = muxer.writeTables();
      this.lastTables = Buffer.concat(tables);
    }
    const pieces = [...tables, ...muxer.writeFrame(frame)];
    // Audio-only: every audio PES is a start point (the preamble carries the tables).
    const randomAccess = frame.kind === 'video' ? frame.keyframe : video === undefined;
    this.append(pieces, timestamp, randomAccess);
  }

  private append(pieces: Buffer[], timestamp: number, randomAccess: boolean): void {
    if (pieces.length === 0) return;
    this.http.append(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces), timestamp, randomAccess);
  }
}
