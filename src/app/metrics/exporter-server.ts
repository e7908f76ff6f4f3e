/**
 * SRS 5's exporter listener (exporter.listen, 9972): Prometheus scrapes `/metrics` here.
 * The same text is also served on the HTTP API port.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConfigDiff, ServerConfig } from '../../core/config/index.js';
import { TsrsError, describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { TSRS_SERVER } from '../../core/version.js';
import type { Service } from '../service.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import { renderMetrics } from './prometheus.js';

export class ExporterServer implements Service {
  readonly name = 'exporter';
  private config: ServerConfig | undefined;
  private servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly stats: StatsRegistry) {}

  get ports(): number[] {
    return this.servers.map((s) => {
      const a = s.address();
      return typeof a === 'object' && a ? a.port : 0;
    });
  }

  async start(config: ServerConfig): Promise<void> {
    this.config = config;
    await this.listen();
  }

  async reload(config: ServerConfig, diff: ConfigDiff): Promise<void> {
    this.config = config;
    if (diff.listen.includes('exporter')) {
      await this.stopAccepting();
      await this.listen();
    }
  }

  async stopAccepting(): Promise<void> {
    for (const s of this.servers) {
      s.close();
      s.closeIdleConnections();
    }
    this.servers = [];
  }

  async close(): Promise<void> {
    await this.stopAccepting();
    for (const s of this.sockets) s.destroy();
  }

  private async listen(): Promise<void> {
    const exporter = this.config?.exporter;
    if (!exporter?.enabled) return;
    for (const e of exporter.listen) {
      const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        let status = 200;
        let body: string;
        let type = 'text/plain; version=0.0.4; charset=utf-8';
        if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
          const ex = this.config!.exporter;
          body = renderMetrics(this.stats, { label: ex.label, tag: ex.tag });
        } else {
          status = path === '/metrics' ? 405 : 404;
          body = JSON.stringify({ code: status === 404 ? 4004 : 4005 });
          type = 'application/json';
        }
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Server: TSRS_SERVER });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      });
      server.on('clientError', (_err, socket: Socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: e.host, port: e.port }, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((err) => {
        throw new TsrsError('ConfigInvalid', `exporter cannot listen on ${e.host}:${e.port}: ${describeError(err)}`, { cause: err });
      });
      this.servers.push(server);
      log.trace(`exporter listening on ${e.host}:${e.port}`);
    }
  }
}
