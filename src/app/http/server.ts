/**
 * The HTTP server on `http_server.listen` (8080) and, when enabled, `http_server.https`:
 * live streams at each vhost's `http_remux` mount (HTTP-FLV, WS-FLV, HTTP-TS/AAC/MP3) and
 * static files from `http_server.dir` (HLS playlists and segments, DVR files, players), as
 * SRS's http_server + http_remux. Node's `http` module parses requests; live players leave
 * it for the native fan-out once their response head is decided.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { TsrsError, describeError } from '../../core/errors.js';
import type { ConfigDiff, Endpoint, ServerConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import { parseQuery } from '../../kernel/stream-url.js';
import { resolveSafePath, splitRequestTarget } from '../../protocol/http/safe-path.js';
import { isValidWebSocketKey } from '../../protocol/http/websocket.js';
import type { LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import type { Service } from '../service.js';
import { HttpAacOutput, HttpMp3Output } from './audio-output.js';
import { HttpFlvOutput } from './flv-output.js';
import { HttpLivePlayer, type LivePlayRequest } from './live-player.js';
import { MountTable, type LiveContainer, type LiveMatch } from './mounts.js';
import type { HttpRemuxOutput } from './remux-output.js';
import { clientAddress, commonHeaders, sendError, sendRawError, setHeaders } from './responses.js';
import { locateFile, serveStaticFile } from './static-files.js';
import { HttpTsOutput } from './ts-output.js';

type AnyServer = Server | HttpsServer;

/** Headers must arrive quickly; a live response lasts as long as the player wants. */
const HEADERS_TIMEOUT_MS = 20_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

export class HttpStreamServer implements Service {
  readonly name = 'http_server';
  private mounts: MountTable;
  private crossdomain = true;
  private maxConnections = 1000;
  private readonly http = new Map<string, Server>();
  private readonly https = new Map<string, HttpsServer>();
  /** Listeners stopped (reload, graceful quit) whose connections may still be streaming. */
  private readonly retired = new Set<AnyServer>();
  private readonly players = new Set<HttpLivePlayer>();
  /** Sockets handed to live players: Node must never answer on them again. */
  private readonly liveSockets = new WeakSet<Socket>();

  constructor(
    private readonly ctx: LiveContext,
    private readonly config: () => ServerConfig,
  ) {
    this.mounts = new MountTable(config());
    // Every source of a mounted vhost gets its output from the publish on, so the GOP cache
    // is warm when the first HTTP player arrives.
    ctx.sources.addOutputFactory((source) => {
      if (!this.config().http_server.enabled) return;
      const mount = this.mounts.liveMountOf(source.vhost);
      if (mount) this.outputFor(mount.container, source);
    });
  }

  /** Ports actually bound (port 0 in the config gets an ephemeral one). */
  get ports(): { http: number[]; https: number[] } {
    const portOf = (s: AnyServer) => {
      const address = s.address();
      return typeof address === 'object' && address ? address.port : 0;
    };
    return { http: [...this.http.values()].map(portOf), https: [...this.https.values()].map(portOf) };
  }

  get playerCount(): number {
    return this.players.size;
  }

  async start(config: ServerConfig): Promise<void> {
    this.apply(config);
    if (!config.http_server.enabled) return;
    await this.listen(config);
  }

  async reload(config: ServerConfig, diff: ConfigDiff): Promise<void> {
    this.apply(config);
    if (diff.listen.includes('http_server')) await this.listen(config);
    else if (config.http_server.enabled && config.http_server.https.enabled) this.refreshTls(config);
  }

  async stopAccepting(): Promise<void> {
    const servers = [...this.http.values(), ...this.https.values()];
    this.http.clear();
    this.https.clear();
    for (const server of servers) this.retire(server);
  }

  async close(): Promise<void> {
    await this.stopAccepting();
    for (const player of [...this.players]) player.stop('server quit');
    for (const server of this.retired) server.closeAllConnections();
    this.retired.clear();
  }

  private apply(config: ServerConfig): void {
    this.mounts = new MountTable(config);
    this.crossdomain = config.http_server.crossdomain;
    this.maxConnections = config.max_connections;
  }

  // ---- listeners ------------------------------------------------------------------------

  private async listen(config: ServerConfig): Promise<void> {
    const { http_server: hs } = config;
    await this.listenOn(this.http, hs.enabled ? hs.listen : [], () => this.newServer(createHttpServer()));
    const wantHttps = hs.enabled && hs.https.enabled ? hs.https.listen : [];
    if (wantHttps.length === 0) {
      await this.listenOn(this.https, [], () => {
        throw new Error('unreachable: no https endpoint to open');
      });
      return;
    }
    const tls = this.refreshTls(config);
    await this.listenOn(this.https, wantHttps, () => this.newServer(createHttpsServer(tls)));
  }

  /**
   * Reads the key and certificate again (a renewed certificate keeps its path) and gives
   * them to the running HTTPS listeners; on a reload a broken pair keeps the old one.
   */
  private refreshTls(config: ServerConfig): { key: Buffer; cert: Buffer } {
    const tls = this.readTlsFiles(config);
    for (const server of this.https.values()) server.setSecureContext(tls);
    return tls;
  }

  private readTlsFiles(config: ServerConfig): { key: Buffer; cert: Buffer } {
    const { key, cert } = config.http_server.https;
    try {
      return { key: readFileSync(key), cert: readFileSync(cert) };
    } catch (err) {
      throw new TsrsError('ConfigInvalid', `http_server.https: cannot read key ${key} / cert ${cert}: ${describeError(err)}`);
    }
  }

  /** Listens on exactly these endpoints: new ones opened, missing ones retired. */
  private async listenOn<T extends AnyServer>(servers: Map<string, T>, endpoints: readonly Endpoint[], create: () => T): Promise<void> {
    const wanted = new Map(endpoints.map((e) => [`${e.host}:${e.port}`, e]));
    for (const [key, server] of servers) {
      if (wanted.has(key)) continue;
      servers.delete(key);
      this.retire(server);
      log.trace(`http_server stopped listening on ${key}`);
    }
    for (const [key, endpoint] of wanted) {
      if (servers.has(key)) continue;
      const server = create();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: endpoint.host, port: endpoint.port, backlog: 1024 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => log.error(`http_server listener ${key}: ${err.message}`));
      servers.set(key, server);
      log.trace(`http_server listening on ${key}${'setSecureContext' in server ? ' (https)' : ''}`);
    }
  }

  private newServer<T extends AnyServer>(server: T): T {
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = HEADERS_TIMEOUT_MS;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err) => {
        log.error(`http ${clientAddress(req.socket)} ${req.method} ${req.url}: ${describeError(err)}`);
        sendError(res, 500, this.headers());
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, socket as Socket, head).catch((err) => {
        log.error(`http ${clientAddress(socket as Socket)} upgrade ${req.url}: ${describeError(err)}`);
        socket.destroy();
      });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(err, socket as Socket));
    return server;
  }

  /**
   * Stops accepting at once; streaming connections stay (they are never idle to Node).
   * Node reports 'close' only once every connection is gone, so nothing waits for it.
   */
  private retire(server: AnyServer): void {
    this.retired.add(server);
    server.close(() => this.retired.delete(server));
  }

  private headers() {
    return commonHeaders(this.crossdomain);
  }

  // ---- requests -------------------------------------------------------------------------

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const code = err.code ?? 'unknown';
    if (this.liveSockets.has(socket)) {
      // Bytes after the request on a live stream: an error answer would corrupt the stream.
      log.warn(`http client ${clientAddress(socket)}: unexpected input on a live stream (${code}), closing`);
      socket.destroy();
      return;
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    log.warn(`http client ${clientAddress(socket)}: bad request (${code}): ${err.message}`);
    sendRawError(socket, status, this.headers());
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = clientAddress(req.socket);
    const method = req.method ?? '';
    const headers = this.headers();
    const refuse = (status: number, reason: string, extra: [string, string][] = []) => {
      log.warn(`http client ${client}: ${method} ${req.url} refused with ${status}: ${reason}`);
      sendError(res, status, headers, extra);
    };
    res.on('finish', () => log.info(`http ${client} ${method} ${req.url} ${res.statusCode}`));

    if (method === 'OPTIONS') {
      if (!this.crossdomain) return refuse(405, 'OPTIONS without crossdomain', [['Allow', 'GET, HEAD']]);
      setHeaders(res, headers);
      res.setHeader('Content-Length', 0);
      res.writeHead(200);
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return refuse(405, `method ${method}`, [['Allow', 'GET, HEAD, OPTIONS']]);
    const target = splitRequestTarget(req.url ?? '');
    if (!target) return refuse(400, 'unparsable request target');
    const safe = resolveSafePath(target.path);
    if (!safe.ok) return refuse(safe.status, safe.reason);
    const vhostHint = this.vhostHint(req, target.query);

    const live = safe.trailingSlash ? undefined : this.mounts.matchLive(vhostHint, `/${safe.relative}`);
    // HLS writes `.ts` segments (and may write .aac/.mp3) where an HTTP-TS mount would match: a file on disk wins.
    const fileFirst = live && live.container !== 'flv';
    if (live && (!fileFirst || !(await this.staticExists(vhostHint, safe.relative)))) {
      return this.playLive(req, res, live, target.query);
    }
    const where = this.mounts.matchStatic(vhostHint, safe.relative);
    const outcome = await serveStaticFile(req, res, where.dir, where.relative, safe.trailingSlash, headers);
    if (outcome.kind === 'error') {
      if (outcome.status === 403) refuse(403, outcome.reason);
      else sendError(res, outcome.status, headers);
    }
  }

  private vhostHint(req: IncomingMessage, query: string): string | undefined {
    const named = query ? parseQuery(query).get('vhost') : undefined;
    if (named) return named;
    const host = req.headers.host;
    if (!host) return undefined;
    return host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  }

  private async staticExists(vhostHint: string | undefined, relative: string): Promise<boolean> {
    const where = this.mounts.matchStatic(vhostHint, relative);
    return (await locateFile(where.dir, where.relative, false)).ok;
  }

  private async playLive(req: IncomingMessage, res: ServerResponse, match: LiveMatch, query: string): Promise<void> {
    const headers = this.headers();
    if (req.method === 'HEAD') {
      setHeaders(res, headers);
      res.setHeader('Content-Type', this.contentTypeOf(match.container));
      res.setHeader('Cache-Control', 'no-cache');
      res.writeHead(200);
      res.end();
      return;
    }
    if (this.ctx.clients.size >= this.maxConnections) {
      log.warn(`http client ${clientAddress(req.socket)}: refused, max_connections ${this.maxConnections} reached`);
      return sendError(res, 503, headers);
    }
    // A pipelined request waits for the responses before it to be written.
    if (!res.socket) await once(res, 'socket');
    const socket = req.socket;
    const request: LivePlayRequest = {
      match,
      socket,
      schema: 'encrypted' in socket && socket.encrypted ? 'https' : 'http',
      hostHeader: req.headers.host ?? '',
      referer: req.headers.referer ?? '',
      query,
    };
    await this.startPlayer(request, (status) => {
      this.liveSockets.delete(socket);
      sendError(res, status, headers);
    });
  }

  private async onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const client = clientAddress(socket);
    const headers = this.headers();
    const refuse = (status: number, reason: string, extra: [string, string][] = []) => {
      log.warn(`http client ${client}: upgrade ${req.url} refused with ${status}: ${reason}`);
      sendRawError(socket, status, headers, extra);
    };
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(400, `upgrade to ${req.headers.upgrade} is not supported`);
    if (req.method !== 'GET') return refuse(405, `websocket upgrade with ${req.method}`);
    if (req.headers['sec-websocket-version'] !== '13') {
      return refuse(426, `websocket version ${req.headers['sec-websocket-version']}`, [['Sec-WebSocket-Version', '13']]);
    }
    const key = req.headers['sec-websocket-key'];
    if (!isValidWebSocketKey(key)) return refuse(400, 'missing or malformed Sec-WebSocket-Key');
    const target = splitRequestTarget(req.url ?? '');
    if (!target) return refuse(400, 'unparsable request target');
    const safe = resolveSafePath(target.path);
    if (!safe.ok) return refuse(safe.status, safe.reason);
    const match = this.mounts.matchLive(this.vhostHint(req, target.query), `/${safe.relative}`);
    if (!match || match.container !== 'flv') return refuse(404, `no websocket stream at /${safe.relative}`);
    if (this.ctx.clients.size >= this.maxConnections) return refuse(503, `max_connections ${this.maxConnections} reached`);
    socket.setTimeout(0);
    const request: LivePlayRequest = {
      match,
      socket,
      schema: 'encrypted' in socket && socket.encrypted ? 'wss' : 'ws',
      hostHeader: req.headers.host ?? '',
      query: target.query,
      websocketKey: key,
      upgradeHead: head,
    };
    await this.startPlayer(request, (status) => sendRawError(socket, status, headers));
  }

  private startPlayer(request: LivePlayRequest, deny: (status: number) => void): Promise<void> {
    this.liveSockets.add(request.socket);
    const player = new HttpLivePlayer(request, {
      ctx: this.ctx,
      headers: this.headers(),
      outputFor: (match, source) => this.outputFor(match.container, source),
      deny,
      onGone: (gone) => this.players.delete(gone),
    });
    this.players.add(player);
    return player.start();
  }

  // ---- outputs --------------------------------------------------------------------------

  private contentTypeOf(container: LiveContainer): string {
    return { flv: 'video/x-flv', ts: 'video/MP2T', aac: 'audio/x-aac', mp3: 'audio/mpeg' }[container];
  }

  /** The stream's output for a container, created on first use. */
  outputFor(container: LiveContainer, source: LiveSource): HttpRemuxOutput {
    switch (container) {
      case 'flv':
        return HttpFlvOutput.of(source, () => this.mounts.liveMountOf(source.vhost)?.remux);
      case 'ts':
        return HttpTsOutput.of(source);
      case 'aac':
        return HttpAacOutput.of(source);
      case 'mp3':
        return HttpMp3Output.of(source);
    }
  }
}
