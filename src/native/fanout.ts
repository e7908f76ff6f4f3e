/**
 * The typed facade over the native FanoutLog: one stream's pre-encoded messages written to
 * every player socket by native code, one merged write per player per flush.
 *
 * JavaScript decides what to append and when to flush (e.g. every ~350 ms, or after each
 * append for min_latency); it never touches a player's bytes. A socket handed over with
 * addSocket() keeps being read by Node (RTMP control input) but must never be written from
 * JS again: the native side writes through its own dup of the fd. When the socket closes,
 * call removePlayer(): until then the dup keeps the connection open.
 */
import type { Socket } from 'node:net';

import { TsrsError } from '../core/errors.js';
import { socketHandle } from './socket-read.js';
import { addon } from './addon.js';

export interface FanoutOptions {
  /** A player further behind than this skips forward to the latest keyframe. Default 30000. */
  queueLimitMs?: number;
  /** New players start at the latest random access point. Default true. */
  gopCache?: boolean;
  /** A GOP longer than this many messages stops being cached. Default 2500. */
  gopCacheMaxFrames?: number;
  /** Hard cap on bytes the log retains; laggards skip forward to stay under. Default 64 MiB. */
  maxLogBytes?: number;
}

export type FanoutPlayerState = 'active' | 'blocked' | 'dead';

export interface FanoutPlayerStats {
  state: FanoutPlayerState;
  bytesSent: number;
  /** Log messages this player skipped over (lag, memory cap, waiting for a keyframe). */
  dropped: number;
  /** Log messages not yet started for this player. */
  pendingMessages: number;
}

export interface FanoutRemovedPlayer {
  bytesSent: number;
  dropped: number;
}

export interface FanoutStats {
  players: number;
  messages: number;
  retainedBytes: number;
  /** Total over every player ever attached, removed ones included. */
  bytesSent: number;
}

/** 'dead': a write failed (the detail says why); 'skipped': the player lagged and lost messages. */
export type FanoutEventKind = 'dead' | 'skipped';
export type FanoutEventListener = (playerId: number, kind: FanoutEventKind, detail: string) => void;

/** The native class's shape, as native/addon/fanout_binding.cpp defines it. */
interface NativeFanoutLog {
  append(data: Uint8Array | readonly Uint8Array[], timestampMs: number, randomAccess: boolean): void;
  flush(): void;
  addPlayer(fd: number, preamble: readonly Uint8Array[], startAtGop: boolean): number;
  send(playerId: number, data: Uint8Array): boolean;
  removePlayer(playerId: number): FanoutRemovedPlayer | undefined;
  playerStats(playerId: number): FanoutPlayerStats | undefined;
  stats(): FanoutStats;
  onEvent(listener: FanoutEventListener | null): void;
  close(): void;
}

type NativeFanoutLogClass = new (options?: FanoutOptions) => NativeFanoutLog;

export class Fanout {
  private readonly native: NativeFanoutLog;

  constructor(options: FanoutOptions = {}) {
    this.native = new (addon.FanoutLog as NativeFanoutLogClass)(options);
  }

  /** Appends one message (an array is concatenated into one block); copied once, sent at the next flush. */
  private logTime = 0;

  append(data: Uint8Array | readonly Uint8Array[], timestampMs: number, randomAccess: boolean): void {
    // The log measures how far a player lags by timestamps, so they must never go back:
    // script data and notices stamped 0 (time_jitter full) take the stream's current time.
    this.logTime = Math.max(this.logTime, timestampMs);
    this.native.append(data, this.logTime, randomAccess);
  }

  /** One merged write per active player of everything it has not received yet. */
  flush(): void {
    this.native.flush();
  }

  /**
   * Attaches a socket fd (duplicated; the caller keeps the original). The preamble (metadata,
   * sequence headers) goes first; then the cached GOP when startAtGop, else the live edge.
   * Throws an Error with code 'BadFd' when the fd is not an open stream socket.
   */
  addPlayer(fd: number, preamble: readonly Uint8Array[], startAtGop: boolean): number {
    return this.native.addPlayer(fd, preamble, startAtGop);
  }

  /** Attaches a net.Socket; from now on only the native side writes to it. */
  addSocket(socket: Socket, preamble: readonly Uint8Array[], startAtGop: boolean): number {
    const where = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const fd = socketHandle(socket)?.fd;
    if (fd === undefined) {
      throw new TsrsError('SocketClosed', `fanout: socket ${where} has no fd (closed, or not a plain TCP socket)`);
    }
    // Bytes still queued inside Node would land after ours and corrupt the stream.
    if (socket.writableLength > 0) {
      throw new TsrsError(
        'SocketClosed',
        `fanout: socket ${where} has ${socket.writableLength} bytes queued in Node; wait for 'drain' or pass them as preamble`,
      );
    }
    try {
      return this.native.addPlayer(fd, preamble, startAtGop);
    } catch (err) {
      throw new TsrsError('SocketClosed', `fanout: cannot attach socket ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Queues a control block, written at the player's next message boundary. False if the player is unknown or dead. */
  send(playerId: number, data: Uint8Array): boolean {
    return this.native.send(playerId, data);
  }

  /** Detaches and closes the player's duplicated fd; undefined if unknown. */
  removePlayer(playerId: number): FanoutRemovedPlayer | undefined {
    return this.native.removePlayer(playerId);
  }

  playerStats(playerId: number): FanoutPlayerStats | undefined {
    return this.native.playerStats(playerId);
  }

  stats(): FanoutStats {
    return this.native.stats();
  }

  /** Rare events only (never per message), delivered from the event loop. */
  onEvent(listener: FanoutEventListener | null): void {
    this.native.onEvent(listener);
  }

  /** Removes every player and frees the log; later calls other than stats/removePlayer throw code 'Closed'. */
  close(): void {
    this.native.close();
  }
}
