/**
 * One stream's players of one wire framing (chunked HTTP, or WebSocket frames): each message
 * is framed once and appended to a native fan-out log that writes it to every plain-TCP
 * player, starting new ones at the cached GOP; nothing runs in JavaScript per player per
 * message. A channel given a seed keeps its log only while it has players (see PlayerLog).
 *
 * TLS players cannot be written by the native side (it would bypass the encryption), so
 * they get a JavaScript sink instead: one shared buffer per message written to each, starting
 * at the next random access point and skipping to the next one when the socket backs up.
 */
import type { Socket } from 'node:net';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { Fanout } from '../../native/fanout.js';
import type { LiveOptions } from '../live/options.js';
import { PlayerLog, type SeedMessage } from '../live/player-log.js';

export interface ChannelFraming {
  readonly name: string;
  /** The pieces of one framed message around `payload` (copied once, by the fan-out). */
  frame(payload: Uint8Array): Uint8Array[];
  /** What ends the body gracefully (chunked last-chunk, WebSocket close). */
  readonly end: Buffer;
}

export interface PlayerHooks {
  /** The socket failed under the fan-out, or the stream went away: close it now. */
  onDead(reason: string): void;
  /** The stream ended and every byte including the end marker was written: close gracefully. */
  onEnded(): void;
}

/** The stream's cached GOP as unframed messages, for a log opened mid-stream. */
export type ChannelSeed = () => Iterable<{ payload: Uint8Array; timestampMs: number; randomAccess: boolean }>;

export interface ChannelPlayer {
  /** Bytes written to this player so far (preamble included). */
  bytesSent(): number;
  /** A control block (WebSocket pong/close) written between two messages. */
  send(bytes: Buffer): void;
  /** Leaves the channel; the returned total is final. Idempotent. */
  detach(): number;
}

/** A TLS player with more than this queued in Node skips forward to the next random access point. */
const JS_SINK_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** How long ending players may take to drain their last bytes before they are cut. */
const END_DRAIN_TIMEOUT_MS = 3000;
const END_POLL_MS = 50;

interface JsSink {
  socket: Socket;
  hooks: PlayerHooks;
  waitRap: boolean;
  bytes: number;
}

export class StreamChannel {
  private readonly log: PlayerLog;
  private readonly players = new Map<number, PlayerHooks>();
  private readonly sinks = new Set<JsSink>();
  private readonly endTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  /**
   * Without a seed (remuxers whose output depends on every earlier message), the log stays
   * open for the channel's whole life so it always holds the current GOP.
   */
  constructor(
    options: LiveOptions,
    readonly framing: ChannelFraming,
    private readonly label: string,
    private readonly seed?: ChannelSeed,
  ) {
    this.log = new PlayerLog(options, (playerId, kind, detail) => {
      if (kind === 'dead') this.players.get(playerId)?.onDead(detail);
      else log.verbose(`${this.label} ${framing.name} player ${playerId}: ${kind} ${detail}`);
    });
    if (!seed) this.log.open(() => []);
  }

  get playerCount(): number {
    return this.players.size + this.sinks.size;
  }

  /** True when an appended message would reach someone (or be kept for a later player). */
  get wantsMessages(): boolean {
    return !this.closed && (this.log.isOpen || this.sinks.size > 0);
  }

  /** One stream message; `randomAccess` marks where a player may start. */
  append(payload: Uint8Array, timestampMs: number, randomAccess: boolean): void {
    if (!this.wantsMessages || payload.length === 0) return;
    const parts = this.framing.frame(payload);
    this.log.append(parts, timestampMs, randomAccess);
    if (this.sinks.size > 0) this.writeSinks(Buffer.concat(parts), randomAccess);
  }

  private openLog(): Fanout {
    return this.log.open(() => this.framedSeed());
  }

  private *framedSeed(): Iterable<SeedMessage> {
    for (const message of this.seed?.() ?? []) {
      if (message.payload.length === 0) continue;
      yield { bytes: this.framing.frame(message.payload), timestampMs: message.timestampMs, randomAccess: message.randomAccess };
    }
  }

  /** The last native player left a channel that can reseed: free the log. */
  private releaseIfUnused(): void {
    if (this.seed && this.players.size === 0) this.log.release();
  }

  /**
   * Adds a player. `head` goes out raw (the HTTP response head), `body` framed (container
   * header, startup tags); then the cached GOP when `startAtGop`, else the live edge.
   * The socket must have nothing queued in Node: only the fan-out writes to it from now on.
   */
  attach(socket: Socket, head: Buffer, body: readonly Uint8Array[], startAtGop: boolean, hooks: PlayerHooks): ChannelPlayer {
    const preamble: Uint8Array[] = [head];
    for (const piece of body) preamble.push(...this.framing.frame(piece));
    if ((socket as Socket & { encrypted?: boolean }).encrypted) return this.attachSink(socket, preamble, hooks);
    const fanout = this.openLog();
    let id: number;
    try {
      id = fanout.addSocket(socket, preamble, startAtGop);
    } catch (err) {
      this.releaseIfUnused();
      throw err;
    }
    this.players.set(id, hooks);
    let finalBytes: number | undefined;
    // The log this player is on; once freed (channel closed) its calls would throw.
    const onLog = () => this.log.current === fanout;
    return {
      bytesSent: () => finalBytes ?? (onLog() ? (fanout.playerStats(id)?.bytesSent ?? 0) : 0),
      send: (bytes) => {
        if (finalBytes === undefined && !this.closed && onLog() && fanout.send(id, bytes)) fanout.flush();
      },
      detach: () => {
        if (finalBytes === undefined) {
          this.players.delete(id);
          finalBytes = onLog() ? (fanout.removePlayer(id)?.bytesSent ?? 0) : 0;
          this.releaseIfUnused();
        }
        return finalBytes;
      },
    };
  }

  private attachSink(socket: Socket, preamble: Uint8Array[], hooks: PlayerHooks): ChannelPlayer {
    const sink: JsSink = { socket, hooks, waitRap: true, bytes: 0 };
    for (const piece of preamble) this.writeSink(sink, piece);
    this.sinks.add(sink);
    return {
      bytesSent: () => sink.bytes,
      send: (bytes) => this.writeSink(sink, bytes),
      detach: () => {
        this.sinks.delete(sink);
        return sink.bytes;
      },
    };
  }

  private writeSinks(message: Buffer, randomAccess: boolean): void {
    for (const sink of this.sinks) {
      if (sink.waitRap && !randomAccess) continue;
      if (sink.socket.writableLength > JS_SINK_MAX_QUEUED_BYTES) {
        if (!sink.waitRap) log.verbose(`${this.label} tls player lags: ${sink.socket.writableLength} bytes queued, skipping to the next keyframe`);
        sink.waitRap = true;
        continue;
      }
      sink.waitRap = false;
      this.writeSink(sink, message);
    }
  }

  private writeSink(sink: JsSink, bytes: Uint8Array): void {
    if (sink.socket.destroyed || bytes.length === 0) return;
    sink.bytes += bytes.length;
    sink.socket.write(bytes);
  }

  /**
   * The stream ended (unpublished): every current player gets the end marker after the
   * messages it still has to receive, then is closed. Players that cannot drain in time are cut.
   */
  endPlayers(): void {
    if (this.closed) return;
    this.flushNow();
    for (const sink of [...this.sinks]) {
      this.sinks.delete(sink);
      this.writeSink(sink, this.framing.end);
      sink.hooks.onEnded();
    }
    const fanout = this.log.current;
    if (!fanout) return;
    const waiting = new Set(this.players.keys());
    const marked = new Set<number>();
    const startedAt = Date.now();
    const step = (): void => {
      if (this.closed || this.log.current !== fanout) return;
      for (const id of waiting) {
        const stats = fanout.playerStats(id);
        if (!stats || stats.state === 'dead' || !this.players.has(id)) waiting.delete(id);
        else if (!marked.has(id) && stats.state === 'active' && stats.pendingMessages === 0 && fanout.send(id, this.framing.end)) marked.add(id);
      }
      fanout.flush();
      const timedOut = Date.now() - startedAt >= END_DRAIN_TIMEOUT_MS;
      for (const id of waiting) {
        const stats = fanout.playerStats(id);
        const drained = marked.has(id) && stats?.state === 'active';
        if (!drained && !timedOut) continue;
        waiting.delete(id);
        const hooks = this.players.get(id);
        if (drained) hooks?.onEnded();
        else hooks?.onDead(`could not drain the end of the stream within ${END_DRAIN_TIMEOUT_MS} ms`);
      }
      if (waiting.size === 0) return;
      const timer = setTimeout(() => {
        this.endTimers.delete(timer);
        step();
      }, END_POLL_MS);
      this.endTimers.add(timer);
    };
    step();
  }

  flushNow(): void {
    this.log.flushNow();
  }

  close(reason: string): void {
    if (this.closed) return;
    for (const timer of this.endTimers) clearTimeout(timer);
    this.endTimers.clear();
    this.closed = true;
    // Players detach (and read their final byte counts) before the log goes away.
    const hooks = [...this.players.values(), ...[...this.sinks].map((s) => s.hooks)];
    for (const h of hooks) {
      try {
        h.onDead(reason);
      } catch (err) {
        log.warn(`${this.label}: closing a player failed: ${describeError(err)}`);
      }
    }
    this.players.clear();
    this.sinks.clear();
    this.log.release();
  }
}
