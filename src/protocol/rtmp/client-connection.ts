/**
 * One client-side RTMP connection: TCP connect, the handshake, then the chunk stream through
 * RtmpTransport (native demuxer; acks and ping answers come from the transport). It matches
 * `_result`/`_error` to the transactions it sent and hands everything else up as events.
 *
 * Every failure (socket error, a broken chunk stream, a step timing out) ends the connection
 * once: the socket is destroyed and every pending request rejects with the same TsrsError.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { TsrsError, describeError, wrapError } from '../../core/errors.js';
import type { RtmpMessage } from '../../native/rtmp-chunk.js';
import type { AmfValue } from '../amf/amf-types.js';
import { ClientHandshake } from './handshake.js';
import { decodeCommand, decodeData, encodeCommand, type RtmpCommand } from './messages-command.js';
import { decodeUserControl, type UserControl } from './messages-control.js';
import { RtmpChunkStreamId, RtmpCommandName, RtmpMessageType } from './messages.js';
import { statusError, statusOf, type RtmpStatus } from './client-status.js';
import { RtmpTransport } from './transport.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  handshake: 'complex' | 'simple';
  timeoutMs: number;
  maxMessageSize: number;
}

export interface ConnectionEvents {
  /** Audio, video and data messages (metadata), as received. */
  onMedia(message: RtmpMessage): void;
  /** onStatus from the server. */
  onStatus(status: RtmpStatus, command: RtmpCommand): void;
  /** Other commands nobody waited for (onBWDone, onFCPublish, ...). */
  onCommand(command: RtmpCommand): void;
  onControl(event: UserControl): void;
  /** Once, when the connection ends; `error` is undefined when we closed it ourselves. */
  onClose(error: TsrsError | undefined): void;
}

interface Pending {
  what: string;
  resolve(command: RtmpCommand): void;
  reject(err: TsrsError): void;
  timer: NodeJS.Timeout;
}

interface StatusWaiter {
  match(status: RtmpStatus): boolean;
  resolve(status: RtmpStatus): void;
  reject(err: TsrsError): void;
  timer: NodeJS.Timeout;
}

/** Data messages that answer a play rather than carry media. */
const NON_MEDIA_DATA = new Set<string>([RtmpCommandName.SampleAccess, RtmpCommandName.OnStatus]);

export class RtmpClientConnection {
  readonly socket: Socket;
  private transport: RtmpTransport | undefined;
  private handshake: ClientHandshake | undefined;
  private nextTransactionId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly statusWaiters = new Set<StatusWaiter>();
  private opened: { resolve(): void; reject(err: TsrsError): void; timer: NodeJS.Timeout } | undefined;
  private ended = false;
  /** Why the connection ended; undefined while open or after a clean close. */
  error: TsrsError | undefined;

  private constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.socket = netConnect({ host: options.host, port: options.port, noDelay: true });
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('error', (err) => this.fail(new TsrsError('SocketClosed', `${this.peer}: ${err.message}`, { cause: err })));
    this.socket.on('close', () => this.fail(new TsrsError('SocketClosed', `${this.peer}: closed by the server`)));
  }

  /** TCP connect and handshake, each bounded by the step timeout. */
  static async open(options: ConnectionOptions, events: ConnectionEvents): Promise<RtmpClientConnection> {
    const connection = new RtmpClientConnection(options, events);
    await connection.start();
    return connection;
  }

  get peer(): string {
    return `rtmp server ${this.options.host}:${this.options.port}`;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** The handshake the server answered with, once it has. */
  get handshakeMode(): 'complex' | 'simple' | undefined {
    return this.handshake?.serverMode;
  }

  private start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new TsrsError('SocketTimeout', `${this.peer}: no connect and handshake in ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      this.opened = { resolve, reject, timer };
      this.socket.once('connect', () => {
        if (this.ended) return;
        this.handshake = new ClientHandshake({ complex: this.options.handshake === 'complex' });
        this.socket.write(this.handshake.start());
      });
    });
  }

  private onData(data: Buffer): void {
    if (this.ended) return;
    let bytes = data;
    if (!this.transport) {
      if (!this.handshake) return this.fail(new TsrsError('RtmpHandshake', `${this.peer}: sent data before our C0+C1`));
      let out;
      try {
        out = this.handshake.feed(bytes);
      } catch (err) {
        return this.fail(wrapError(err, `${this.peer}: handshake`));
      }
      if (out.send.length > 0) this.socket.write(out.send);
      if (!out.done) return;
      this.transport = new RtmpTransport(this.socket, { maxMessageSize: this.options.maxMessageSize });
      const opened = this.opened!;
      this.opened = undefined;
      clearTimeout(opened.timer);
      opened.resolve();
      bytes = out.rest;
      if (bytes.length === 0) return;
    }
    let messages: RtmpMessage[];
    try {
      messages = this.transport.feed(bytes);
    } catch (err) {
      return this.fail(wrapError(err, `${this.peer}: chunk stream`));
    }
    for (const message of messages) {
      try {
        this.dispatch(message);
      } catch (err) {
        // A throwing listener must end this connection, not the process (we run in a socket callback).
        return this.fail(wrapError(err, `${this.peer}: message listener`));
      }
      if (this.ended) return;
    }
  }

  private dispatch(message: RtmpMessage): void {
    switch (message.typeId) {
      case RtmpMessageType.Audio:
      case RtmpMessageType.Video:
        this.events.onMedia(message);
        return;
      case RtmpMessageType.DataAmf0:
      case RtmpMessageType.DataAmf3:
        if (!NON_MEDIA_DATA.has(dataName(message))) this.events.onMedia(message);
        return;
      case RtmpMessageType.CommandAmf0:
      case RtmpMessageType.CommandAmf3: {
        let command: RtmpCommand;
        try {
          command = decodeCommand(message.typeId, message.payload);
        } catch (err) {
          return this.fail(wrapError(err, `${this.peer}: command`));
        }
        this.onCommand(command);
        return;
      }
      case RtmpMessageType.UserControl:
        // The transport already decoded it (and answered pings), so this cannot throw.
        this.events.onControl(decodeUserControl(message.payload));
        return;
      default:
        // Window ack size, peer bandwidth, acks, chunk size: handled below us.
        return;
    }
  }

  private onCommand(command: RtmpCommand): void {
    const isReply = command.name === RtmpCommandName.Result || command.name === RtmpCommandName.Error;
    const pending = isReply ? this.pending.get(command.transactionId) : undefined;
    if (pending) {
      this.pending.delete(command.transactionId);
      clearTimeout(pending.timer);
      if (command.name === RtmpCommandName.Result) pending.resolve(command);
      else pending.reject(statusError(pending.what, statusOf(command.args[0]) ?? { level: 'error', code: '', description: '', fields: {} }));
      return;
    }
    if (command.name === RtmpCommandName.OnStatus) {
      const status = statusOf(command.args[0]);
      if (status) {
        for (const waiter of this.statusWaiters) {
          if (!waiter.match(status)) continue;
          this.statusWaiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(status);
        }
        this.events.onStatus(status, command);
        return;
      }
    }
    this.events.onCommand(command);
  }

  private send(csid: number, streamId: number, name: string, transactionId: number, commandObject: AmfValue, args: AmfValue[]): void {
    if (this.ended || !this.transport) throw this.error ?? new TsrsError('SocketClosed', `${this.peer}: not connected`);
    this.transport.send(csid, RtmpMessageType.CommandAmf0, streamId, encodeCommand(name, transactionId, commandObject, ...args));
  }

  /**
   * Sends a command and waits for its `_result` (resolved) or `_error` (rejected with an
   * RtmpStatusError). A timeout ends the whole connection: a server that stopped answering
   * is not worth keeping.
   */
  call(name: string, commandObject: AmfValue, args: AmfValue[] = [], streamId = 0): Promise<RtmpCommand> {
    const transactionId = this.nextTransactionId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new TsrsError('SocketTimeout', `${this.peer}: no answer to ${name} in ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      this.pending.set(transactionId, { what: name, resolve, reject, timer });
      try {
        this.send(RtmpChunkStreamId.OverConnection, streamId, name, transactionId, commandObject, args);
      } catch (err) {
        this.pending.delete(transactionId);
        clearTimeout(timer);
        reject(err);
      }
    });
  }

  /** A command whose answer nobody waits for (releaseStream, FCPublish, publish, play...). */
  notify(name: string, args: AmfValue[], streamId = 0, transactionId = this.nextTransactionId++): void {
    const csid = streamId === 0 ? RtmpChunkStreamId.OverConnection : RtmpChunkStreamId.OverStream2;
    this.send(csid, streamId, name, transactionId, null, args);
  }

  /** Resolves with the first future onStatus that matches; rejects on timeout or close. */
  waitForStatus(match: (status: RtmpStatus) => boolean, timeoutMs: number, what: string, failConnection: boolean): Promise<RtmpStatus> {
    if (this.ended) return Promise.reject(this.error ?? new TsrsError('SocketClosed', `${this.peer}: closed`));
    return new Promise((resolve, reject) => {
      const waiter: StatusWaiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          const err = new TsrsError('SocketTimeout', `${this.peer}: no ${what} in ${timeoutMs} ms`);
          this.statusWaiters.delete(waiter);
          if (failConnection) this.fail(err);
          reject(err);
        }, timeoutMs),
      };
      this.statusWaiters.add(waiter);
    });
  }

  get transportOrThrow(): RtmpTransport {
    if (this.ended || !this.transport) throw this.error ?? new TsrsError('SocketClosed', `${this.peer}: not connected`);
    return this.transport;
  }

  /** Ends with an error: destroys the socket and rejects everything pending. */
  fail(error: TsrsError): void {
    if (this.ended) return;
    this.error = error;
    this.finish(error);
    this.socket.destroy();
  }

  /** Ends cleanly: what we wrote is flushed (socket.end), pending requests reject. */
  close(reason = 'closed by the client'): Promise<void> {
    if (!this.ended) {
      this.finish(new TsrsError('SocketClosed', `${this.peer}: ${reason}`), true);
      this.socket.end();
    }
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), this.options.timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends cleanly but at once: the socket is destroyed, unsent bytes are dropped. */
  abort(reason = 'destroyed by the client'): void {
    if (this.ended) return;
    this.finish(new TsrsError('SocketClosed', `${this.peer}: ${reason}`), true);
    this.socket.destroy();
  }

  private finish(error: TsrsError, clean = false): void {
    this.ended = true;
    if (this.opened) {
      clearTimeout(this.opened.timer);
      this.opened.reject(error);
      this.opened = undefined;
    }
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    for (const waiter of this.statusWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.statusWaiters.clear();
    try {
      this.events.onClose(clean ? undefined : error);
    } catch (err) {
      // A listener's bug must not keep the socket open.
      this.error ??= wrapError(err, `${this.peer}: close listener: ${describeError(err)}`);
    }
  }
}

/** The name of a data message, '' when it does not decode (it is then passed on as media). */
function dataName(message: RtmpMessage): string {
  try {
    return decodeData(message.typeId, message.payload).name;
  } catch {
    return '';
  }
}
