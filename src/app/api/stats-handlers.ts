/**
 * /api/v1/vhosts, /streams and /clients (list, one by id, DELETE to kick a client) in SRS 6's
 * shapes. Unknown ids answer SRS's bare codes (2012 vhost, 2048 stream, 2049 client) with
 * HTTP 200, as SRS does; a method a resource does not support is a 405.
 */
import { ErrorCode, TsrsError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { StatsSnapshot, isIdentified } from '../stats/stats-json.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import { envelope, reply, replyCode, type ApiRequest } from './api-request.js';

/** SRS's listing window: `start` (default 0) and `count` (default 10, as SRS). */
export function pageOf<T>(items: T[], url: URL): T[] {
  const start = Math.max(0, Number.parseInt(url.searchParams.get('start') ?? '', 10) || 0);
  const asked = Number.parseInt(url.searchParams.get('count') ?? '', 10);
  const count = Number.isFinite(asked) && asked > 0 ? asked : 10;
  return items.slice(start, start + count);
}

function methodNotAllowed(request: ApiRequest, allowed: string): never {
  request.res.setHeader('Allow', allowed);
  throw new TsrsError('HttpMethodNotAllowed', `${request.method} ${request.path}: only ${allowed}`);
}

/** The id after the resource's prefix, '' for the listing. */
function idAfter(path: string, prefix: string): string {
  return decodeURIComponent(path.slice(prefix.length)).replace(/\/+$/, '');
}

export function vhostsHandler(stats: StatsRegistry) {
  return (request: ApiRequest): void => {
    if (request.method !== 'GET') methodNotAllowed(request, 'GET');
    const snapshot = new StatsSnapshot(stats);
    const id = idAfter(request.path, '/api/v1/vhosts/');
    if (!id) {
      reply(request, envelope(stats.identity, { vhosts: stats.vhostList().map((v) => snapshot.vhost(v)) }));
      return;
    }
    const vhost = stats.findVhostById(id);
    if (!vhost) return replyCode(request, ErrorCode.RtmpVhostNotFound);
    reply(request, envelope(stats.identity, { vhost: snapshot.vhost(vhost) }));
  };
}

export function streamsHandler(stats: StatsRegistry) {
  return (request: ApiRequest): void => {
    if (request.method !== 'GET') methodNotAllowed(request, 'GET');
    const snapshot = new StatsSnapshot(stats);
    const id = idAfter(request.path, '/api/v1/streams/');
    if (!id) {
      reply(request, envelope(stats.identity, { streams: pageOf(stats.streams(), request.url).map((s) => snapshot.stream(s)) }));
      return;
    }
    const stream = stats.findStream(id);
    if (!stream) return replyCode(request, ErrorCode.RtmpStreamNotFound);
    reply(request, envelope(stats.identity, { stream: snapshot.stream(stream) }));
  };
}

export function clientsHandler(stats: StatsRegistry) {
  return (request: ApiRequest): void => {
    if (request.method !== 'GET' && request.method !== 'DELETE') methodNotAllowed(request, 'GET, DELETE');
    const id = idAfter(request.path, '/api/v1/clients/');
    if (!id) {
      if (request.method === 'DELETE') methodNotAllowed(request, 'GET');
      const snapshot = new StatsSnapshot(stats);
      reply(request, envelope(stats.identity, { clients: pageOf(snapshot.identified, request.url).map((c) => snapshot.client(c)) }));
      return;
    }
    const entry = stats.clients.get(id);
    if (request.method === 'DELETE') {
      if (!entry) return replyCode(request, ErrorCode.RtmpClientNotFound);
      log.warn(`http api: kicking client ${id} (${entry.info.kind} ${entry.info.ip})`);
      entry.kick('kicked by http api');
      reply(request, envelope(stats.identity));
      return;
    }
    if (!entry || !isIdentified(entry)) return replyCode(request, ErrorCode.RtmpClientNotFound);
    reply(request, envelope(stats.identity, { client: new StatsSnapshot(stats).client(entry) }));
  };
}
