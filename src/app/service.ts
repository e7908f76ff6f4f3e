/**
 * A server-wide service (RTMP listener, HTTP server, HTTP API, ...) as the server layer
 * drives it through start, reload and the two kinds of quit.
 */
import type { ConfigDiff, ServerConfig } from '../core/config/index.js';

export interface Service {
  readonly name: string;
  /** Opens its listeners as the config says (a disabled service does nothing). */
  start(config: ServerConfig): Promise<void>;
  /** Applies a reloaded config; the diff names what changed. Unrelated clients stay connected. */
  reload(config: ServerConfig, diff: ConfigDiff): Promise<void>;
  /** Graceful quit, step one: stop accepting new clients. */
  stopAccepting(): Promise<void>;
  /** Closes everything it still holds (clients, files, timers). */
  close(): Promise<void>;
}
