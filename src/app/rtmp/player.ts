/**
 * An RTMP player after its play command: answers the play, then hands its socket to the
 * stream's native fan-out. From then on nothing in JavaScript runs for it per message;
 * the session only forwards its rare commands (pause, close) and control replies.
 */
import type { Socket } from 'node:net';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { encodeOnStatus, encodeSampleAccess } from '../../protocol/rtmp/messages-replies.js';
import { RtmpChunkStreamId, RtmpMessageType, StatusCode, UserControlEvent } from '../../protocol/rtmp/messages.js';
import { drained, type RtmpTransport } from '../../protocol/rtmp/transport.js';
import { encodeSetChunkSize, encodeUserControl } from '../../protocol/rtmp/messages-control.js';
import type { LiveSource } from '../live/source.js';
import type { ClientInfo } from '../live/context.js';
import { PLAY_STREAM_ID } from './constants.js';
import { RtmpOutput } from './rtmp-output.js';

/**
 * Control replies (ping answers, pause status...) queued for a player whose socket is full
 * wait in native memory until it reads again; past this many bytes the player is dropped, or
 * one that sends pings and never reads would grow the server without bound.
 */
const MAX_CONTROL_BYTES_WHILE_BLOCKED = 256 * 1024;

export class RtmpPlayer {
  private output: RtmpOutput | undefined;
  private controlBytesWhileBlocked = 0;
  private playerId = -1;
  private stopped = false;
  private detachedBytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly transport: RtmpTransport,
    readonly source: LiveSource,
    private readonly info: ClientInfo,
    private readonly onDead: (reason: string) => void,
  ) {}

  /**
   * The play answer: StreamBegin, Play.Reset, Play.Start, sample access. SRS also sends an
   * onStatus(NetStream.Data.Start) data message; FFmpeg turns that into a spurious data
   * stream, so it is left out.
   */
  private playAnswer(): Buffer[] {
    const t = this.transport;
    const status = (code: string, description: string) =>
      t.encode(RtmpChunkStreamId.OverStream, RtmpMessageType.CommandAmf0, PLAY_STREAM_ID,
        encodeOnStatus({ code, description, extra: { details: this.source.stream, clientid: this.info.id } }));
    return [
      t.encode(RtmpChunkStreamId.ProtocolControl, RtmpMessageType.UserControl, 0,
        encodeUserControl({ eventType: UserControlEvent.StreamBegin, eventData: PLAY_STREAM_ID })),
      status(StatusCode.StreamReset, 'Playing and resetting stream.'),
      status(StatusCode.StreamStart, 'Started playing stream.'),
      t.encode(RtmpChunkStreamId.OverStream, RtmpMessageType.DataAmf0, PLAY_STREAM_ID, encodeSampleAccess(true, true)),
    ];
  }

  async start(): Promise<void> {
    // The socket's own queue (connect and createStream answers) must reach the kernel
    // before the fan-out writes to the same fd.
    await drained(this.socket);
    if (this.stopped) return;
    this.socket.setNoDelay(this.source.options.tcpNodelay);
    this.attach(this.playAnswer());
    this.transport.redirectWrites((bytes) => this.sendRaw(bytes));
  }

  private attach(control: Buffer[]): void {
    this.output = RtmpOutput.of(this.source);
    if (this.output.chunkSize !== this.transport.outChunkSize) {
      // A reload changed chunk_size under a running stream: tell this player the size the
      // stream's messages are chunked with.
      control.unshift(this.transport.encode(RtmpChunkStreamId.ProtocolControl, RtmpMessageType.SetChunkSize, 0, encodeSetChunkSize(this.output.chunkSize)));
    }
    try {
      this.playerId = this.output.attach(this.socket, control, this.source, { onDead: (reason) => this.onDead(reason) });
    } catch (err) {
      this.onDead(`cannot attach to the fan-out: ${describeError(err)}`);
    }
  }

  private sendRaw(bytes: Buffer): void {
    if (!this.output || this.playerId < 0) return;
    if (this.output.playerStats(this.playerId)?.state === 'blocked') {
      this.controlBytesWhileBlocked += bytes.length;
      if (this.controlBytesWhileBlocked > MAX_CONTROL_BYTES_WHILE_BLOCKED) {
        this.onDead(`player does not read: over ${MAX_CONTROL_BYTES_WHILE_BLOCKED} bytes of control replies queued`);
        return;
      }
    } else {
      this.controlBytesWhileBlocked = 0; // active means caught up: the control queue is written
    }
    this.output.send(this.playerId, bytes);
  }

  sendControl(csid: number, typeId: number, payload: Buffer): void {
    this.sendRaw(this.transport.encode(csid, typeId, PLAY_STREAM_ID, payload));
  }

  /** Pause detaches from the fan-out (nothing is sent), unpause re-attaches at the live GOP. */
  pause(paused: boolean): void {
    const code = paused ? StatusCode.StreamPause : StatusCode.StreamUnpause;
    const answer = this.transport.encode(RtmpChunkStreamId.OverStream, RtmpMessageType.CommandAmf0, PLAY_STREAM_ID,
      encodeOnStatus({ code, description: paused ? 'Paused stream.' : 'Unpaused stream.' }));
    if (paused && this.playerId >= 0) {
      this.sendRaw(answer);
      this.detach();
    } else if (!paused && this.playerId < 0) {
      this.attach([answer]);
    }
    log.trace(`rtmp player ${paused ? 'paused' : 'unpaused'} ${this.source.url}`);
  }

  private detach(): void {
    if (this.output && this.playerId >= 0) this.detachedBytes += this.output.detach(this.playerId);
    this.playerId = -1;
  }

  /** Leaves the stream; returns the bytes the fan-out sent to this player. */
  stop(): number {
    this.stopped = true;
    this.detach();
    return this.detachedBytes;
  }

  /** Bytes the fan-out wrote to this player, attached or not. */
  get bytesSent(): number {
    const live = this.output && this.playerId >= 0 ? this.output.playerBytesSent(this.playerId) : 0;
    return this.detachedBytes + live;
  }
}

