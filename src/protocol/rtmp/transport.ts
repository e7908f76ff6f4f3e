/**
 * One RTMP connection's chunk-stream plumbing after the handshake, shared by the server's
 * sessions and the client: the native demuxer for input, chunked writes with the current
 * outgoing chunk size, acknowledgements for the peer's window, and ping answers.
 * Everything above it deals in whole messages.
 */
import type { Socket } from 'node:net';
import { RtmpChunkDemuxer, encodeRtmpMessage, type RtmpMessage, type RtmpMessageBatch } from '../../native/rtmp-chunk.js';
import {
  decodeUserControl,
  decodeWindowAckSize,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeUserControl,
  encodeWindowAckSize,
} from './messages-control.js';
import { RtmpChunkStreamId, RtmpMessageType, UserControlEvent } from './messages.js';

export interface RtmpTransportOptions {
  maxMessageSize?: number;
}

export class RtmpTransport {
  outChunkSize = 128;
  /** The peer's Window Acknowledgement Size: we ack each time that many bytes arrived. */
  private peerWindow = 0;
  private lastAcked = 0;
  private readonly demuxer: RtmpChunkDemuxer;
  private write: (bytes: Buffer) => boolean;

  constructor(
    readonly socket: Socket,
    options: RtmpTransportOptions = {},
  ) {
    this.demuxer = new RtmpChunkDemuxer({ maxMessageSize: options.maxMessageSize ?? 8 << 20 });
    this.write = (bytes) => socket.write(bytes);
  }

  /** Once a socket is handed to the native fan-out, every write must go through it. */
  redirectWrites(writer: (bytes: Buffer) => void): void {
    this.write = (bytes) => {
      writer(bytes);
      return true;
    };
  }

  get bytesReceived(): number {
    return this.demuxer.bytesReceived;
  }

  /**
   * Demuxes bytes from the socket; protocol control is answered here and also returned so
   * callers can log it. Throws a TsrsError on a broken chunk stream.
   */
  feed(bytes: Buffer): RtmpMessage[] {
    return this.feedBatch(bytes).messages();
  }

  /** As feed, with the messages left packed (a publisher's media needs no object each). */
  feedBatch(bytes: Buffer): RtmpMessageBatch {
    const batch = this.demuxer.feedBatch(bytes);
    let offset = batch.firstPayloadOffset;
    for (let i = 0; i < batch.count; i++) {
      const typeId = batch.typeId(i);
      if (typeId === RtmpMessageType.WindowAckSize || typeId === RtmpMessageType.UserControl) this.handleControl(batch.message(i, offset));
      offset += batch.payloadLength(i);
    }
    this.acknowledge();
    return batch;
  }

  /** Encodes and writes one message; returns false when the socket buffer is full. */
  send(csid: number, typeId: number, streamId: number, payload: Buffer, timestamp = 0): boolean {
    return this.write(this.encode(csid, typeId, streamId, payload, timestamp));
  }

  encode(csid: number, typeId: number, streamId: number, payload: Buffer, timestamp = 0): Buffer {
    return encodeRtmpMessage({ csid, typeId, streamId, payload, timestamp }, this.outChunkSize);
  }

  sendControl(typeId: number, payload: Buffer): void {
    this.send(RtmpChunkStreamId.ProtocolControl, typeId, 0, payload);
  }

  setOutChunkSize(chunkSize: number): void {
    this.sendControl(RtmpMessageType.SetChunkSize, encodeSetChunkSize(chunkSize));
    this.outChunkSize = chunkSize;
  }

  setWindowAckSize(size: number): void {
    this.sendControl(RtmpMessageType.WindowAckSize, encodeWindowAckSize(size));
  }

  private handleControl(message: RtmpMessage): void {
    if (message.typeId === RtmpMessageType.WindowAckSize) {
      this.peerWindow = decodeWindowAckSize(message.payload);
    } else if (message.typeId === RtmpMessageType.UserControl) {
      const event = decodeUserControl(message.payload);
      if (event.eventType === UserControlEvent.PingRequest) {
        this.sendControlEvent(UserControlEvent.PingResponse, event.eventData);
      }
    }
  }

  sendControlEvent(eventType: number, eventData: number, extraData?: number): void {
    const event = extraData === undefined ? { eventType, eventData } : { eventType, eventData, extraData };
    this.sendControl(RtmpMessageType.UserControl, encodeUserControl(event));
  }

  private acknowledge(): void {
    if (this.peerWindow <= 0) return;
    const received = this.demuxer.bytesReceived;
    if (received - this.lastAcked < this.peerWindow) return;
    this.lastAcked = received;
    this.sendControl(RtmpMessageType.Acknowledgement, encodeAcknowledgement(received % 2 ** 32));
  }
}

/** Resolves when everything written to the socket has been handed to the kernel. */
export function drained(socket: Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('socket closed before its writes drained'));
    };
    const cleanup = () => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}
