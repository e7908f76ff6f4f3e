/**
 * The vhost, stream and client objects of SRS's /api/v1/vhosts, /streams and /clients,
 * key for key as SRS 6 writes them. A snapshot is taken once per request (one pass over
 * the sessions), so listing N streams does not cost N passes.
 */
import { DEFAULT_VHOST, streamKey, streamUrl } from '../../kernel/stream-url.js';
import type { ClientEntry } from '../live/context.js';
import type { KbpsView } from './kbps.js';
import type { StatsRegistry, VhostStats } from './stats-registry.js';
import type { StatsOutput } from './stream-stats.js';

export interface VhostJson {
  id: string;
  name: string;
  enabled: boolean;
  clients: number;
  streams: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: KbpsView;
  hls: { enabled: boolean; fragment?: number };
}

export interface StreamJson {
  id: string;
  name: string;
  vhost: string;
  app: string;
  tcUrl: string;
  url: string;
  live_ms: number;
  clients: number;
  frames: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: KbpsView;
  publish: { active: boolean; cid?: string };
  video: unknown;
  audio: unknown;
}

export interface ClientJson {
  id: string;
  vhost: string;
  stream: string;
  ip: string;
  pageUrl: string;
  swfUrl: string;
  tcUrl: string;
  url: string;
  name: string;
  type: string;
  publish: boolean;
  alive: number;
  send_bytes: number;
  recv_bytes: number;
  kbps: KbpsView;
}

/** Node reports IPv4 peers of dual-stack sockets as ::ffff:a.b.c.d; SRS shows a.b.c.d. */
export function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Clients that identified (published or played something), as SRS lists them. */
export function isIdentified(entry: ClientEntry): boolean {
  return entry.info.kind !== 'unknown' && !!entry.info.request?.stream;
}

/** SRS names HTTP clients by the requested file: test.flv, test.m3u8. */
export function clientStreamName(entry: ClientEntry): string {
  const { kind, request } = entry.info;
  const stream = request?.stream ?? '';
  if (/\.[a-z0-9]+$/i.test(stream)) return stream;
  if (kind === 'flv-play') return `${stream}.flv`;
  if (kind === 'hls-play') return `${stream}.m3u8`;
  return stream;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class StatsSnapshot {
  private readonly clientsPerStream = new Map<string, number>();
  private readonly clientsPerVhost = new Map<string, number>();
  private readonly tcUrlPerStream = new Map<string, string>();
  readonly identified: ClientEntry[] = [];

  constructor(private readonly stats: StatsRegistry) {
    stats.collect();
    for (const entry of stats.clients.values()) {
      if (!isIdentified(entry)) continue;
      const r = entry.info.request!;
      const key = streamKey(r.vhost, r.app, r.stream);
      this.identified.push(entry);
      this.clientsPerStream.set(key, (this.clientsPerStream.get(key) ?? 0) + 1);
      this.clientsPerVhost.set(r.vhost, (this.clientsPerVhost.get(r.vhost) ?? 0) + 1);
      if (!this.tcUrlPerStream.has(key) || entry.info.kind.endsWith('-publish')) this.tcUrlPerStream.set(key, r.tcUrl);
    }
    this.identified.sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0));
  }

  vhost(v: VhostStats): VhostJson {
    const config = this.stats.vhostConfig(v.name) ?? this.stats.vhostConfig(DEFAULT_VHOST);
    const hlsEnabled = config?.hls.enabled ?? false;
    let streams = 0;
    for (const s of this.stats.streams()) if (s.source.vhost === v.name) streams++;
    return {
      id: v.id,
      name: v.name,
      enabled: config?.enabled ?? true,
      clients: this.clientsPerVhost.get(v.name) ?? 0,
      streams,
      send_bytes: v.kbps.sendBytes,
      recv_bytes: v.kbps.recvBytes,
      kbps: v.kbps.view(),
      hls: hlsEnabled ? { enabled: true, fragment: config!.hls.hls_fragment } : { enabled: false },
    };
  }

  stream(s: StatsOutput): StreamJson {
    const source = s.source;
    const publisher = source.publisher?.clientId;
    if (publisher) s.publisherId = publisher;
    const tcUrl = this.tcUrlPerStream.get(source.key);
    if (tcUrl && (publisher || !s.tcUrl)) s.tcUrl = tcUrl;
    return {
      id: s.id,
      name: source.stream,
      vhost: this.stats.vhost(source.vhost).id,
      app: source.app,
      tcUrl: s.tcUrl || `rtmp://${source.vhost}/${source.app}`,
      url: source.url,
      live_ms: Date.now(),
      clients: this.clientsPerStream.get(source.key) ?? 0,
      frames: s.frames,
      send_bytes: s.kbps.sendBytes,
      recv_bytes: s.kbps.recvBytes,
      kbps: s.kbps.view(),
      publish: s.publisherId ? { active: source.isPublishing, cid: s.publisherId } : { active: source.isPublishing },
      video: source.isPublishing ? (s.video ?? null) : null,
      audio: source.isPublishing ? (s.audio ?? null) : null,
    };
  }

  client(entry: ClientEntry): ClientJson {
    const info = entry.info;
    const r = info.request!;
    const key = streamKey(r.vhost, r.app, r.stream);
    const tracked = this.stats.clientKbps(info.id);
    return {
      id: info.id,
      vhost: this.stats.vhost(r.vhost).id,
      stream: this.stats.streamOfKey(key)?.id ?? this.stats.streamIdFor(r.vhost, r.app, r.stream),
      ip: plainIp(info.ip),
      pageUrl: info.pageUrl,
      swfUrl: info.swfUrl,
      tcUrl: r.tcUrl,
      url: streamUrl(r.vhost, r.app, r.stream),
      name: clientStreamName(entry),
      type: info.kind,
      publish: info.kind.endsWith('-publish'),
      alive: round2((Date.now() - info.createdAt) / 1000),
      send_bytes: entry.bytesSent(),
      recv_bytes: info.bytesIn,
      kbps: tracked?.view() ?? { recv_30s: 0, send_30s: 0 },
    };
  }
}
