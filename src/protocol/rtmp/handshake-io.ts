/**
 * Runs a handshake over a socket: feeds what arrives, writes what it answers, and resolves
 * with the bytes that followed it (the first chunks). Rejects on bad bytes, close or timeout.
 */
import type { Socket } from 'node:net';
import { TsrsError } from '../../core/errors.js';
import type { HandshakeOutput } from './handshake.js';

export function runHandshake(
  socket: Socket,
  handshake: { feed(data: Buffer): HandshakeOutput },
  firstSend: Buffer | undefined,
  timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new TsrsError('SocketTimeout', `handshake: no answer in ${timeoutMs} ms`)), timeoutMs);
    const onData = (data: Buffer) => {
      let out: HandshakeOutput;
      try {
        out = handshake.feed(data);
      } catch (err) {
        finish(err);
        return;
      }
      if (out.send.length > 0) socket.write(out.send);
      if (out.done) finish(undefined, out.rest);
    };
    const onClose = () => finish(new TsrsError('SocketClosed', 'handshake: peer closed the connection'));
    const onError = (err: Error) => finish(new TsrsError('SocketClosed', `handshake: ${err.message}`));
    const finish = (err: unknown, rest?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve(rest ?? Buffer.alloc(0));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    if (firstSend) socket.write(firstSend);
  });
}
