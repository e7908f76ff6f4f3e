/**
 * The RTMP service and the HTTP server in-process on ephemeral loopback ports, configured
 * from SRS config text, for tests that publish with FFmpeg and play over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findVhost, loadConfigFromText, resolveVhost, type ServerConfig } from '../../../src/core/config/index.js';
import type { LiveContext } from '../../../src/app/live/context.js';
import { DEFAULT_LIVE_OPTIONS, liveOptionsFromVhost } from '../../../src/app/live/options.js';
import { SourceRegistry } from '../../../src/app/live/source-registry.js';
import type { LiveSource } from '../../../src/app/live/source.js';
import { RtmpServer } from '../../../src/app/rtmp/server.js';
import { HttpStreamServer } from '../../../src/app/http/server.js';
import { setLogLevel } from '../../../src/core/logger.js';

export interface HttpHarness {
  config: ServerConfig;
  ctx: LiveContext;
  rtmp: RtmpServer;
  http: HttpStreamServer;
  /** http_server.dir */
  dir: string;
  httpPort: number;
  httpsPort: number;
  rtmpUrl(path: string): string;
  httpUrl(path: string): string;
  /** Loads new config text (same placeholders) and applies it like a SIGHUP. */
  reload(text: string): Promise<void>;
  waitPublishing(vhost: string, app: string, stream: string, frames?: number): Promise<LiveSource>;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl. */
export function makeSelfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { key, cert };
}

/** `@DIR@`, `@KEY@`, `@CERT@` in the text are replaced by the harness's paths. */
export async function startHttpHarness(text: string): Promise<HttpHarness> {
  // Fifty players log a lot at trace level; warnings (refusals, bad input) stay visible.
  setLogLevel('warn');
  const base = mkdtempSync(join(tmpdir(), 'tsrs-http-'));
  const dir = join(base, 'html');
  execFileSync('mkdir', ['-p', dir]);
  const { key, cert } = makeSelfSignedCert(base);
  const load = (t: string) =>
    loadConfigFromText(t.replaceAll('@DIR@', dir).replaceAll('@KEY@', key).replaceAll('@CERT@', cert), 'test.conf', (p) =>
      readFileSync(p, 'utf8'),
    ).config;
  let config = load(text);
  const liveOptions = (vhost: string) => {
    const found = resolveVhost(config, vhost);
    return found ? liveOptionsFromVhost(found) : DEFAULT_LIVE_OPTIONS;
  };
  const sources = new SourceRegistry(liveOptions, 2000);
  const ctx: LiveContext = {
    sources,
    liveOptions,
    knownVhost: (name) => findVhost(config, name)?.enabled === true,
    guards: {},
    clients: new Map(),
  };
  const rtmp = new RtmpServer(ctx);
  await rtmp.listen([{ host: '127.0.0.1', port: 0 }]);
  const http = new HttpStreamServer(ctx, () => config);
  await http.start(config);
  const rtmpPort = rtmp.ports[0]!;
  const harness: HttpHarness = {
    get config() {
      return config;
    },
    ctx,
    rtmp,
    http,
    dir,
    get httpPort() {
      return http.ports.http[0]!;
    },
    get httpsPort() {
      return http.ports.https[0] ?? 0;
    },
    rtmpUrl: (path) => `rtmp://127.0.0.1:${rtmpPort}/${path}`,
    httpUrl: (path) => `http://127.0.0.1:${http.ports.http[0]}/${path}`,
    async reload(next) {
      const { diffConfig } = await import('../../../src/core/config/index.js');
      const old = config;
      config = load(next);
      await http.reload(config, diffConfig(old, config));
    },
    async waitPublishing(vhost, app, stream, frames = 25) {
      for (let i = 0; i < 200; i++) {
        const source = sources.find(vhost, app, stream);
        if (source?.isPublishing && source.counters.videoFrames + source.counters.audioFrames >= frames) return source;
        await sleep(50);
      }
      throw new Error(`${vhost}/${app}/${stream} is not publishing`);
    },
    async close() {
      await http.close();
      await rtmp.stopAccepting();
      rtmp.closeSessions('test over');
      sources.close();
    },
  };
  return harness;
}
