/**
 * The in-process RTMP server plus the HTTP API, stats, hooks and guards wired as the server
 * layer does, on ephemeral loopback ports, for API / hooks / security integration tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfigFromText, type ServerConfig } from '../../src/core/config/index.js';
import { ApiServer } from '../../src/app/api/api-server.js';
import { HttpHooks } from '../../src/app/hooks/http-hooks.js';
import { ExporterServer } from '../../src/app/metrics/exporter-server.js';
import { createGuards } from '../../src/app/security/guards.js';
import { createServerIdentity } from '../../src/app/stats/identity.js';
import { StatsRegistry } from '../../src/app/stats/stats-registry.js';
import { startRtmpServer, type TestRtmpServer } from './live-server.js';

export function loadTestConfig(text: string): ServerConfig {
  return loadConfigFromText(text, 'test.conf', (p) => {
    throw new Error(`no include ${p} in tests`);
  }).config;
}

export interface ApiHarness {
  rtmp: TestRtmpServer;
  config: ServerConfig;
  stats: StatsRegistry;
  hooks: HttpHooks;
  api: ApiServer;
  exporter: ExporterServer;
  apiUrl(path: string): string;
  reloads: number;
  close(): Promise<void>;
}

export async function startApiHarness(confText: string, options: { hookTimeoutMs?: number; sampleIntervalMs?: number } = {}): Promise<ApiHarness> {
  const rtmp = await startRtmpServer({ mwLatencyMs: 100 });
  const config = loadTestConfig(confText);
  const getConfig = () => config;
  const identity = createServerIdentity(config.server_id);
  const stats = new StatsRegistry({ ctx: rtmp.ctx, getConfig, identity, sampleIntervalMs: options.sampleIntervalMs ?? 500 });
  const hooks = new HttpHooks({
    getConfig,
    identity,
    streamIdFor: (vhost, app, stream) => stats.streamIdFor(vhost, app, stream),
    timeoutMs: options.hookTimeoutMs ?? 5000,
  });
  rtmp.ctx.guards = createGuards({ getConfig, hooks, stats });
  rtmp.ctx.onConnectionRefused = () => stats.onConnectionRefused();
  const harness: ApiHarness = {
    rtmp,
    config,
    stats,
    hooks,
    api: undefined as unknown as ApiServer,
    exporter: new ExporterServer(stats),
    reloads: 0,
    apiUrl: (path) => `http://127.0.0.1:${harness.api.ports.http[0]}${path}`,
    async close() {
      await harness.api.close();
      await harness.exporter.close();
      stats.close();
      await rtmp.close();
    },
  };
  harness.api = new ApiServer({ ctx: rtmp.ctx, stats, requestReload: () => void harness.reloads++ });
  await harness.api.start(config);
  await harness.exporter.start(config);
  return harness;
}

export interface RecordedHook {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A callback server: records every request and answers with `respond` (async allowed). */
export interface HookServer {
  url(path: string): string;
  requests: RecordedHook[];
  respond: (req: RecordedHook, res: ServerResponse) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const hs: HookServer = {
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests: [],
    respond: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"code":0}');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const rec: RecordedHook = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      hs.requests.push(rec);
      Promise.resolve(hs.respond(rec, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return hs;
}

/** Polls until fn returns a truthy value or the time runs out (then throws, naming `what`). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the caller asserts on the text
  }
  return { status: res.status, body, headers: res.headers };
}
