/**
 * What every service's sessions (RTMP, HTTP-FLV, WebRTC, SRT...) share: the live sources,
 * the vhost settings, the connected clients and the guards that may refuse them. Passed in
 * rather than imported as globals, so tests and reloads can give each server its own.
 */
import type { StreamRequest } from '../../kernel/stream-url.js';
import type { LiveOptions } from './options.js';
import type { SourceRegistry } from './source-registry.js';
import type { LiveSource } from './source.js';

/** SRS's client types as the API reports them. */
export type ClientKind =
  | 'fmle-publish'
  | 'flash-publish'
  | 'haivision-publish'
  | 'rtmp-play'
  | 'flv-play'
  | 'hls-play'
  | 'rtc-play'
  | 'rtc-publish'
  | 'srt-play'
  | 'srt-publish'
  | 'unknown';

/** A connected client as services (API, hooks, security) see it. */
export interface ClientInfo {
  readonly id: string;
  readonly ip: string;
  readonly createdAt: number;
  kind: ClientKind;
  request: StreamRequest | undefined;
  pageUrl: string;
  swfUrl: string;
  bytesIn: number;
  bytesOut: number;
  /**
   * Why the session ended when that was an error rather than a normal close (peer left,
   * unpublish, kick); set before guards.onClose. Counted in srs_clients_errs_total.
   */
  closeError?: string;
}

/**
 * Checks that may refuse a client (security rules, hooks). Each rejects with a TsrsError
 * to deny; the notifications never block teardown.
 */
export interface ClientEntry {
  info: ClientInfo;
  kick(reason: string): void;
  /** Bytes sent to the client so far, including what the native fan-out wrote. */
  bytesSent(): number;
}

export interface SessionGuards {
  onConnect?(client: ClientInfo): Promise<void>;
  onPublish?(client: ClientInfo): Promise<void>;
  onPlay?(client: ClientInfo): Promise<void>;
  onUnpublish?(client: ClientInfo): void;
  onStop?(client: ClientInfo): void;
  onClose?(client: ClientInfo): void;
}

export interface LiveContext {
  readonly sources: SourceRegistry;
  liveOptions(vhost: string): LiveOptions;
  knownVhost(name: string): boolean;
  guards: SessionGuards;
  /** Every live session, for the API and kicks. */
  readonly clients: Map<string, ClientEntry>;
  /** A listener refused a connection before any session existed (max_connections); for stats. */
  onConnectionRefused?(ip: string, reason: string): void;
  /** Edge and origin-cluster behaviour; absent on a plain origin. */
  cluster?: ClusterHooks;
}

/**
 * What a cluster role adds to plays and publishes: an edge pulls a stream from its origin
 * while someone plays it and pushes what is published to it; an origin cluster sends a
 * player to the coworker that has the stream (RTMP 302).
 */
export interface ClusterHooks {
  /** Before a play: an RTMP URL to redirect the player to, or undefined to serve it here. */
  locateStream?(request: StreamRequest): Promise<string | undefined>;
  /** A player started on a source (any protocol). */
  onPlayerJoin?(source: LiveSource, client: ClientInfo): void;
  /** A player left a source. */
  onPlayerLeave?(source: LiveSource, client: ClientInfo): void;
  /** A client started publishing a source. */
  onPublisherJoin?(source: LiveSource, client: ClientInfo): void;
}
