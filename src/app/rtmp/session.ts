/**
 * One RTMP client connection on the server: handshake, connect, then either publishing
 * into a live source or playing from one. Commands are handled one at a time in arrival
 * order; media from a publisher takes a synchronous fast path straight into the source.
 */
import type { Socket } from 'node:net';
import { TsrsError, describeError } from '../../core/errors.js';
import { log, newContextId, runWithContext } from '../../core/logger.js';
import { TSRS_SERVER, TSRS_VERSION } from '../../core/version.js';
import { resolveStreamRequest } from '../../kernel/stream-url.js';
import type { RtmpMessage, RtmpMessageBatch } from '../../native/rtmp-chunk.js';
import type { AmfValue } from '../../protocol/amf/amf-types.js';
import { ServerHandshake } from '../../protocol/rtmp/handshake.js';
import { runHandshake } from '../../protocol/rtmp/handshake-io.js';
import { classifyPlainFrame, PlainFrame } from '../../protocol/flv/plain-frame.js';
import { decodeCommand, type RtmpCommand } from '../../protocol/rtmp/messages-command.js';
import { encodeSetPeerBandwidth } from '../../protocol/rtmp/messages-control.js';
import {
  encodeCommandError,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeOnBWDone,
  encodeOnFCPublish,
  encodeOnStatus,
  encodeResult,
  type StatusParams,
} from '../../protocol/rtmp/messages-replies.js';
import {
  PeerBandwidthLimit,
  RtmpChunkStreamId,
  RtmpCommandName,
  RtmpMessageType,
  StatusCode,
  StatusLevel,
  UserControlEvent,
} from '../../protocol/rtmp/messages.js';
import { RtmpTransport } from '../../protocol/rtmp/transport.js';
import { mediaFromFlv } from '../live/media-from-flv.js';
import { LiveSource, type FrameInterest } from '../live/source.js';
import type { ClientInfo, LiveContext } from '../live/context.js';
import { PLAY_STREAM_ID } from './constants.js';
import { InputGate } from './input-gate.js';
import { mergedReadPoller } from './merged-read-poller.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';
import { RtmpPlayer } from './player.js';

const HANDSHAKE_TIMEOUT_MS = 30_000;
/** A connection that has not finished connect/publish/play in this time is dropped. */
const IDENTIFY_TIMEOUT_MS = 30_000;
type FrameBypass = false | { source: LiveSource; wanted: Exclude<FrameInterest, true> };
type Role = { kind: 'idle' } | { kind: 'publisher'; source: LiveSource } | { kind: 'player'; player: RtmpPlayer };

export class RtmpSession {
  readonly info: ClientInfo;
  private transport: RtmpTransport | undefined;
  private tcUrl = '';
  private objectEncoding = 0;
  private role: Role = { kind: 'idle' };
  private readonly queue: RtmpMessage[] = [];
  private busy = false;
  private closed = false;
  private fcPublished = false;
  private connected = false;
  private publishTimer: NodeJS.Timeout | undefined;
  /** The socket reads into the shared buffer (not through its Readable stream). */
  private readsSharedBuffer = false;
  /** Set while the merged-read poller reads this publisher: stops that. */
  private stopMergedRead: (() => void) | undefined;
  private lastMediaAt = 0;
  private readonly input: InputGate;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: LiveContext,
  ) {
    this.info = {
      id: newContextId(),
      ip: socket.remoteAddress ?? '',
      createdAt: Date.now(),
      kind: 'unknown',
      request: undefined,
      pageUrl: '',
      swfUrl: '',
      bytesIn: 0,
      bytesOut: 0,
    };
    this.input = new InputGate(socket);
  }

  /** Runs the whole session inside its own log context. */
  start(): void {
    runWithContext(this.info.id, () => {
      this.ctx.clients.set(this.info.id, {
        info: this.info,
        kick: (reason) => this.close(`kicked: ${reason}`),
        bytesSent: () => this.socket.bytesWritten + (this.role.kind === 'player' ? this.role.player.bytesSent : 0) + this.info.bytesOut,
      });
      log.trace(`rtmp client ${this.info.ip}:${this.socket.remotePort} connected`);
      this.socket.on('error', (err: Error) => this.close(`socket error: ${err.message}`));
      this.socket.on('close', () => this.close('peer closed'));
      this.socket.setTimeout(IDENTIFY_TIMEOUT_MS, () => this.inContext(() => this.onIdleTimeout()));
      // Handshake and command replies are small writes answered by the client's next step:
      // with Nagle on, each waits out the peer's delayed ACK (~40 ms a step). Players get the
      // vhost's tcp_nodelay once they play.
      this.socket.setNoDelay(true);
      runHandshake(this.socket, new ServerHandshake(), undefined, HANDSHAKE_TIMEOUT_MS).then(
        (rest) => this.onHandshakeDone(rest),
        (err) => this.close(`handshake failed: ${describeError(err)}`),
      );
    });
  }

  /**
   * Socket events run in the listener's async context, not the session's: re-enter it so log
   * lines carry this client's id. (AsyncResource.bind would do the same at ~4 KB per binding.)
   */
  private inContext(fn: () => void): void {
    runWithContext(this.info.id, fn);
  }

  private onHandshakeDone(rest: Buffer): void {
    if (this.closed) return;
    this.transport = new RtmpTransport(this.socket);
    if (rest.length > 0) this.onData(rest);
    const onBytes = (data: Buffer) => this.inContext(() => this.onData(data));
    this.readsSharedBuffer = readIntoSharedBuffer(this.socket, onBytes);
    if (!this.readsSharedBuffer) this.socket.on('data', onBytes);
  }

  private onData(data: Buffer): void {
    if (this.closed || !this.transport) return;
    this.info.bytesIn += data.length;
    let batch: RtmpMessageBatch;
    try {
      batch = this.transport.feedBatch(data);
    } catch (err) {
      this.close(`bad chunk stream: ${describeError(err)}`);
      return;
    }
    let offset = batch.firstPayloadOffset;
    let framesTaken = false;
    // Asked once, and again only after a message that may have changed the answer.
    let bypass: FrameBypass | undefined;
    for (let i = 0; i < batch.count; i++) {
      const length = batch.payloadLength(i);
      bypass ??= this.frameBypass();
      if (bypass && this.takePlainFrame(bypass, batch, i, offset, length)) {
        framesTaken = true;
      } else {
        const message = batch.message(i, offset);
        if (this.busy || this.queue.length > 0) this.queue.push(message);
        else this.dispatch(message);
        if (this.closed) return;
        bypass = undefined;
      }
      offset += length;
    }
    if (framesTaken) this.lastMediaAt = Date.now();
  }

  /** Whether plain frames may go to the source in place right now, and which (false: none). */
  private frameBypass(): FrameBypass {
    if (this.role.kind !== 'publisher' || this.busy || this.queue.length > 0) return false;
    const { source } = this.role;
    const wanted = source.framesWanted();
    return wanted === true ? false : { source, wanted };
  }

  /** A publisher's plain audio/video frame goes to the source in place: no message or packet object. */
  private takePlainFrame(bypass: Exclude<FrameBypass, false>, batch: RtmpMessageBatch, i: number, offset: number, length: number): boolean {
    const typeId = batch.typeId(i);
    const plain = classifyPlainFrame(typeId, batch.bytes, offset, length);
    if (plain === PlainFrame.NotPlain) return false;
    const kind = typeId === RtmpMessageType.Video ? 'video' : 'audio';
    if (!LiveSource.bypasses(bypass.wanted, kind)) return false;
    bypass.source.feedFrame(kind, batch.timestamp(i), plain === PlainFrame.Keyframe, batch.bytes, offset, length);
    return true;
  }

  /** Handles a message: media synchronously, commands possibly async (the input waits). */
  private dispatch(message: RtmpMessage): void {
    const pending = this.handle(message);
    if (!pending) return;
    this.busy = true;
    this.input.hold('command');
    pending
      .catch((err) => this.close(describeError(err)))
      .finally(() => {
        this.busy = false;
        if (this.closed) return;
        this.input.release('command');
        while (!this.busy && !this.closed && this.queue.length > 0) this.dispatch(this.queue.shift()!);
      });
  }

  private handle(message: RtmpMessage): Promise<void> | undefined {
    try {
      switch (message.typeId) {
        case RtmpMessageType.Audio:
        case RtmpMessageType.Video:
        case RtmpMessageType.DataAmf0:
        case RtmpMessageType.DataAmf3:
          this.onMedia(message);
          return undefined;
        case RtmpMessageType.CommandAmf0:
        case RtmpMessageType.CommandAmf3:
          return this.onCommand(decodeCommand(message.typeId, message.payload));
        default:
          return undefined; // protocol control is answered by the transport
      }
    } catch (err) {
      this.close(`bad message type ${message.typeId}: ${describeError(err)}`);
      return undefined;
    }
  }

  private onMedia(message: RtmpMessage): void {
    if (this.role.kind !== 'publisher') {
      if (message.typeId === RtmpMessageType.Audio || message.typeId === RtmpMessageType.Video) {
        throw new TsrsError('RtmpClientCommand', 'media from a client that is not publishing');
      }
      return;
    }
    this.lastMediaAt = Date.now();
    const packet = mediaFromFlv(message.typeId, message.timestamp, message.payload);
    if (packet) this.role.source.feed(packet);
  }

  private async onCommand(cmd: RtmpCommand): Promise<void> {
    // Without connect there is no tcUrl, so no vhost or app to resolve a stream in.
    if (!this.connected && cmd.name !== RtmpCommandName.Connect) {
      throw new TsrsError('RtmpClientCommand', `${cmd.name} before connect`);
    }
    switch (cmd.name) {
      case RtmpCommandName.Connect:
        return this.onConnect(cmd);
      case RtmpCommandName.CreateStream:
        this.sendCommand(encodeCreateStreamResult(cmd.transactionId, PLAY_STREAM_ID));
        return;
      case RtmpCommandName.ReleaseStream:
        this.sendCommand(encodeResult(cmd.transactionId, null, undefined));
        return;
      case RtmpCommandName.FCPublish:
        this.fcPublished = true;
        this.sendCommand(encodeResult(cmd.transactionId, null, undefined));
        return;
      case RtmpCommandName.Publish:
        return this.onPublish(cmd);
      case RtmpCommandName.Play:
      case 'play2':
        return this.onPlay(cmd);
      case RtmpCommandName.Pause:
        this.onPause(cmd);
        return;
      case RtmpCommandName.FCUnpublish:
        if (this.role.kind === 'publisher') this.endPublish('FCUnpublish');
        this.sendCommand(encodeResult(cmd.transactionId, null, undefined));
        return;
      case RtmpCommandName.CloseStream:
      case RtmpCommandName.DeleteStream:
        this.endRole(cmd.name);
        return;
      case RtmpCommandName.GetStreamLength:
        this.sendCommand(encodeResult(cmd.transactionId, null, 0));
        return;
      case 'receiveAudio':
      case 'receiveVideo':
        return;
      default:
        // _checkbw, call and custom RPCs: answer so clients waiting for a result go on.
        if (cmd.transactionId > 0) this.sendCommand(encodeResult(cmd.transactionId, null, undefined));
        log.info(`rtmp command ${cmd.name} answered with an empty _result`);
    }
  }

  private async onConnect(cmd: RtmpCommand): Promise<void> {
    if (this.connected) throw new TsrsError('RtmpClientCommand', 'connect twice on one connection');
    this.connected = true;
    const props = (cmd.commandObject ?? {}) as Record<string, AmfValue>;
    this.tcUrl = typeof props.tcUrl === 'string' ? props.tcUrl : '';
    this.objectEncoding = typeof props.objectEncoding === 'number' ? props.objectEncoding : 0;
    this.info.pageUrl = typeof props.pageUrl === 'string' ? props.pageUrl : '';
    this.info.swfUrl = typeof props.swfUrl === 'string' ? props.swfUrl : '';
    const app = typeof props.app === 'string' ? props.app : '';
    if (!this.tcUrl) this.tcUrl = `rtmp://${this.socket.localAddress ?? '127.0.0.1'}/${app}`;
    // The stream is not known yet; resolve the vhost from the tcUrl for now.
    this.info.request = resolveStreamRequest(this.tcUrl, '', (name) => this.ctx.knownVhost(name));
    const options = this.ctx.liveOptions(this.info.request.vhost);
    const transport = this.transport!;
    transport.setWindowAckSize(options.outAckSize);
    transport.sendControl(RtmpMessageType.SetPeerBandwidth, encodeSetPeerBandwidth(options.outAckSize, PeerBandwidthLimit.Dynamic));
    transport.setOutChunkSize(options.chunkSize);
    try {
      await this.ctx.guards.onConnect?.(this.info);
    } catch (err) {
      this.sendCommand(encodeCommandError(cmd.transactionId, {
        code: StatusCode.ConnectRejected,
        description: describeError(err),
      }));
      throw err;
    }
    this.sendCommand(encodeConnectResult({
      transactionId: cmd.transactionId,
      objectEncoding: this.objectEncoding,
      server: TSRS_SERVER,
      version: TSRS_VERSION,
      pid: process.pid,
      contextId: this.info.id,
    }));
    this.sendCommand(encodeOnBWDone());
    log.trace(`rtmp connect tcUrl=${this.tcUrl} vhost=${this.info.request.vhost} app=${app} encoding=${this.objectEncoding}`);
  }

  private streamRequest(cmd: RtmpCommand): NonNullable<ClientInfo['request']> {
    const name = cmd.args[0];
    if (typeof name !== 'string' || name.length === 0) {
      throw new TsrsError('RtmpStreamNameEmpty', `${cmd.name}: empty stream name`);
    }
    const request = resolveStreamRequest(this.tcUrl, name, (vhost) => this.ctx.knownVhost(vhost));
    if (!request.stream) throw new TsrsError('RtmpStreamNameEmpty', `${cmd.name}: empty stream name in "${name}"`);
    this.info.request = request;
    return request;
  }

  private async onPublish(cmd: RtmpCommand): Promise<void> {
    if (this.role.kind !== 'idle') throw new TsrsError('RtmpClientCommand', `publish while already ${this.role.kind}`);
    const request = this.streamRequest(cmd);
    this.info.kind = this.fcPublished ? 'fmle-publish' : 'flash-publish';
    await this.ctx.guards.onPublish?.(this.info);
    if (this.closed) return;
    const source = this.ctx.sources.fetchOrCreate(request.vhost, request.app, request.stream);
    try {
      source.publish({ clientId: this.info.id, kick: (reason) => this.close(`publisher kicked: ${reason}`) });
    } catch (err) {
      this.sendStatus({ code: StatusCode.PublishBadName, description: describeError(err), level: StatusLevel.Error });
      throw err;
    }
    this.role = { kind: 'publisher', source };
    this.transport!.sendControlEvent(UserControlEvent.StreamBegin, PLAY_STREAM_ID);
    if (this.fcPublished) this.sendCommand(encodeOnFCPublish('onFCPublish', StatusCode.PublishStart, 'Started publishing stream.'));
    this.sendStatus({ code: StatusCode.PublishStart, description: 'Started publishing stream.', extra: { clientid: this.info.id } });
    this.watchPublisher(source.options.publishFirstPacketTimeoutMs, source.options.publishNormalTimeoutMs);
    this.startMergedRead(source);
    this.ctx.cluster?.onPublisherJoin?.(source, this.info);
    log.trace(`rtmp publish ${source.url} param=${request.param || '(none)'} as ${this.info.kind}`);
  }

  /**
   * SRS merged read (`mr on`): from now on the shared poller reads this publisher, once per
   * mr_latency until its socket is empty, instead of libuv reading each message as it comes.
   */
  private startMergedRead(source: LiveSource): void {
    if (source.options.mergedReadMs <= 0 || !this.readsSharedBuffer) return;
    this.input.hold('merged-read');
    this.stopMergedRead = mergedReadPoller.add({
      socket: this.socket,
      napMs: () => source.options.mergedReadMs,
      ready: () => !this.busy && !this.closed,
      onBytes: (bytes) => this.inContext(() => this.onData(bytes)),
      onEnd: (reason) => this.inContext(() => this.close(reason)),
    });
    if (!this.stopMergedRead) this.input.release('merged-read');
  }

  /** Back to reading as usual (a later publish on this connection may merge again). */
  private endMergedRead(): void {
    if (!this.stopMergedRead) return;
    this.stopMergedRead();
    this.stopMergedRead = undefined;
    this.input.release('merged-read');
  }

  /** Ends a publisher that sends nothing: SRS's firstpkt_timeout and normal_timeout. */
  private watchPublisher(firstPacketMs: number, normalMs: number): void {
    this.socket.setTimeout(0);
    const publishedAt = Date.now();
    const check = () => {
      const now = Date.now();
      const silentFor = this.lastMediaAt ? now - this.lastMediaAt : now - publishedAt;
      const limit = this.lastMediaAt ? normalMs : firstPacketMs;
      if (silentFor > limit) this.close(`publisher sent no media for ${silentFor} ms (timeout ${limit} ms)`);
    };
    this.publishTimer = setInterval(() => this.inContext(check), Math.max(100, Math.min(firstPacketMs, normalMs) / 4));
    this.publishTimer.unref();
  }

  private async onPlay(cmd: RtmpCommand): Promise<void> {
    if (this.role.kind !== 'idle') throw new TsrsError('RtmpClientCommand', `play while already ${this.role.kind}`);
    const request = this.streamRequest(cmd);
    this.info.kind = 'rtmp-play';
    await this.ctx.guards.onPlay?.(this.info);
    if (this.closed) return;
    const redirect = await this.ctx.cluster?.locateStream?.(request);
    if (redirect) return this.redirectPlay(redirect);
    if (this.closed) return;
    this.socket.setTimeout(0);
    const source = this.ctx.sources.fetchOrCreate(request.vhost, request.app, request.stream);
    const player = new RtmpPlayer(this.socket, this.transport!, source, this.info, (reason) => this.close(reason));
    this.role = { kind: 'player', player };
    await player.start();
    this.ctx.cluster?.onPlayerJoin?.(source, this.info);
    log.trace(`rtmp play ${source.url} param=${request.param || '(none)'}`);
  }

  /** SRS's RTMP 302: an error status whose `ex` carries the URL to play instead. */
  private redirectPlay(url: string): void {
    this.sendStatus({
      code: StatusCode.ConnectRejected,
      description: 'RTMP 302 Redirect',
      level: StatusLevel.Error,
      extra: { ex: { code: 302, redirect: url } },
    });
    log.trace(`rtmp play redirected to ${url}`);
    setTimeout(() => this.close(`redirected to ${url}`), 100).unref();
  }

  private onPause(cmd: RtmpCommand): void {
    if (this.role.kind !== 'player') return;
    const paused = cmd.args[0] === true;
    this.role.player.pause(paused);
  }

  private sendCommand(payload: Buffer): void {
    if (this.role.kind === 'player') {
      this.role.player.sendControl(RtmpChunkStreamId.OverStream, RtmpMessageType.CommandAmf0, payload);
    } else {
      this.transport?.send(RtmpChunkStreamId.OverConnection, RtmpMessageType.CommandAmf0, 0, payload);
    }
  }

  private sendStatus(status: StatusParams): void {
    this.transport?.send(RtmpChunkStreamId.OverStream, RtmpMessageType.CommandAmf0, PLAY_STREAM_ID, encodeOnStatus(status));
  }

  private endPublish(why: string): void {
    if (this.role.kind !== 'publisher') return;
    clearInterval(this.publishTimer);
    this.endMergedRead();
    this.role.source.unpublish(this.role.source.publisher!);
    log.trace(`rtmp unpublish ${this.role.source.url}: ${why}`);
    this.role = { kind: 'idle' };
    this.ctx.guards.onUnpublish?.(this.info);
  }

  private endRole(why: string): void {
    if (this.role.kind === 'publisher') this.endPublish(why);
    else if (this.role.kind === 'player') {
      this.info.bytesOut += this.role.player.stop();
      this.ctx.cluster?.onPlayerLeave?.(this.role.player.source, this.info);
      this.role = { kind: 'idle' };
      this.ctx.guards.onStop?.(this.info);
    }
  }

  private onIdleTimeout(): void {
    if (this.role.kind === 'idle') this.close(`no publish or play within ${IDENTIFY_TIMEOUT_MS} ms`);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== 'peer closed' && !reason.startsWith('kicked') && !reason.startsWith('publisher kicked')) this.info.closeError = reason;
    runWithContext(this.info.id, () => {
      this.endRole(reason);
      clearInterval(this.publishTimer);
      this.ctx.clients.delete(this.info.id);
      this.socket.destroy();
      const seconds = ((Date.now() - this.info.createdAt) / 1000).toFixed(1);
      log.trace(`rtmp client ${this.info.ip} closed after ${seconds}s: ${reason}`);
      this.ctx.guards.onClose?.(this.info);
    });
  }
}
