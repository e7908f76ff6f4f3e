/**
 * An in-process RTMP server for the RTMP integration tests, like live-server.ts but with the
 * source registry's idle grace and sweep interval under the test's control.
 */
import { DEFAULT_LIVE_OPTIONS, type LiveOptions } from '../../src/app/live/options.js';
import { SourceRegistry } from '../../src/app/live/source-registry.js';
import type { LiveContext } from '../../src/app/live/context.js';
import type { LiveSource } from '../../src/app/live/source.js';
import { DEFAULT_VHOST } from '../../src/kernel/stream-url.js';
import { RtmpServer } from '../../src/app/rtmp/server.js';

export interface RtmpTestServerOptions {
  live?: Partial<LiveOptions>;
  idleGraceMs?: number;
  sweepIntervalMs?: number;
}

export interface RtmpTestServer {
  port: number;
  ctx: LiveContext;
  sources: SourceRegistry;
  server: RtmpServer;
  live: LiveOptions;
  /** `rtmp://127.0.0.1:PORT/` + path. */
  url(path: string): string;
  /** The default vhost's source for `app/stream`, if it exists. */
  source(path: string): LiveSource | undefined;
  close(): Promise<void>;
}

export async function startRtmpTestServer(options: RtmpTestServerOptions = {}): Promise<RtmpTestServer> {
  const live = { ...DEFAULT_LIVE_OPTIONS, ...options.live };
  const sources = new SourceRegistry(() => live, options.idleGraceMs ?? 2000, options.sweepIntervalMs);
  const ctx: LiveContext = {
    sources,
    liveOptions: () => live,
    knownVhost: () => false,
    guards: {},
    clients: new Map(),
  };
  const server = new RtmpServer(ctx);
  await server.listen([{ host: '127.0.0.1', port: 0 }]);
  const port = server.ports[0]!;
  return {
    port,
    ctx,
    sources,
    server,
    live,
    url: (path) => `rtmp://127.0.0.1:${port}/${path}`,
    source: (path) => {
      const [app, stream] = path.split('/') as [string, string];
      return sources.find(DEFAULT_VHOST, app, stream);
    },
    async close() {
      await server.stopAccepting();
      server.closeSessions('test over');
      sources.close();
    },
  };
}
