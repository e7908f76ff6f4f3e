/**
 * One HTTP or WebSocket live player: registers as a client, asks the guards (on_play), then
 * hands its socket to the stream's fan-out with the response head in the preamble. From
 * then on Node's HTTP server never writes to the socket again (the response is never ended
 * through it), and nothing runs in JavaScript for this player per message. When the socket
 * closes, the player leaves the fan-out and on_stop fires.
 */
import type { Socket } from 'node:net';
import { describeError } from '../../core/errors.js';
import { log, newContextId, runWithContext } from '../../core/logger.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import { buildResponseHead, type HeaderList } from '../../protocol/http/response-head.js';
import {
  WebSocketCloseCode,
  WebSocketFrameParser,
  WebSocketOpcode,
  encodeCloseFrame,
  encodeFrame,
  websocketAccept,
} from '../../protocol/http/websocket.js';
import type { ClientInfo, LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import type { LiveMatch } from './mounts.js';
import type { HttpRemuxOutput } from './remux-output.js';
import type { ChannelPlayer } from './stream-channel.js';

export interface LivePlayRequest {
  readonly match: LiveMatch;
  readonly socket: Socket;
  /** `http`/`https`, or `ws`/`wss` for a WebSocket upgrade. */
  readonly schema: string;
  readonly hostHeader: string;
  /** The Referer header: SRS's pageUrl, which the refer rules check. */
  readonly referer?: string;
  readonly query: string;
  /** Sec-WebSocket-Key, for WebSocket players. */
  readonly websocketKey?: string;
  /** Bytes that came after the upgrade request (WebSocket only). */
  readonly upgradeHead?: Buffer;
}

export interface LivePlayerDeps {
  readonly ctx: LiveContext;
  readonly headers: HeaderList;
  readonly outputFor: (match: LiveMatch, source: LiveSource) => HttpRemuxOutput;
  /** Answers the request with an error status while Node (or we) still own the response. */
  readonly deny: (status: number) => void;
  readonly onGone: (player: HttpLivePlayer) => void;
}

/** How long a gracefully ended player may keep its half-closed socket. */
const LINGER_MS = 2000;

function splitHost(hostHeader: string, fallbackPort: number): { host: string; port: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostHeader);
  if (!match) return { host: hostHeader, port: fallbackPort };
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : fallbackPort };
}

export class HttpLivePlayer {
  readonly info: ClientInfo;
  private player: ChannelPlayer | undefined;
  private played = false;
  private stopped = false;
  private parser: WebSocketFrameParser | undefined;
  private ending = false;
  private readonly onClose = () => this.stop(this.ending ? 'stream ended' : 'peer closed');
  private readonly onError = (err: Error) => this.stop(`socket error: ${err.message}`);

  constructor(
    private readonly request: LivePlayRequest,
    private readonly deps: LivePlayerDeps,
  ) {
    const { match, socket } = request;
    const { host, port } = splitHost(request.hostHeader, socket.localPort ?? 0);
    const streamRequest: StreamRequest = {
      schema: request.schema,
      host,
      port,
      vhost: match.vhost,
      app: match.app,
      stream: match.stream,
      param: request.query,
      tcUrl: `${request.schema}://${request.hostHeader || host}/${match.app}`,
    };
    this.info = {
      id: newContextId(),
      ip: socket.remoteAddress ?? '',
      createdAt: Date.now(),
      kind: 'flv-play',
      request: streamRequest,
      pageUrl: request.referer ?? '',
      swfUrl: '',
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  get isWebSocket(): boolean {
    return this.request.websocketKey !== undefined;
  }

  /** The source this player joined, for the cluster's leave notice. */
  private joined: LiveSource | undefined;

  start(): Promise<void> {
    return runWithContext(this.info.id, () => this.run());
  }

  private async run(): Promise<void> {
    const { ctx } = this.deps;
    const { socket, match } = this.request;
    ctx.clients.set(this.info.id, {
      info: this.info,
      kick: (reason) => this.stop(`kicked: ${reason}`),
      bytesSent: () => this.info.bytesOut + (this.player?.bytesSent() ?? 0),
    });
    socket.once('close', this.onClose);
    socket.on('error', this.onError);
    const what = `${this.isWebSocket ? 'ws' : 'http'}-${match.container} ${match.vhost}/${match.app}/${match.stream}`;
    log.trace(`${what}: play from ${this.info.ip}:${socket.remotePort} param=${this.request.query || '(none)'}`);
    try {
      await ctx.guards.onPlay?.(this.info);
    } catch (err) {
      log.warn(`${what}: play denied for ${this.info.ip}:${socket.remotePort}: ${describeError(err)}`);
      if (!this.stopped) this.deps.deny(403);
      this.stop('play denied', false);
      return;
    }
    if (this.stopped || socket.destroyed) {
      this.stop('peer left during on_play');
      return;
    }
    this.played = true;
    socket.setTimeout(0);
    const source = ctx.sources.fetchOrCreate(match.vhost, match.app, match.stream);
    const output = this.deps.outputFor(match, source);
    // Bytes Node still queues (an earlier keep-alive response) must leave before ours.
    await drained(socket);
    if (this.stopped) return;
    const channel = this.isWebSocket ? output.ws : output.http;
    if (!channel) {
      this.deps.deny(404);
      this.stop(`no ${this.isWebSocket ? 'websocket' : 'http'} channel for ${match.container}`, false);
      return;
    }
    const head = this.isWebSocket ? this.websocketHead() : this.httpHead(output.contentType);
    try {
      this.player = channel.attach(socket, head, output.startupBody(source), source.options.gopCache && source.isPublishing, {
        onDead: (reason) => this.stop(reason),
        onEnded: () => this.end(),
      });
    } catch (err) {
      this.stop(`cannot attach to the stream: ${describeError(err)}`);
      return;
    }
    this.joined = source;
    ctx.cluster?.onPlayerJoin?.(source, this.info);
    if (this.isWebSocket) this.readWebSocket();
  }

  private httpHead(contentType: string): Buffer {
    return buildResponseHead(200, [
      ...this.deps.headers,
      ['Content-Type', contentType],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'Keep-Alive'],
      ['Cache-Control', 'no-cache'],
    ]);
  }

  private websocketHead(): Buffer {
    return buildResponseHead(101, [
      ['Server', this.deps.headers.find(([name]) => name === 'Server')?.[1] ?? 'tsrs'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Accept', websocketAccept(this.request.websocketKey!)],
    ]);
  }

  /** Close answers close, ping gets a pong; anything malformed ends the player. */
  private readWebSocket(): void {
    this.parser = new WebSocketFrameParser(64 * 1024);
    const onData = (data: Buffer) => {
      if (this.stopped) return;
      this.info.bytesIn += data.length;
      let frames;
      try {
        frames = this.parser!.push(data);
      } catch (err) {
        this.player?.send(encodeCloseFrame(WebSocketCloseCode.ProtocolError, 'bad frame'));
        this.stop(`bad websocket frame: ${describeError(err)}`);
        return;
      }
      for (const frame of frames) {
        if (frame.opcode === WebSocketOpcode.Close) {
          this.player?.send(encodeCloseFrame(WebSocketCloseCode.Normal));
          this.end();
          return;
        }
        if (frame.opcode === WebSocketOpcode.Ping) this.player?.send(encodeFrame(WebSocketOpcode.Pong, frame.payload));
      }
    };
    this.request.socket.on('data', onData);
    if (this.request.upgradeHead && this.request.upgradeHead.length > 0) onData(this.request.upgradeHead);
  }

  /** The stream ended with its end marker written: leave the fan-out and close our side. */
  private end(): void {
    if (this.stopped || this.ending) return;
    this.ending = true;
    this.detach();
    const { socket } = this.request;
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  private detach(): void {
    if (!this.player) return;
    this.info.bytesOut += this.player.detach();
    this.player = undefined;
  }

  stop(reason: string, destroy = true): void {
    if (this.stopped) return;
    this.stopped = true;
    runWithContext(this.info.id, () => {
      this.detach();
      this.deps.ctx.clients.delete(this.info.id);
      const { socket } = this.request;
      socket.off('close', this.onClose);
      socket.off('error', this.onError);
      if (destroy) socket.destroy();
      const seconds = ((Date.now() - this.info.createdAt) / 1000).toFixed(1);
      log.trace(`http player ${this.info.ip} left ${this.request.match.app}/${this.request.match.stream} after ${seconds}s, ${this.info.bytesOut} bytes: ${reason}`);
      if (this.played) this.deps.ctx.guards.onStop?.(this.info);
      if (this.joined) this.deps.ctx.cluster?.onPlayerLeave?.(this.joined, this.info);
      this.deps.onGone(this);
    });
  }
}

function drained(socket: Socket): Promise<void> {
  if (socket.writableLength === 0 || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
