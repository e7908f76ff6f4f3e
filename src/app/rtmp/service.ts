/** The RTMP listener as a server-wide service: `listen` and `max_connections` from the config. */
import type { ConfigDiff, ServerConfig } from '../../core/config/index.js';
import type { LiveContext } from '../live/context.js';
import type { Service } from '../service.js';
import { RtmpServer } from './server.js';

export class RtmpService implements Service {
  readonly name = 'rtmp';
  readonly server: RtmpServer;

  constructor(ctx: LiveContext) {
    this.server = new RtmpServer(ctx);
  }

  async start(config: ServerConfig): Promise<void> {
    this.server.maxConnections = config.max_connections;
    await this.server.listen([...config.listen]);
  }

  async reload(config: ServerConfig, diff: ConfigDiff): Promise<void> {
    this.server.maxConnections = config.max_connections;
    if (diff.listen.includes('rtmp')) await this.server.listen([...config.listen]);
  }

  stopAccepting(): Promise<void> {
    return this.server.stopAccepting();
  }

  async close(): Promise<void> {
    await this.server.stopAccepting();
    this.server.closeSessions('server quit');
  }
}
