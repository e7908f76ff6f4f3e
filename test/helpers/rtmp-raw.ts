/**
 * Hand-made RTMP byte streams for bad-input tests: a raw socket that does only what the test
 * says, with message encoding and a small reader for the server's answers.
 */
import { connect, type Socket } from 'node:net';
import { RtmpChunkDemuxer, encodeRtmpMessage, type RtmpMessage } from '../../src/native/rtmp-chunk.js';
import type { AmfValue } from '../../src/protocol/amf/amf-types.js';
import { ClientHandshake } from '../../src/protocol/rtmp/handshake.js';
import { decodeCommand, encodeCommand } from '../../src/protocol/rtmp/messages-command.js';
import { RtmpMessageType } from '../../src/protocol/rtmp/messages.js';

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves true once the socket is closed (by the server), false if still open after timeoutMs. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.closed || socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      resolve(false);
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', onClose);
    socket.on('error', () => undefined);
  });
}

/** One message in chunks (fmt 0, then fmt 3) with the given chunk size. */
export function messageBytes(csid: number, typeId: number, streamId: number, timestamp: number, payload: Buffer, chunkSize = 128): Buffer {
  return encodeRtmpMessage({ csid, typeId, streamId, timestamp, payload }, chunkSize);
}

export function commandBytes(name: string, transactionId: number, commandObject: AmfValue, args: AmfValue[] = [], streamId = 0, chunkSize = 128): Buffer {
  return messageBytes(3, RtmpMessageType.CommandAmf0, streamId, 0, encodeCommand(name, transactionId, commandObject, ...args), chunkSize);
}

export function connectBytes(port: number, app = 'live', chunkSize = 128): Buffer {
  return commandBytes('connect', 1, { app, tcUrl: `rtmp://127.0.0.1:${port}/${app}`, flashVer: 'LNX 9,0,124,2', objectEncoding: 0 }, [], 0, chunkSize);
}

/** A socket after a plain handshake, plus a reader of the server's messages. */
export interface RawSession {
  socket: Socket;
  /** Messages received so far (control, commands, media). */
  messages: RtmpMessage[];
  /** Resolves with the first (past or future) command of that name / onStatus of that code. */
  waitForCommand(match: (name: string, info: Record<string, AmfValue>) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops reading: the socket's receive buffer fills and the server's writes block. */
  stall(): void;
}

export async function rawSession(port: number): Promise<RawSession> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined);
  const handshake = new ClientHandshake({ complex: false });
  const demuxer = new RtmpChunkDemuxer();
  const messages: RtmpMessage[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw handshake timed out')), 5000);
    socket.on('data', (data: Buffer) => {
      let bytes = data;
      if (!done) {
        const out = handshake.feed(bytes);
        if (out.send.length) socket.write(out.send);
        if (!out.done) return;
        done = true;
        clearTimeout(timer);
        resolve();
        bytes = out.rest;
      }
      if (bytes.length === 0) return;
      try {
        for (const m of demuxer.feed(bytes)) messages.push(m);
      } catch {
        socket.destroy();
      }
      for (const w of waiters) w();
    });
    socket.write(handshake.start());
  });
  const commandMatches = (match: (name: string, info: Record<string, AmfValue>) => boolean) =>
    messages.some((m) => {
      if (m.typeId !== RtmpMessageType.CommandAmf0) return false;
      try {
        const c = decodeCommand(m.typeId, m.payload);
        const info = (c.args[0] ?? c.commandObject ?? {}) as Record<string, AmfValue>;
        return match(c.name, typeof info === 'object' && info ? info : {});
      } catch {
        return false;
      }
    });
  return {
    socket,
    messages,
    waitForCommand(match, timeoutMs = 5000) {
      if (commandMatches(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!commandMatches(match)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('raw session: expected command not received'));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stall() {
      socket.pause();
      socket.removeAllListeners('data');
    },
  };
}

/** A raw player up to NetStream.Play.Start; it keeps reading until the test calls stall(). */
export async function rawPlayer(port: number, app: string, stream: string): Promise<RawSession> {
  const session = await rawSession(port);
  session.socket.write(Buffer.concat([
    connectBytes(port, app),
    commandBytes('createStream', 2, null),
    commandBytes('play', 0, null, [stream], 1),
  ]));
  await session.waitForCommand((name, info) => name === 'onStatus' && info.code === 'NetStream.Play.Start');
  return session;
}
