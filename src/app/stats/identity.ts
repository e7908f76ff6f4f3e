/**
 * Who this server is in the API envelope (`server`, `service`, `pid`) and in every hook
 * body (`server_id`, `service_id`): SRS's stable server id (the `server_id` directive, else a
 * generated `vid-xxxxxxx`), a per-process service id, and the pid as a string.
 */
import { randomBytes } from 'node:crypto';

export interface ServerIdentity {
  readonly serverId: string;
  readonly serviceId: string;
  readonly pid: string;
  /** When the process started serving (ms since the epoch). */
  readonly startedAt: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random lowercase base-36 characters. */
export function randomId(n: number): string {
  let id = '';
  for (const b of randomBytes(n)) id += ALPHABET[b % 36];
  return id;
}

/** SRS's id for stats objects (server, vhost, stream): `vid-` and 7 characters. */
export function newStatId(): string {
  return `vid-${randomId(7)}`;
}

export function createServerIdentity(configuredServerId = ''): ServerIdentity {
  return {
    serverId: configuredServerId || newStatId(),
    serviceId: randomId(8),
    pid: String(process.pid),
    startedAt: Date.now(),
  };
}
