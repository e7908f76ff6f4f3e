/**
 * Which origin an edge talks to. SRS picks origins round-robin, one pick per connection:
 * streams spread over the origins, and a failed connection simply picks again, so a dead
 * origin is skipped on the next attempt.
 */
import type { ClusterConfig } from '../../core/config/index.js';
import { RTMP_DEFAULT_PORT } from '../../protocol/rtmp/client-url.js';
import { parseHostPort, type HostPort } from '../forward/upstream-url.js';

export type EdgeProtocol = ClusterConfig['protocol'];

/** The port an origin entry without one means: RTMP's, or HTTP's for `protocol flv(s)`. */
export const DEFAULT_ORIGIN_PORT: Readonly<Record<EdgeProtocol, number>> = { rtmp: RTMP_DEFAULT_PORT, flv: 8080, flvs: 443 };

export function originEndpoint(origin: string, protocol: EdgeProtocol): HostPort {
  return parseHostPort(origin, DEFAULT_ORIGIN_PORT[protocol]);
}

export class OriginBalancer {
  private index = -1;

  /** The next origin of the list (the list may change between calls: reloads). */
  select(origins: readonly string[]): string | undefined {
    if (origins.length === 0) return undefined;
    this.index = (this.index + 1) % origins.length;
    return origins[this.index];
  }
}
