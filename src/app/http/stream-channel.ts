/**
 * One stream's players of one wire framing (chunked HTTP, or WebSocket frames): each message
 * is framed once and appended to a native fan-out log that writes it to every plain-TCP
 * player, starting new ones at the cached GOP; nothing runs in JavaScript per player per
 * message.
 *
 * TLS players cannot be written by the native side (it would bypass the encryption), so
 * they get a JavaScript sink instead: one shared buffer per message written to each, starting
 * at the next random access point and skipping to the next one when the socket backs up.
 */
import type { Socket } from 'node:net';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { Fanout } from '../../native/fanout.js';
import type { LiveOptions } from '../live/options.js';
import { MergedWrites } from '../live/merged-writes.js';

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
  private readonly fanout: Fanout;
  private readonly players = new Map<number, PlayerHooks>();
  private readonly sinks = new Set<JsSink>();
  private readonly writes: MergedWrites;
  private readonly endTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    options: LiveOptions,
    readonly framing: ChannelFraming,
    private readonly label: string,
  ) {
    this.fanout = new Fanout({
      queueLimitMs: Math.max(1, options.queueLengthSeconds) * 1000,
      gopCache: options.gopCache,
      gopCacheMaxFrames: options.gopCacheMaxFrames,
    });
    this.writes = new MergedWrites(options, () => {
      if (!this.closed) this.fanout.flush();
    });
    this.fanout.onEvent((playerId, kind, detail) => {
      if (kind === 'dead') this.players.get(playerId)?.onDead(detail);
      else log.verbose(`${this.label} ${framing.name} player ${playerId}: ${kind} ${detail}`);
    });
  }

  get playerCount(): number {
    return this.players.size + this.sinks.size;
  }

  /** One stream message; `randomAccess` marks where a player may start. */
  append(payload: Uint8Array, timestampMs: number, randomAccess: boolean): void {
    if (this.closed || payload.length === 0) return;
    const parts = this.framing.frame(payload);
    this.fanout.append(parts, timestampMs, randomAccess);
    if (this.sinks.size > 0) this.writeSinks(Buffer.concat(parts), randomAccess);
    this.writes.scheduled();
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
    const id = this.fanout.addSocket(socket, preamble, startAtGop);
    this.players.set(id, hooks);
    let finalBytes: number | undefined;
    return {
      bytesSent: () => finalBytes ?? this.fanout.playerStats(id)?.bytesSent ?? 0,
      send: (bytes) => {
        if (finalBytes === undefined && !this.closed && this.fanout.send(id, bytes)) this.fanout.flush();
      },
      detach: () => {
        if (finalBytes === undefined) {
          this.players.delete(id);
          const last = this.fanout.playerStats(id)?.bytesSent ?? 0;
          finalBytes = this.fanout.removePlayer(id)?.bytesSent ?? last;
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
    const waiting = new Set(this.players.keys());
    const marked = new Set<number>();
    const startedAt = Date.now();
    const step = (): void => {
      if (this.closed) return;
      for (const id of waiting) {
        const stats = this.fanout.playerStats(id);
        if (!stats || stats.state === 'dead' || !this.players.has(id)) waiting.delete(id);
        else if (!marked.has(id) && stats.state === 'active' && stats.pendingMessages === 0 && this.fanout.send(id, this.framing.end)) marked.add(id);
      }
      this.fanout.flush();
      const timedOut = Date.now() - startedAt >= END_DRAIN_TIMEOUT_MS;
      for (const id of waiting) {
        const stats = this.fanout.playerStats(id);
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
    this.writes.now();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.writes.cancel();
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
    this.fanout.close();
  }
}
