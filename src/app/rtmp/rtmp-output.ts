/**
 * A stream's RTMP players: each published message is chunked once (fmt 0 first chunk, so
 * any message boundary is a valid start) and appended to one native fan-out log; the log
 * writes it to every player with one writev per merged-write interval. No JavaScript runs
 * per player per message, and none at all while the stream has no RTMP player: the log
 * exists only while someone plays (see PlayerLog).
 */
import type { Socket } from 'node:net';
import { log } from '../../core/logger.js';
import { MEDIA_TYPE_ID, type MediaPacket } from '../../kernel/packet.js';
import type { FanoutPlayerStats, FanoutStats } from '../../native/fanout.js';
import { encodeRtmpMessage } from '../../native/rtmp-chunk.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import type { LiveOptions } from '../live/options.js';
import { PlayerLog, type SeedMessage } from '../live/player-log.js';
import { ChunkStreamId, PLAY_STREAM_ID } from './constants.js';
import { encodeOnStatus } from '../../protocol/rtmp/messages-replies.js';
import { RtmpMessageType } from '../../protocol/rtmp/messages.js';

const CSID_OF_KIND = { audio: ChunkStreamId.Audio, video: ChunkStreamId.Video, data: ChunkStreamId.OverStream };

export interface RtmpPlayerEvents {
  /** The native side gave up on this player's socket (peer gone, write error). */
  onDead(reason: string): void;
}

export class RtmpOutput implements SourceOutput {
  readonly chunkSize: number;
  private readonly log: PlayerLog;
  private readonly players = new Map<number, RtmpPlayerEvents>();
  /** Stream time of the last audio/video message: the fan-out log's clock for lag checks. */
  private lastTimestamp = 0;

  constructor(private readonly options: LiveOptions) {
    this.chunkSize = options.chunkSize;
    this.log = new PlayerLog(options, (playerId, kind, detail) => {
      if (kind === 'dead') this.players.get(playerId)?.onDead(detail);
      else log.verbose(`rtmp player ${playerId}: ${kind} ${detail}`);
    });
  }

  static of(source: LiveSource): RtmpOutput {
    let output = source.findOutput(RtmpOutput);
    if (!output) {
      output = new RtmpOutput(source.options);
      source.addOutput(output);
    }
    return output;
  }

  encode(packet: MediaPacket): Buffer {
    const message = {
      csid: CSID_OF_KIND[packet.kind],
      typeId: MEDIA_TYPE_ID[packet.kind],
      timestamp: packet.timestamp,
      streamId: PLAY_STREAM_ID,
      payload: packet.payload,
    };
    return encodeRtmpMessage(message, this.chunkSize);
  }

  /** Frames matter only to a log, which exists only while someone plays. */
  wantsFrames(): boolean {
    return this.log.isOpen;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    const randomAccess = source.isRandomAccess(packet);
    // Script data is stamped 0 under time_jitter full whatever the stream time; the fan-out
    // measures lag by these times, so a player stopped just before it would look far behind
    // and skip a GOP. The log gets the stream's current time for it instead.
    if (packet.kind !== 'data') this.lastTimestamp = packet.timestamp;
    if (this.log.isOpen) this.log.append(this.encode(packet), this.lastTimestamp, randomAccess);
  }

  /** The source's cached GOP as log messages, for a log opened mid-stream. */
  private *seed(source: LiveSource): Iterable<SeedMessage> {
    let logTime = 0;
    for (const { item: packet, randomAccess } of source.gop.snapshot()) {
      if (packet.kind !== 'data') logTime = packet.timestamp;
      yield { bytes: this.encode(packet), timestampMs: logTime, randomAccess };
    }
  }

  onUnpublish(source: LiveSource): void {
    const payload = encodeOnStatus({ code: 'NetStream.Play.UnpublishNotify', description: 'stream is now unpublished' });
    const notify = { csid: ChunkStreamId.OverStream, typeId: RtmpMessageType.CommandAmf0, timestamp: 0, streamId: PLAY_STREAM_ID, payload };
    // Logged at the stream's current time, not 0: the fan-out measures a player's lag by
    // timestamps, and a 0 would make a player still before it look far behind the next session.
    this.lastTimestamp = Math.max(this.lastTimestamp, source.latestTimestamp);
    this.log.append(encodeRtmpMessage(notify, this.chunkSize), this.lastTimestamp, false);
    this.log.flushNow();
  }

  /**
   * Hands a player's socket to the native fan-out. `control` is what the play command must
   * answer first; the source's metadata and sequence headers follow, then the gop cache.
   * The socket's own write queue must be empty: from here on only the fan-out writes to it.
   */
  attach(socket: Socket, control: Buffer[], source: LiveSource, events: RtmpPlayerEvents): number {
    const startup = source.startupPackets().map((packet) => this.encode(packet));
    // The log may still cache the previous session's GOP, decodable only with its sequence
    // headers: players joining before the new session's first keyframe start live (SRS
    // clears its gop cache on unpublish for the same reason).
    const fromGop = this.options.gopCache && source.isPublishing && source.randomAccessSincePublish;
    const fanout = this.log.open(() => this.seed(source));
    try {
      const id = fanout.addSocket(socket, [...control, ...startup], fromGop);
      this.players.set(id, events);
      return id;
    } finally {
      if (this.players.size === 0) this.log.release();
    }
  }

  /** A control message for one player (pause replies, ping...), after its current message. */
  send(playerId: number, bytes: Buffer): void {
    this.log.current?.send(playerId, bytes);
  }

  detach(playerId: number): number {
    if (!this.players.delete(playerId)) return 0;
    const sent = this.log.current?.removePlayer(playerId)?.bytesSent ?? 0;
    if (this.players.size === 0) this.log.release();
    return sent;
  }

  playerBytesSent(playerId: number): number {
    return this.log.current?.playerStats(playerId)?.bytesSent ?? 0;
  }

  /** The fan-out's retained log and totals (memory checks, API); empty while nobody plays. */
  stats(): FanoutStats {
    return this.log.stats();
  }

  playerStats(playerId: number): FanoutPlayerStats | undefined {
    return this.log.current?.playerStats(playerId);
  }

  get playerCount(): number {
    return this.players.size;
  }

  isActive(): boolean {
    return this.players.size > 0;
  }

  close(): void {
    for (const events of this.players.values()) events.onDead('stream source closed');
    this.players.clear();
    this.log.release();
  }
}
