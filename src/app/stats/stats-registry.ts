/**
 * SRS's statistics as its HTTP API, exporter and heartbeat report them: vhosts, streams
 * and clients with SRS-style ids (`vid-xxxxxxx` for vhosts and streams, the session's
 * context id for clients), byte totals and 30 s kbps windows. A ticker samples every few
 * seconds; nothing here runs per packet except StatsOutput's counters.
 */
import { findVhost, type ServerConfig } from '../../core/config/index.js';
import { streamKey } from '../../kernel/stream-url.js';
import type { ClientEntry, ClientInfo, LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import { ClientTracker } from './client-tracker.js';
import { newStatId, type ServerIdentity } from './identity.js';
import { Kbps } from './kbps.js';
import { StatsOutput } from './stream-stats.js';
import { SystemStats } from './system-stats.js';

export const STATS_SAMPLE_INTERVAL_MS = 5_000;
/** A stream id handed out before its source exists (a hook ran first) is kept this long. */
const PENDING_ID_TTL_MS = 60_000;

export interface VhostStats {
  readonly id: string;
  readonly name: string;
  readonly kbps: Kbps;
}

export interface StatsRegistryOptions {
  ctx: LiveContext;
  getConfig: () => ServerConfig;
  identity: ServerIdentity;
  sampleIntervalMs?: number;
}

export class StatsRegistry {
  readonly identity: ServerIdentity;
  readonly system: SystemStats;
  /** The whole server's byte totals and kbps. */
  readonly server = new Kbps();
  /** Connections a listener refused before any session (max_connections). */
  connectionsRefused = 0;
  private readonly ctx: LiveContext;
  private readonly getConfig: () => ServerConfig;
  private readonly streamsById = new Map<string, StatsOutput>();
  private readonly streamsByKey = new Map<string, StatsOutput>();
  private readonly pendingIds = new Map<string, { id: string; at: number }>();
  private readonly vhosts = new Map<string, VhostStats>();
  private readonly tracker: ClientTracker;
  private readonly timer: NodeJS.Timeout;

  constructor(options: StatsRegistryOptions) {
    this.ctx = options.ctx;
    this.getConfig = options.getConfig;
    this.identity = options.identity;
    this.system = new SystemStats({ disks: options.getConfig().stats.disk });
    this.tracker = new ClientTracker(this.ctx.clients, (info, recv, send) => this.book(info, recv, send));
    this.ctx.sources.addOutputFactory((source) => this.attach(source));
    this.timer = setInterval(() => this.tick(), options.sampleIntervalMs ?? STATS_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  get clientsTotal(): number {
    return this.tracker.total;
  }

  get clientsErrors(): number {
    return this.tracker.errors;
  }

  /** The session table, for the API's listing and kicks. */
  get clients(): ReadonlyMap<string, ClientEntry> {
    return this.ctx.clients;
  }

  /** A guard ran for this client (connect, publish, play): count and follow it. */
  onClientSeen(info: ClientInfo): void {
    this.tracker.seen(info);
    if (info.request) this.vhost(info.request.vhost);
  }

  /** A client ended; returns the bytes it was sent in all (for on_close's send_bytes). */
  onClientClosed(info: ClientInfo): number {
    return this.tracker.closed(info);
  }

  onConnectionRefused(): void {
    this.connectionsRefused++;
  }

  /**
   * The stats id of a stream, also before its source exists: hooks run before the source
   * is created and SRS's on_publish already carries the stream_id.
   */
  streamIdFor(vhost: string, app: string, stream: string): string {
    const key = streamKey(vhost, app, stream);
    const output = this.streamsByKey.get(key);
    if (output) return output.id;
    let pending = this.pendingIds.get(key);
    if (!pending) {
      pending = { id: newStatId(), at: Date.now() };
      this.pendingIds.set(key, pending);
    }
    return pending.id;
  }

  findStream(id: string): StatsOutput | undefined {
    return this.streamsById.get(id);
  }

  streamOfKey(key: string): StatsOutput | undefined {
    return this.streamsByKey.get(key);
  }

  /** Streams ordered by id, as SRS's map iterates them. */
  streams(): StatsOutput[] {
    return [...this.streamsById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  vhostList(): VhostStats[] {
    return [...this.vhosts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  findVhostById(id: string): VhostStats | undefined {
    for (const v of this.vhosts.values()) if (v.id === id) return v;
    return undefined;
  }

  /** The vhost's stats, created on first use (SRS lists only vhosts that saw traffic). */
  vhost(name: string): VhostStats {
    let v = this.vhosts.get(name);
    if (!v) {
      v = { id: newStatId(), name, kbps: new Kbps() };
      this.vhosts.set(name, v);
    }
    return v;
  }

  vhostConfig(name: string): ReturnType<typeof findVhost> {
    return findVhost(this.getConfig(), name);
  }

  clientKbps(id: string): Kbps | undefined {
    return this.tracker.get(id)?.kbps;
  }

  /** Books every client's bytes up to now (cheap: one pass over the sessions). */
  collect(): void {
    this.tracker.collect();
  }

  /** One sampling period: book bytes, push kbps samples, read /proc, drop stale ids. */
  tick(now = Date.now()): void {
    this.collect();
    this.tracker.sample(now);
    for (const s of this.streamsById.values()) s.kbps.sample(now);
    for (const v of this.vhosts.values()) v.kbps.sample(now);
    this.server.sample(now);
    this.system.setOptions({ disks: this.getConfig().stats.disk });
    this.system.sample(now);
    for (const [key, pending] of this.pendingIds) if (now - pending.at > PENDING_ID_TTL_MS) this.pendingIds.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private attach(source: LiveSource): void {
    if (source.findOutput(StatsOutput)) return;
    const pending = this.pendingIds.get(source.key);
    this.pendingIds.delete(source.key);
    const output = new StatsOutput(pending?.id ?? newStatId(), source, (closed) => {
      this.streamsById.delete(closed.id);
      if (this.streamsByKey.get(source.key) === closed) this.streamsByKey.delete(source.key);
    });
    source.addOutput(output);
    this.streamsById.set(output.id, output);
    this.streamsByKey.set(source.key, output);
    this.vhost(source.vhost);
  }

  private book(info: ClientInfo, recv: number, send: number): void {
    this.server.add(recv, send);
    const request = info.request;
    if (!request) return;
    this.vhost(request.vhost).kbps.add(recv, send);
    if (request.stream) this.streamsByKey.get(streamKey(request.vhost, request.app, request.stream))?.kbps.add(recv, send);
  }
}
