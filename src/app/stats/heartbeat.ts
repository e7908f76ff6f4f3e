/**
 * SRS's heartbeat: every heartbeat.interval seconds, POST {device_id, ip[, summaries][, ports]}
 * to heartbeat.url so a management system knows the server is alive. Failures are logged
 * and retried at the next beat; a slow receiver never stacks requests.
 */
import { networkInterfaces } from 'node:os';
import type { ConfigDiff, ServerConfig } from '../../core/config/index.js';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { SRS_COMPAT_VERSION } from '../../core/version.js';
import { sendHookRequest } from '../hooks/hook-client.js';
import type { Service } from '../service.js';
import type { StatsRegistry } from './stats-registry.js';
import { isPrivateIPv4 } from './system-stats.js';

/** The address SRS reports: the first public IPv4, else the first private one, else loopback. */
export function serverIp(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => a.family === 'IPv4' && !a.internal);
  return (all.find((a) => !isPrivateIPv4(a.address)) ?? all[0])?.address ?? '127.0.0.1';
}

const port = (e: { host: string; port: number }) => (e.host === '0.0.0.0' ? String(e.port) : `${e.host}:${e.port}`);

export function heartbeatBody(config: ServerConfig, stats: StatsRegistry): Record<string, unknown> {
  const hb = config.heartbeat;
  const body: Record<string, unknown> = { device_id: hb.device_id, ip: serverIp() };
  if (hb.summaries) {
    stats.collect();
    body.summaries = stats.system.summaries(
      { recvBytes: stats.server.recvBytes, sendBytes: stats.server.sendBytes, clients: stats.clients.size },
      SRS_COMPAT_VERSION,
    );
  }
  if (hb.ports) {
    body.rtmp = config.listen.map(port);
    body.http = config.http_server.enabled ? config.http_server.listen.map(port) : [];
    body.api = config.http_api.enabled ? config.http_api.listen.map(port) : [];
    body.srt = config.srt_server.enabled ? config.srt_server.listen.map(port) : [];
    body.rtc = config.rtc_server.enabled ? config.rtc_server.listen.map(port) : [];
  }
  return body;
}

export class Heartbeat implements Service {
  readonly name = 'heartbeat';
  private config: ServerConfig | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;

  constructor(private readonly stats: StatsRegistry) {}

  async start(config: ServerConfig): Promise<void> {
    this.config = config;
    this.schedule();
  }

  async reload(config: ServerConfig, diff: ConfigDiff): Promise<void> {
    this.config = config;
    if (diff.globals.includes('heartbeat')) this.schedule();
  }

  async stopAccepting(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One beat now; resolves true when the receiver answered HTTP 200. */
  async beat(): Promise<boolean> {
    const config = this.config;
    if (!config?.heartbeat.enabled || this.inFlight) return false;
    this.inFlight = true;
    const url = config.heartbeat.url;
    try {
      const res = await sendHookRequest(url, {
        method: 'POST',
        body: JSON.stringify(heartbeatBody(config, this.stats)),
        timeoutMs: Math.max(1000, config.heartbeat.interval * 1000),
        maxBodyBytes: 64 * 1024,
        truncate: true,
      });
      if (res.status !== 200) log.warn(`heartbeat ${url}: HTTP ${res.status}`);
      return res.status === 200;
    } catch (err) {
      log.warn(`heartbeat failed, retry at the next beat: ${describeError(err)}`);
      return false;
    } finally {
      this.inFlight = false;
    }
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const hb = this.config?.heartbeat;
    if (!hb?.enabled) return;
    this.timer = setInterval(() => void this.beat(), hb.interval * 1000);
    this.timer.unref();
  }
}
