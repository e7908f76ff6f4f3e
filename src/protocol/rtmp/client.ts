/**
 * An RTMP client: connects (handshake, connect), then publishes (the FMLE flow FFmpeg and OBS
 * use: releaseStream, FCPublish, createStream, publish) or plays (createStream, play,
 * SetBufferLength). Tests use it as a load generator; forward, edge and ingest use it to
 * talk to other servers, which is why every step has a timeout and every failure closes
 * the socket and rejects with a TsrsError that says which step failed and why.
 *
 * An RTMP 302 redirect (SRS's `{code: 'NetConnection.Connect.Rejected', ex: {code: 302,
 * redirect}}`, on connect's `_error` or as an onStatus to publish/play) is followed once
 * when `followRedirect` is set: the client reconnects to the target and repeats the step.
 *
 * Subscribe (`on('media')`, `media()`) before play(): the server sends metadata and
 * sequence headers right behind Play.Start, in the same read.
 */
import { EventEmitter } from 'node:events';
import { TsrsError, wrapError } from '../../core/errors.js';
import type { RtmpMessage } from '../../native/rtmp-chunk.js';
import type { AmfEcmaArray, AmfObject } from '../amf/amf-types.js';
import { amfProperties } from '../amf/amf-types.js';
import { Inbox, type InboxLimits } from './client-inbox.js';
import { RtmpClientConnection, type ConnectionEvents } from './client-connection.js';
import { RtmpStatusError, isErrorStatus, redirectOf, statusError, statusOf, type RtmpStatus } from './client-status.js';
import { parseRtmpUrl, type RtmpUrl } from './client-url.js';
import type { RtmpCommand } from './messages-command.js';
import { encodeUserControl, type UserControl } from './messages-control.js';
import { encodeSetDataFrame } from './messages-replies.js';
import { RtmpChunkStreamId, RtmpCommandName, RtmpMessageType, StatusCode, UserControlEvent } from './messages.js';

export interface RtmpClientOptions {
  /** Sent instead of the tcUrl derived from the URL (`rtmp://host:port/app[?query]`). */
  tcUrl?: string;
  /** C1 with a digest (FFmpeg, Flash) or plain. Default 'complex'. */
  handshake?: 'complex' | 'simple';
  /** Limit for each step: TCP connect + handshake, connect, createStream, publish, play. Default 10000. */
  timeoutMs?: number;
  /** Our outgoing chunk size, announced before connect. Default 4096. */
  chunkSize?: number;
  /** Default 'LNX 9,0,124,2', what FFmpeg sends. */
  flashVer?: string;
  /** Follow one RTMP 302 redirect. Default false (the step rejects with code RtmpRedirect). */
  followRedirect?: boolean;
  /** The SetBufferLength a player announces, ms. Default 3000. */
  bufferLengthMs?: number;
  /** Largest message accepted from the server. Default 8 MiB. */
  maxMessageSize?: number;
  /** When media() buffers this much, reading from the socket pauses until the consumer catches up. */
  inbox?: Partial<InboxLimits>;
}

/** A media message as received: audio 8, video 9, data 18/15 (onMetaData). Timestamps are RTMP's 32 bits. */
export interface RtmpMediaMessage {
  typeId: number;
  timestamp: number;
  streamId: number;
  payload: Buffer;
}

export interface RtmpClientEvents {
  media: [message: RtmpMediaMessage];
  status: [status: RtmpStatus];
  control: [event: UserControl];
  command: [command: RtmpCommand];
  /** Once; `error` is undefined after close()/destroy(). */
  close: [error: TsrsError | undefined];
}

type Role = 'none' | 'publisher' | 'player';

type ResolvedOptions = Required<Omit<RtmpClientOptions, 'tcUrl' | 'inbox'>> & Pick<RtmpClientOptions, 'tcUrl' | 'inbox'>;

const DEFAULTS: ResolvedOptions = {
  handshake: 'complex',
  timeoutMs: 10_000,
  chunkSize: 4096,
  flashVer: 'LNX 9,0,124,2',
  followRedirect: false,
  bufferLengthMs: 3000,
  maxMessageSize: 8 << 20,
};
const STATUS_HISTORY = 64;

export class RtmpClient extends EventEmitter<RtmpClientEvents> {
  /** The URL currently connected to (the redirect target after a redirect). */
  url: RtmpUrl;
  /** connect's `_result` information object (code, description, data...). */
  connectInfo: AmfObject = {};
  /** The message stream id createStream gave us. */
  streamId = 0;
  role: Role = 'none';
  /** The stream name (with query) being published or played. */
  stream = '';
  /** Where a redirect took us, if one was followed. */
  redirectedTo: string | undefined;
  /** The latest statuses received, oldest first (bounded). */
  readonly statuses: RtmpStatus[] = [];
  private readonly options: ResolvedOptions;
  private connection!: RtmpClientConnection;
  private inbox: Inbox<RtmpMediaMessage> | undefined;
  private closeEmitted = false;
  /** Set once connect() succeeded: only then is a connection's end the client's 'close'. */
  private established = false;
  /** While a redirect swaps connections, the old one's end is not the client's. */
  private redirecting = false;
  private redirects = 0;

  private constructor(url: RtmpUrl, options: RtmpClientOptions) {
    super();
    this.url = url;
    this.options = { ...DEFAULTS, ...stripUndefined(options) };
  }

  /** Connects to `rtmp://host:port/app[?query]/stream[?query]`: handshake and connect command. */
  static async connect(url: string, options: RtmpClientOptions = {}): Promise<RtmpClient> {
    const client = new RtmpClient(parseRtmpUrl(url), options);
    await client.connectWithRedirect();
    client.established = true;
    return client;
  }

  get closed(): boolean {
    return this.closeEmitted;
  }

  /** The handshake the server answered with: complex when it validated our digest C1. */
  get handshakeMode(): 'complex' | 'simple' | undefined {
    return this.connection.handshakeMode;
  }

  /** Why the connection ended, when it ended with an error. */
  get error(): TsrsError | undefined {
    return this.connection.error;
  }

  private async connectWithRedirect(): Promise<void> {
    try {
      await this.connectOnce(this.options.tcUrl ?? this.url.tcUrl);
    } catch (err) {
      const target = this.redirectTarget(err);
      if (!target) throw err;
      await this.connectOnce(target.tcUrl);
    }
  }

  /** Opens the connection and runs the connect command; any failure leaves it closed. */
  private async connectOnce(tcUrl: string): Promise<void> {
    const { host, port } = this.url;
    this.connection = await RtmpClientConnection.open(
      { host, port, handshake: this.options.handshake, timeoutMs: this.options.timeoutMs, maxMessageSize: this.options.maxMessageSize },
      this.connectionEvents(),
    ).catch((err) => {
      throw wrapError(err, `rtmp connect ${tcUrl}`);
    });
    const connection = this.connection;
    try {
      connection.transportOrThrow.setOutChunkSize(this.options.chunkSize);
      const reply = await connection.call(RtmpCommandName.Connect, {
        app: this.url.app,
        type: 'nonprivate',
        flashVer: this.options.flashVer,
        tcUrl,
        fpad: false,
        capabilities: 15,
        audioCodecs: 4071,
        videoCodecs: 252,
        videoFunction: 1,
        objectEncoding: 0,
      });
      const status = statusOf(reply.args[0]);
      if (status && status.code && status.code !== StatusCode.ConnectSuccess) throw statusError('connect', status);
      this.connectInfo = status?.fields ?? {};
    } catch (err) {
      connection.fail(asTsrsError(err, 'connect'));
      throw wrapError(err, `rtmp connect ${tcUrl}`);
    }
  }

  /**
   * The URL to follow for an error that is a redirect we may still follow; switches `url`
   * to it (keeping our stream when the target names none).
   */
  private redirectTarget(err: unknown): RtmpUrl | undefined {
    if (!(err instanceof RtmpStatusError) || !err.redirect || !this.options.followRedirect || this.redirects > 0) return undefined;
    let target: RtmpUrl;
    try {
      target = parseRtmpUrl(err.redirect);
    } catch {
      return undefined;
    }
    this.redirects++;
    this.redirectedTo = err.redirect;
    if (!target.stream) target = { ...target, stream: this.url.stream };
    this.url = target;
    return target;
  }

  private connectionEvents(): ConnectionEvents {
    return {
      onMedia: (message) => this.onMedia(message),
      onStatus: (status) => {
        this.statuses.push(status);
        if (this.statuses.length > STATUS_HISTORY) this.statuses.shift();
        this.emit('status', status);
      },
      onCommand: (command) => this.emit('command', command),
      onControl: (event) => this.emit('control', event),
      onClose: (error) => this.onConnectionClose(error),
    };
  }

  private onMedia(message: RtmpMessage): void {
    const media: RtmpMediaMessage = {
      typeId: message.typeId,
      timestamp: message.timestamp,
      streamId: message.streamId,
      payload: message.payload,
    };
    this.inbox?.push(media);
    this.emit('media', media);
  }

  private onConnectionClose(error: TsrsError | undefined): void {
    // Before connect() resolved its rejection says it all; a redirect replaces the connection.
    if (!this.established || this.redirecting) return;
    this.emitClose(error);
  }

  private emitClose(error: TsrsError | undefined): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.inbox?.end();
    this.emit('close', error);
  }

  /** Publishes (FMLE flow); resolves with NetStream.Publish.Start. */
  async publish(stream = this.url.stream): Promise<RtmpStatus> {
    return this.streamStep('publish', stream, (name) => this.startPublish(name));
  }

  /** Plays; resolves with NetStream.Play.Start. */
  async play(stream = this.url.stream): Promise<RtmpStatus> {
    return this.streamStep('play', stream, (name) => this.startPlay(name));
  }

  /** Runs publish/play, following a redirect once; a failure closes the connection. */
  private async streamStep(what: string, stream: string, run: (stream: string) => Promise<RtmpStatus>): Promise<RtmpStatus> {
    if (this.role !== 'none') throw new TsrsError('RtmpClientCommand', `rtmp ${what} ${stream}: already a ${this.role}`);
    try {
      return await run(stream);
    } catch (err) {
      const target = this.redirectTarget(err);
      if (!target) {
        this.connection.fail(asTsrsError(err, what));
        throw wrapError(err, `rtmp ${what} ${this.url.tcUrl}/${stream}`);
      }
      this.redirecting = true;
      this.connection.fail(asTsrsError(err, what));
      try {
        await this.connectOnce(target.tcUrl);
      } catch (err2) {
        this.redirecting = false;
        this.emitClose(asTsrsError(err2, what));
        throw wrapError(err2, `rtmp ${what}: redirect to ${this.redirectedTo}`);
      }
      this.redirecting = false;
      try {
        return await run(target.stream);
      } catch (err2) {
        this.connection.fail(asTsrsError(err2, what));
        throw wrapError(err2, `rtmp ${what} ${target.tcUrl}/${target.stream} (after a redirect)`);
      }
    }
  }

  private async createStream(): Promise<number> {
    const reply = await this.connection.call(RtmpCommandName.CreateStream, null);
    const id = reply.args[0];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TsrsError('RtmpClientCommand', `createStream answered a stream id of ${String(id)}`);
    }
    return id;
  }

  private async startPublish(stream: string): Promise<RtmpStatus> {
    const c = this.connection;
    c.notify(RtmpCommandName.ReleaseStream, [stream]);
    c.notify(RtmpCommandName.FCPublish, [stream]);
    this.streamId = await this.createStream();
    const started = this.waitForStepStatus(StatusCode.PublishStart, 'publish');
    started.catch(() => undefined); // awaited below; a throwing send must not leave it unhandled
    c.notify(RtmpCommandName.Publish, [stream, 'live'], this.streamId, 0);
    const status = await started;
    this.role = 'publisher';
    this.stream = stream;
    return status;
  }

  private async startPlay(stream: string): Promise<RtmpStatus> {
    const c = this.connection;
    this.streamId = await this.createStream();
    const started = this.waitForStepStatus(StatusCode.StreamStart, 'play');
    started.catch(() => undefined); // awaited below; a throwing send must not leave it unhandled
    c.notify(RtmpCommandName.Play, [stream, -2000], this.streamId, 0); // -2000: live or recorded, as FFmpeg sends
    c.transportOrThrow.sendControl(
      RtmpMessageType.UserControl,
      encodeUserControl({ eventType: UserControlEvent.SetBufferLength, eventData: this.streamId, extraData: this.options.bufferLengthMs }),
    );
    const status = await started;
    this.role = 'player';
    this.stream = stream;
    return status;
  }

  /** The success status, or an error status turned into a rejection. */
  private async waitForStepStatus(code: string, what: string): Promise<RtmpStatus> {
    const status = await this.connection.waitForStatus(
      (s) => s.code === code || isErrorStatus(s) || redirectOf(s) !== undefined,
      this.options.timeoutMs,
      `${code} after ${what}`,
      true,
    );
    if (status.code !== code) throw statusError(what, status);
    return status;
  }

  /** Waits for a future onStatus with this code (e.g. NetStream.Play.UnpublishNotify). */
  waitForStatus(code: string, timeoutMs = this.options.timeoutMs): Promise<RtmpStatus> {
    return this.connection.waitForStatus((s) => s.code === code, timeoutMs, code, false);
  }

  /**
   * Media as an async iterator, buffered from this call on; ends when the connection closes.
   * Bounded: a consumer that falls behind pauses the socket.
   */
  media(): AsyncIterableIterator<RtmpMediaMessage> {
    if (!this.inbox) {
      const socket = () => this.connection.socket;
      this.inbox = new Inbox<RtmpMediaMessage>(
        { maxMessages: this.options.inbox?.maxMessages ?? 4096, maxBytes: this.options.inbox?.maxBytes ?? 16 << 20 },
        { pause: () => socket().pause(), resume: () => socket().resume() },
      );
      if (this.closeEmitted) this.inbox.end();
    }
    return this.inbox;
  }

  /** @setDataFrame("onMetaData", metadata), as encoders send it. */
  sendMetadata(metadata: AmfObject | AmfEcmaArray, timestamp = 0): boolean {
    return this.sendMessage(RtmpMessageType.DataAmf0, timestamp, encodeSetDataFrame(metadata));
  }

  sendAudio(timestamp: number, payload: Buffer): boolean {
    return this.sendMessage(RtmpMessageType.Audio, timestamp, payload);
  }

  sendVideo(timestamp: number, payload: Buffer): boolean {
    return this.sendMessage(RtmpMessageType.Video, timestamp, payload);
  }

  /**
   * Any message on our stream; the timestamp is taken mod 2^32. Returns false when the socket
   * buffer is full (await drained() before sending much more). Throws once closed.
   */
  sendMessage(typeId: number, timestamp: number, payload: Buffer): boolean {
    if (this.role !== 'publisher') throw new TsrsError('RtmpClientCommand', `rtmp ${this.url.tcUrl}: send before publish`);
    const csid = typeId === RtmpMessageType.Audio ? RtmpChunkStreamId.Audio
      : typeId === RtmpMessageType.Video ? RtmpChunkStreamId.Video
      : RtmpChunkStreamId.OverStream;
    return this.connection.transportOrThrow.send(csid, typeId, this.streamId, payload, timestamp);
  }

  /** Resolves once what was sent has left Node's buffer; rejects if the connection ends first. */
  drained(): Promise<void> {
    const socket = this.connection.socket;
    if (this.closeEmitted) return Promise.reject(this.error ?? new TsrsError('SocketClosed', 'rtmp client closed'));
    if (socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.off('close', onClose);
        resolve();
      };
      const onClose = (error: TsrsError | undefined) => {
        socket.off('drain', onDrain);
        reject(error ?? new TsrsError('SocketClosed', 'rtmp client closed'));
      };
      socket.once('drain', onDrain);
      this.once('close', onClose);
    });
  }

  /** Ends the session: a publisher says FCUnpublish and deleteStream first; resolves once the socket closed. */
  async close(): Promise<void> {
    const c = this.connection;
    if (!c.closed && this.role === 'publisher') {
      try {
        c.notify(RtmpCommandName.FCUnpublish, [this.stream]);
        c.notify(RtmpCommandName.DeleteStream, [this.streamId]);
      } catch {
        // Closing anyway.
      }
    }
    await c.close();
  }

  /** Drops the connection at once, without a goodbye. */
  destroy(): void {
    this.connection.abort();
  }
}

function asTsrsError(err: unknown, what: string): TsrsError {
  return err instanceof TsrsError ? err : wrapError(err, what);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The properties of connect's `_result` data (srs_server, srs_id...), if the server sent them. */
export function serverInfo(connectInfo: AmfObject): AmfObject {
  return (connectInfo.data !== undefined && amfProperties(connectInfo.data)) || {};
}
