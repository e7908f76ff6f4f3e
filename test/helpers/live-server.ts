/**
 * Starts the RTMP service in-process on an ephemeral loopback port, with a given set of
 * live options, for integration tests that talk to it over real sockets.
 */
import { DEFAULT_LIVE_OPTIONS, type LiveOptions } from '../../src/app/live/options.js';
import { SourceRegistry } from '../../src/app/live/source-registry.js';
import type { LiveContext } from '../../src/app/live/context.js';
import { RtmpServer } from '../../src/app/rtmp/server.js';

export interface TestRtmpServer {
  port: number;
  ctx: LiveContext;
  server: RtmpServer;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startRtmpServer(options: Partial<LiveOptions> = {}, port = 0): Promise<TestRtmpServer> {
  const live = { ...DEFAULT_LIVE_OPTIONS, ...options };
  const sources = new SourceRegistry(() => live, 2000);
  const ctx: LiveContext = {
    sources,
    liveOptions: () => live,
    knownVhost: () => false,
    guards: {},
    clients: new Map(),
  };
  const server = new RtmpServer(ctx);
  await server.listen([{ host: '127.0.0.1', port }]);
  const realPort = server.ports[0]!;
  return {
    port: realPort,
    ctx,
    server,
    url: (path) => `rtmp://127.0.0.1:${realPort}/${path}`,
    async close() {
      await server.stopAccepting();
      server.closeSessions('test over');
      await sources.close();
    },
  };
}
