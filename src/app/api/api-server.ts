/**
 * SRS's HTTP API on http_api.listen (1985) and, when http_api.https is on, its HTTPS port:
 * /api/v1/... in SRS 6's shapes, /metrics, and the routes other services mount (WebRTC's
 * /rtc/v1/). Around every route: CORS (crossdomain), HTTP basic auth for /api/ (auth), JSONP
 * (?callback=), and coded JSON errors; a malformed request never takes the server down.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { ConfigDiff, ServerConfig } from '../../core/config/index.js';
import { TsrsError, describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { LiveContext } from '../live/context.js';
import type { Service } from '../service.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import type { ApiRequest, RouteHandler } from './api-request.js';
import { ApiRouter, type RouteOptions } from './api-router.js';
import { isValidJsonpCallback, sendError, sendText } from './http-io.js';
import { clustersHandler, endpointText, metricsHandler, rawHandler } from './ops-handlers.js';
import { clientsHandler, streamsHandler, vhostsHandler } from './stats-handlers.js';
import { systemRoutes } from './system-handlers.js';

export interface ApiServerOptions {
  ctx: LiveContext;
  stats: StatsRegistry;
  /** Called by `/api/v1/raw?rpc=reload` (when raw_api allows it): reload the config file. */
  requestReload: () => void | Promise<void>;
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, HEAD, PUT, DELETE, OPTIONS',
  'Access-Control-Expose-Headers': 'Server,range,Content-Length,Content-Range',
  'Access-Control-Allow-Headers': 'origin,range,accept-encoding,referer,Cache-Control,X-Proxy-Authorization,X-Requested-With,Content-Type,Authorization',
};

/** A listening HTTP(S) server and the sockets it has open (closed on quit). */
interface Listener {
  key: string;
  server: Server;
  sockets: Set<Socket>;
}

export class ApiServer implements Service {
  readonly name = 'http_api';
  private config: ServerConfig | undefined;
  private readonly router = new ApiRouter();
  private listeners: Listener[] = [];

  constructor(options: ApiServerOptions) {
    const { ctx, stats } = options;
    const totals = () => {
      stats.collect();
      return { recvBytes: stats.server.recvBytes, sendBytes: stats.server.sendBytes, clients: ctx.clients.size };
    };
    for (const [path, handler] of Object.entries(systemRoutes(stats, totals))) this.router.add(path, handler);
    this.router.add('/api/v1/vhosts/', vhostsHandler(stats));
    this.router.add('/api/v1/streams/', streamsHandler(stats));
    this.router.add('/api/v1/clients/', clientsHandler(stats));
    this.router.add('/api/v1/clusters', clustersHandler(ctx));
    this.router.add('/api/v1/raw', rawHandler(options.requestReload));
    this.router.add('/metrics', metricsHandler(stats, () => this.currentConfig()));
  }

  /** Mounts a handler for every path under `prefix` (e.g. `/rtc/v1/`); replaces an earlier one. */
  route(prefix: string, handler: RouteHandler, options: RouteOptions = {}): void {
    this.router.mount(prefix, handler, options);
  }

  /** Bound ports, HTTP then HTTPS (tests listen on port 0). */
  get ports(): { http: number[]; https: number[] } {
    const port = (l: Listener) => {
      const a = l.server.address();
      return typeof a === 'object' && a ? a.port : 0;
    };
    return {
      http: this.listeners.filter((l) => l.key.startsWith('http:')).map(port),
      https: this.listeners.filter((l) => l.key.startsWith('https:')).map(port),
    };
  }

  async start(config: ServerConfig): Promise<void> {
    this.config = config;
    await this.listen(config);
  }

  async reload(config: ServerConfig, diff: ConfigDiff): Promise<void> {
    this.config = config;
    if (diff.listen.includes('http_api')) await this.listen(config);
  }

  async stopAccepting(): Promise<void> {
    await Promise.all(this.listeners.map((l) => closeListener(l, false)));
    this.listeners = [];
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => closeListener(l, true)));
    this.listeners = [];
  }

  private currentConfig(): ServerConfig {
    if (!this.config) throw new TsrsError('Unknown', 'http api used before start');
    return this.config;
  }

  /** Opens exactly the endpoints the config asks for, closing the others. */
  private async listen(config: ServerConfig): Promise<void> {
    const api = config.http_api;
    const wanted = new Map<string, { host: string; port: number; secure: boolean }>();
    if (api.enabled) {
      for (const e of api.listen) wanted.set(`http:${e.host}:${e.port}`, { ...e, secure: false });
      if (api.https.enabled) for (const e of api.https.listen) wanted.set(`https:${e.host}:${e.port}`, { ...e, secure: true });
    }
    const keep: Listener[] = [];
    for (const l of this.listeners) {
      // Port 0 (tests) cannot be compared; a secure listener reloads its certificate.
      if (wanted.has(l.key) && !l.key.endsWith(':0') && !l.key.startsWith('https:')) {
        keep.push(l);
        wanted.delete(l.key);
      } else {
        await closeListener(l, false);
      }
    }
    this.listeners = keep;
    for (const [key, e] of wanted) {
      const server = e.secure ? createHttpsServer(readCertificate(api.https.key, api.https.cert)) : createHttpServer();
      const listener: Listener = { key, server, sockets: new Set() };
      this.setup(listener);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: e.host, port: e.port }, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((err) => {
        throw new TsrsError('ConfigInvalid', `http api cannot listen on ${endpointText(e)}: ${describeError(err)}`, { cause: err });
      });
      server.on('error', (err) => log.error(`http api listener ${key}: ${err.message}`));
      this.listeners.push(listener);
      log.trace(`http api listening on ${e.secure ? 'https' : 'http'}://${endpointText(e)}`);
    }
  }

  private setup(listener: Listener): void {
    const { server, sockets } = listener;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.serve(req, res));
    // Garbage instead of HTTP: answer 400 JSON on that one connection.
    server.on('clientError', (err: Error, socket: Socket) => {
      log.warn(`http api: bad request from ${socket.remoteAddress}: ${err.message}`);
      if (socket.writable) {
        const body = JSON.stringify({ code: 4000 });
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      } else socket.destroy();
    });
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const what = `${req.method} ${req.url}`;
    this.handle(req, res).catch((err) => sendError(res, err, what));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const config = this.currentConfig();
    const target = req.url ?? '/';
    let url: URL;
    let path: string;
    try {
      // Parsed against a fixed origin: a path like //host/x must stay a path.
      url = new URL(`http://localhost${target.startsWith('/') ? '' : '/'}${target}`);
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new TsrsError('HttpParse', `malformed request target ${target.slice(0, 128)}`);
    }
    // SRS's CORS: headers only for cross-origin requests; a preflight is answered here.
    const cors = config.http_api.crossdomain && req.headers.origin !== undefined;
    if (cors) for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      if (cors) sendText(res, 200, '');
      else throw new TsrsError('HttpMethodNotAllowed', 'OPTIONS without crossdomain');
      return;
    }
    const match = this.router.match(path);
    if (match.kind === 'none') throw new TsrsError('HttpNotFound', `no api at ${path}`);
    if (match.kind === 'redirect') {
      const location = `${match.location}${url.search}`;
      sendText(res, 302, `Redirect to ${location}`, { Location: location, Connection: 'Close' });
      return;
    }
    if (match.auth) checkAuth(req, res, config);
    const callbackParam = url.searchParams.get('callback');
    if (callbackParam !== null && !isValidJsonpCallback(callbackParam)) throw new TsrsError('HttpParse', `invalid JSONP callback "${callbackParam.slice(0, 64)}"`);
    const callback = callbackParam ?? undefined;
    const method = (callback && url.searchParams.get('method')?.toUpperCase()) || req.method || 'GET';
    const request: ApiRequest = { req, res, url, path, method, callback, config };
    await match.handler(request);
  }
}

/** http_api.auth: HTTP basic with the configured user and password. */
function checkAuth(req: IncomingMessage, res: ServerResponse, config: ServerConfig): void {
  const auth = config.http_api.auth;
  if (!auth.enabled) return;
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon >= 0 && decoded.slice(0, colon) === auth.username && decoded.slice(colon + 1) === auth.password) return;
  res.setHeader('WWW-Authenticate', 'Basic realm="SRS"');
  throw new TsrsError('HttpUnauthorized', header ? 'wrong username or password' : 'no Authorization header');
}

function readCertificate(keyPath: string, certPath: string): { key: Buffer; cert: Buffer } {
  try {
    return { key: readFileSync(keyPath), cert: readFileSync(certPath) };
  } catch (err) {
    throw new TsrsError('ConfigInvalid', `http api https: cannot read key ${keyPath} or cert ${certPath}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Stops listening (the port is free at once). `force` also ends open connections and waits
 * for them; otherwise idle keep-alive connections close and busy ones finish their answer.
 */
function closeListener(l: Listener, force: boolean): Promise<void> {
  const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
  if (!force) {
    l.server.closeIdleConnections();
    return Promise.resolve();
  }
  for (const s of l.sockets) s.destroy();
  return closed;
}
