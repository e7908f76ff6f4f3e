/**
 * An in-process server for the DVR, exec, ingest and transcode tests: the RTMP service on an
 * ephemeral loopback port, live sources configured from an SRS config text (so vhost sections
 * are what a user would write), and helpers to wait on streams and ffprobe files and URLs.
 * Shared by test/app/{dvr,exec,ingest,transcode}.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { diffConfig, findVhost, loadConfigFromText, resolveVhost, type ConfigDiff, type ServerConfig } from '../../../src/core/config/index.js';
import type { LiveContext } from '../../../src/app/live/context.js';
import { DEFAULT_LIVE_OPTIONS, liveOptionsFromVhost } from '../../../src/app/live/options.js';
import type { LiveSource } from '../../../src/app/live/source.js';
import { SourceRegistry } from '../../../src/app/live/source-registry.js';
import { RtmpServer } from '../../../src/app/rtmp/server.js';

const run = promisify(execFile);

export interface TestServer {
  port: number;
  ctx: LiveContext;
  sources: SourceRegistry;
  config(): ServerConfig;
  /** Loads a new config text; returns the diff a reload would apply. */
  setConfig(text: string): ConfigDiff;
  /** `rtmp://127.0.0.1:PORT/` + path. */
  url(path: string): string;
  source(vhost: string, app: string, stream: string): LiveSource | undefined;
  close(): Promise<void>;
}

export function parseConfig(text: string): ServerConfig {
  return loadConfigFromText(text, 'test.conf', (p) => readFileSync(p, 'utf8')).config;
}

export async function startTestServer(configText: string): Promise<TestServer> {
  let config = parseConfig(configText);
  const liveOptions = (vhost: string) => {
    const found = resolveVhost(config, vhost);
    return found ? liveOptionsFromVhost(found) : DEFAULT_LIVE_OPTIONS;
  };
  const sources = new SourceRegistry(liveOptions, 1000);
  const ctx: LiveContext = {
    sources,
    liveOptions,
    knownVhost: (name) => findVhost(config, name)?.enabled === true,
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
    config: () => config,
    setConfig(text) {
      const next = parseConfig(text);
      const diff = diffConfig(config, next);
      config = next;
      return diff;
    },
    url: (path) => `rtmp://127.0.0.1:${port}/${path}`,
    source: (vhost, app, stream) => sources.find(vhost, app, stream),
    async close() {
      await server.stopAccepting();
      server.closeSessions('test over');
      sources.close();
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export interface ProbedFile {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; nb_read_packets?: string }[];
  format: { duration?: string; format_name: string };
  packets: { codec_type: string; pts_time?: string; flags?: string }[];
}

/** ffprobe of a file or URL: streams, format and every packet (with `seconds`, only that much of a live URL). */
export async function probe(target: string, seconds?: number): Promise<ProbedFile> {
  const args = ['-v', 'error', '-show_streams', '-show_format', '-show_packets', '-of', 'json'];
  if (seconds !== undefined) args.push('-rw_timeout', '10000000', '-read_intervals', `%+${seconds}`);
  const { stdout } = await run('ffprobe', [...args, target], { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
  return JSON.parse(stdout) as ProbedFile;
}

/** Living direct children of `pid` whose command line contains `needle` (Linux /proc). */
export function childrenOf(pid: number, needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== pid || state === 'Z') continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether a pid is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
