/**
 * The URLs tsrs uses to reach another server for a stream (forward destinations, edge
 * origins, origin-cluster redirects), built the way SRS builds them so that an SRS or tsrs
 * on the other side resolves the same vhost: `rtmp://HOST:PORT/APP/STREAM?vhost=V&PARAM`.
 */
import { isIP } from 'node:net';
import { TsrsError } from '../../core/errors.js';
import { DEFAULT_VHOST } from '../../kernel/stream-url.js';

export interface HostPort {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function parseHostPort(text: string, defaultPort: number): HostPort {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+|[0-9a-fA-F:]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) throw new TsrsError('ConfigInvalid', `"${text}" is not host[:port]`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  // A bare IPv6 address has colons but no port.
  if (!match[1]!.startsWith('[') && host.includes(':')) return { host, port: defaultPort };
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (port < 1 || port > 65535) throw new TsrsError('ConfigInvalid', `"${text}": port ${port} out of range`);
  return { host, port };
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The stream name with its query for the peer: the client's param kept (tokens travel), the
 * `vhost=` set to `vhost` when it is not the default one, else (as SRS guesses) to the host
 * the client used when that is a name rather than an address.
 */
export function streamWithQuery(stream: string, param: string, vhost: string, clientHost = ''): string {
  const pairs = param.replace(/^\?/, '').split('&').filter((p) => p.length > 0);
  const hasVhost = pairs.some((p) => p.startsWith('vhost='));
  let target: string | undefined;
  if (vhost && vhost !== DEFAULT_VHOST) target = vhost;
  else if (!hasVhost && clientHost && isIP(clientHost) === 0) target = clientHost;
  const kept = target === undefined ? pairs : pairs.filter((p) => !p.startsWith('vhost='));
  const query = target === undefined ? kept : [`vhost=${target}`, ...kept];
  return query.length > 0 ? `${stream}?${query.join('&')}` : stream;
}

export function rtmpUrl(endpoint: HostPort, app: string, streamAndQuery: string): string {
  return `rtmp://${hostForUrl(endpoint.host)}:${endpoint.port}/${app}/${streamAndQuery}`;
}
