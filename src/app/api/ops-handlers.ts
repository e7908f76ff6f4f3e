/**
 * /api/v1/clusters (origin cluster: where a stream is published), /api/v1/raw (SRS's raw
 * API: rpc=raw shows the http_api section, rpc=reload reloads the config) and /metrics.
 */
import type { ServerConfig } from '../../core/config/index.js';
import { ErrorCode, describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { DEFAULT_VHOST } from '../../kernel/stream-url.js';
import type { LiveContext } from '../live/context.js';
import { renderMetrics } from '../metrics/prometheus.js';
import { randomId } from '../stats/identity.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import { reply, replyCode, type ApiRequest } from './api-request.js';
import { sendText } from './http-io.js';

/** A listen endpoint as the config file writes it: `1985` or `host:port`. */
export function endpointText(e: { host: string; port: number }): string {
  if (e.host === '0.0.0.0') return String(e.port);
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

const UNSPECIFIC_HOSTS = new Set(['', '0.0.0.0', '::', 'localhost', '127.0.0.1', '::1']);

/** `host`, `host:port`, `[v6]:port` or `http://host:port/` to the bare host. */
function hostOfEndpoint(text: string): string {
  const hostPort = text.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(hostPort);
  if (bracketed) return bracketed[1]!;
  return hostPort.split(':').length === 2 ? hostPort.replace(/:\d*$/, '') : hostPort;
}

/** The origin of a stream this server publishes, or null (SRS's coworkers answer). */
export function clustersHandler(ctx: LiveContext) {
  return (request: ApiRequest): void => {
    const q = request.url.searchParams;
    const query = { ip: q.get('ip') ?? '', vhost: q.get('vhost') ?? '', app: q.get('app') ?? '', stream: q.get('stream') ?? '' };
    const vhost = query.vhost && ctx.knownVhost(query.vhost) ? query.vhost : DEFAULT_VHOST;
    const source = ctx.sources.find(vhost, query.app, query.stream);
    let origin: Record<string, unknown> | null = null;
    if (source?.isPublishing) {
      const rtmp = request.config.listen[0] ?? { host: '0.0.0.0', port: 1935 };
      // Behind NAT or in a container the listen address means nothing to the asker: SRS
      // answers with the host the asker reached this API at (its `coworker` param; `ip`
      // is the host the player used on the asking server, so it names that server).
      const coworker = hostOfEndpoint(q.get('coworker') ?? '');
      const local = (request.req.socket.localAddress ?? '').replace(/^::ffff:/, '');
      const ip = UNSPECIFIC_HOSTS.has(rtmp.host) ? coworker || local : rtmp.host;
      const api = `${ip}:${request.req.socket.localPort ?? 1985}`;
      origin = { ip, port: rtmp.port, vhost: source.vhost, api, routers: [api] };
    }
    reply(request, { code: 0, data: { query, origin } });
  };
}

/** The state of the last raw-API reload, for rpc=reload-fetch. */
interface ReloadState {
  err: number;
  msg: string;
  state: number;
  rid: string;
}

export function rawHandler(requestReload: () => void | Promise<void>) {
  const last: ReloadState = { err: 0, msg: 'Success', state: 0, rid: '' };
  return async (request: ApiRequest): Promise<void> => {
    const api = request.config.http_api;
    if (!api.raw_api.enabled) return replyCode(request, ErrorCode.SystemConfigRawDisabled);
    const rpc = request.url.searchParams.get('rpc') ?? '';
    switch (rpc) {
      case 'raw':
        reply(request, {
          code: 0,
          http_api: {
            enabled: api.enabled,
            listen: api.listen.map(endpointText).join(' '),
            crossdomain: api.crossdomain,
            raw_api: { ...api.raw_api },
          },
        });
        return;
      case 'reload': {
        if (!api.raw_api.allow_reload) return replyCode(request, ErrorCode.SystemConfigRawDisabled);
        last.rid = randomId(7);
        log.trace(`http api: reload requested (rid ${last.rid})`);
        try {
          await requestReload();
          Object.assign(last, { err: 0, msg: 'Success', state: 0 });
        } catch (err) {
          Object.assign(last, { err: (err as { code?: number }).code ?? ErrorCode.Unknown, msg: describeError(err), state: 0 });
          log.warn(`http api: reload ${last.rid} failed: ${describeError(err)}`);
        }
        return replyCode(request, last.err === 0 ? 0 : last.err);
      }
      case 'reload-fetch':
        reply(request, { code: 0, data: { ...last } });
        return;
      case 'query':
      case 'update':
        // Removed from SRS's raw API in SRS 4; the config file is the only source of truth.
        return replyCode(request, ErrorCode.SystemConfigRawNotAllowed);
      default:
        return replyCode(request, ErrorCode.SystemConfigRawParams);
    }
  };
}

/** Prometheus text when the exporter is on, else SRS's `{"code":1090}`. */
export function metricsHandler(stats: StatsRegistry, config: () => ServerConfig) {
  return (request: ApiRequest): void => {
    const exporter = config().exporter;
    if (!exporter.enabled) return replyCode(request, ErrorCode.ExporterDisabled);
    sendText(request.res, 200, renderMetrics(stats, { label: exporter.label, tag: exporter.tag }), {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    });
  };
}
