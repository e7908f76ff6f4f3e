/**
 * The RTMP listener(s): accepts connections on every configured endpoint and gives each
 * its session. max_connections is enforced here, before any per-client work.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { log } from '../../core/logger.js';
import type { LiveContext } from '../live/context.js';
import { RtmpOutput } from './rtmp-output.js';
import { RtmpSession } from './session.js';

export interface ListenEndpoint {
  host: string;
  port: number;
}

export class RtmpServer {
  private readonly servers = new Map<string, Server>();
  maxConnections = 1000;

  constructor(private readonly ctx: LiveContext) {
    ctx.sources.addOutputFactory((source) => RtmpOutput.of(source));
  }

  /** Listens on exactly these endpoints: new ones are opened, missing ones closed. */
  async listen(endpoints: ListenEndpoint[]): Promise<void> {
    const wanted = new Map(endpoints.map((e) => [`${e.host}:${e.port}`, e]));
    for (const [key, server] of this.servers) {
      if (!wanted.has(key)) {
        server.close();
        this.servers.delete(key);
        log.trace(`rtmp stopped listening on ${key}`);
      }
    }
    for (const [key, endpoint] of wanted) {
      if (this.servers.has(key)) continue;
      const server = createServer({ noDelay: false }, (socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: endpoint.host, port: endpoint.port, backlog: 1024 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => log.error(`rtmp listener ${key}: ${err.message}`));
      this.servers.set(key, server);
      log.trace(`rtmp listening on ${key}`);
    }
  }

  private accept(socket: Socket): void {
    if (this.ctx.clients.size >= this.maxConnections) {
      log.warn(`rtmp refused ${socket.remoteAddress}:${socket.remotePort}: max_connections ${this.maxConnections} reached`);
      this.ctx.onConnectionRefused?.(socket.remoteAddress ?? '', 'max_connections');
      socket.destroy();
      return;
    }
    new RtmpSession(socket, this.ctx).start();
  }

  /** The ports actually bound (an endpoint of port 0 gets an ephemeral one). */
  get ports(): number[] {
    return [...this.servers.values()].map((s) => {
      const address = s.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
  }

  /**
   * Stops accepting; existing sessions keep going. Resolves as soon as the listeners are
   * closed: net.Server's close callback waits for every connection to end, which would hang
   * a graceful quit (and closeSessions after it) for as long as one client stays connected.
   */
  stopAccepting(): Promise<void> {
    for (const server of this.servers.values()) server.close();
    this.servers.clear();
    return Promise.resolve();
  }

  closeSessions(reason: string): void {
    for (const client of [...this.ctx.clients.values()]) client.kick(reason);
  }
}
