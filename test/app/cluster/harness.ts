/**
 * Cluster test nodes: each an in-process tsrs (its own sources, live context, RTMP server,
 * ClusterService; optionally the HTTP API and the HTTP stream server) configured from SRS
 * config text, on ephemeral loopback ports. `@RTMP@` in the text becomes the node's RTMP
 * `127.0.0.1:PORT`, so its /api/v1/clusters answers name the real port.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findVhost, loadConfigFromText, resolveVhost, type ServerConfig } from '../../../src/core/config/index.js';
import { setLogLevel } from '../../../src/core/logger.js';
import { ApiServer } from '../../../src/app/api/api-server.js';
import { ClusterService, type ClusterServiceDeps } from '../../../src/app/cluster/cluster-service.js';
import { HttpStreamServer } from '../../../src/app/http/server.js';
import type { LiveContext } from '../../../src/app/live/context.js';
import { DEFAULT_LIVE_OPTIONS, liveOptionsFromVhost } from '../../../src/app/live/options.js';
import { SourceRegistry } from '../../../src/app/live/source-registry.js';
import type { LiveSource } from '../../../src/app/live/source.js';
import { RtmpServer } from '../../../src/app/rtmp/server.js';
import { createServerIdentity } from '../../../src/app/stats/identity.js';
import { StatsRegistry } from '../../../src/app/stats/stats-registry.js';
import { DEFAULT_VHOST } from '../../../src/kernel/stream-url.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { syntheticStream, sendPaced } from '../../helpers/rtmp-media.js';

export interface NodeOptions {
  api?: boolean;
  http?: boolean;
  /** Bind RTMP to this port (a test that starts a node where another expected it). */
  rtmpPort?: number;
  cluster?: Omit<ClusterServiceDeps, 'ctx' | 'getConfig'>;
}

export interface ClusterNode {
  config: ServerConfig;
  ctx: LiveContext;
  cluster: ClusterService;
  rtmpPort: number;
  apiPort: number;
  httpPort: number;
  rtmpUrl(path: string): string;
  source(app: string, stream: string, vhost?: string): LiveSource | undefined;
  /** Connected clients of a kind (rtmp-play, fmle-publish...). */
  count(kind: string): number;
  waitPublishing(app: string, stream: string, vhost?: string, frames?: number): Promise<LiveSource>;
  close(): Promise<void>;
}

/** Fast retries and idle closes so tests see them within seconds. */
export const FAST_CLUSTER: NonNullable<NodeOptions['cluster']> = {
  edge: { idleCloseMs: 500, timeoutMs: 3000, backoff: { initialMs: 200, maxMs: 1000 }, stableMs: 2000, push: { backoff: { initialMs: 200, maxMs: 1000 }, timeoutMs: 3000 } },
  forward: { pusher: { backoff: { initialMs: 200, maxMs: 1000 }, timeoutMs: 3000 } },
  coworkerTimeoutMs: 2000,
};

export async function startNode(text: string, options: NodeOptions = {}): Promise<ClusterNode> {
  setLogLevel('warn');
  let config: ServerConfig | undefined;
  const getConfig = () => config!;
  const liveOptions = (vhost: string) => {
    const found = config && resolveVhost(config, vhost);
    return found ? liveOptionsFromVhost(found) : DEFAULT_LIVE_OPTIONS;
  };
  const sources = new SourceRegistry(liveOptions, 2000);
  const ctx: LiveContext = {
    sources,
    liveOptions,
    knownVhost: (name) => (config ? findVhost(config, name)?.enabled === true : false),
    guards: {},
    clients: new Map(),
  };
  const rtmp = new RtmpServer(ctx);
  await rtmp.listen([{ host: '127.0.0.1', port: options.rtmpPort ?? 0 }]);
  const rtmpPort = rtmp.ports[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'tsrs-cluster-'));
  config = loadConfigFromText(text.replaceAll('@RTMP@', `127.0.0.1:${rtmpPort}`).replaceAll('@DIR@', dir), 'test.conf', (p) => {
    throw new Error(`no include ${p} in tests`);
  }).config;
  const cluster = new ClusterService({ ctx, getConfig, ...options.cluster });
  cluster.install();
  let stats: StatsRegistry | undefined;
  let api: ApiServer | undefined;
  if (options.api) {
    stats = new StatsRegistry({ ctx, getConfig, identity: createServerIdentity('') });
    api = new ApiServer({ ctx, stats, requestReload: () => undefined });
    await api.start(config);
  }
  let http: HttpStreamServer | undefined;
  if (options.http) {
    http = new HttpStreamServer(ctx, getConfig);
    await http.start(config);
  }
  const vhostOf = (vhost?: string) => vhost ?? DEFAULT_VHOST;
  const node: ClusterNode = {
    config,
    ctx,
    cluster,
    rtmpPort,
    apiPort: api?.ports.http[0] ?? 0,
    httpPort: http?.ports.http[0] ?? 0,
    rtmpUrl: (path) => `rtmp://127.0.0.1:${rtmpPort}/${path}`,
    source: (app, stream, vhost) => sources.find(vhostOf(vhost), app, stream),
    count: (kind) => [...ctx.clients.values()].filter((c) => c.info.kind === kind).length,
    async waitPublishing(app, stream, vhost, frames = 10) {
      for (let i = 0; i < 200; i++) {
        const source = sources.find(vhostOf(vhost), app, stream);
        if (source?.isPublishing && source.counters.videoFrames >= frames) return source;
        await sleep(50);
      }
      throw new Error(`${vhostOf(vhost)}/${app}/${stream} is not publishing on :${rtmpPort}`);
    },
    async close() {
      await cluster.close();
      await http?.close();
      await api?.close();
      stats?.close();
      await rtmp.stopAccepting();
      rtmp.closeSessions('test over');
      await sources.close();
    },
  };
  return node;
}

export interface SyntheticPublisher {
  client: RtmpClient;
  stop(): Promise<void>;
}

/**
 * Publishes synthetic H.264/AAC in real time (25 fps, a keyframe a second) until stopped or
 * `seconds` of media were sent; frames carry their index (see rtmp-media.ts).
 */
export async function publishSynthetic(url: string, seconds = 30, options: { firstIndex?: number } = {}): Promise<SyntheticPublisher> {
  const client = await RtmpClient.connect(url);
  await client.publish();
  client.sendMetadata({ width: 320, height: 240, framerate: 25, videocodecid: 7, audiocodecid: 10 });
  let stopped = false;
  const messages = syntheticStream({ frames: seconds * 25, fps: 25, gop: 25, audioPerVideo: 1, firstIndex: options.firstIndex ?? 0 });
  const done = sendPaced(client, messages, { stop: () => stopped }).catch(() => 0);
  return {
    client,
    async stop() {
      stopped = true;
      await done;
      await client.close().catch(() => undefined);
    },
  };
}

export async function waitUntil(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
