/**
 * A scripted RTMP server for client tests: it does the real handshake and chunking, then
 * lets the test answer each command (e.g. with an SRS-style 302 redirect, or not at all).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { RtmpMessage } from '../../src/native/rtmp-chunk.js';
import type { AmfValue } from '../../src/protocol/amf/amf-types.js';
import { runHandshake } from '../../src/protocol/rtmp/handshake-io.js';
import { ServerHandshake } from '../../src/protocol/rtmp/handshake.js';
import { decodeCommand, encodeCommand, type RtmpCommand } from '../../src/protocol/rtmp/messages-command.js';
import { RtmpMessageType } from '../../src/protocol/rtmp/messages.js';
import { RtmpTransport } from '../../src/protocol/rtmp/transport.js';

export interface FakeSession {
  socket: Socket;
  command(name: string, transactionId: number, commandObject: AmfValue, ...args: AmfValue[]): void;
  onStatus(info: Record<string, AmfValue>, streamId?: number): void;
  /** A protocol control or user control message (types 1..6). */
  control(typeId: number, payload: Buffer): void;
}

export interface FakeServer {
  port: number;
  /** Every command received, in order, across connections. */
  commands: RtmpCommand[];
  /** Every message received (control included). */
  messages: RtmpMessage[];
  connections: number;
  close(): Promise<void>;
}

export async function startFakeRtmpServer(answer: (cmd: RtmpCommand, session: FakeSession) => void): Promise<FakeServer> {
  const commands: RtmpCommand[] = [];
  const messages: RtmpMessage[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    runHandshake(socket, new ServerHandshake(), undefined, 5000).then((rest) => {
      const transport = new RtmpTransport(socket);
      const session: FakeSession = {
        socket,
        command: (name, tx, obj, ...args) => transport.send(3, RtmpMessageType.CommandAmf0, 0, encodeCommand(name, tx, obj, ...args)),
        onStatus: (info, streamId = 1) => transport.send(5, RtmpMessageType.CommandAmf0, streamId, encodeCommand('onStatus', 0, null, info)),
        control: (typeId, payload) => transport.sendControl(typeId, payload),
      };
      const onData = (data: Buffer) => {
        try {
          for (const m of transport.feed(data)) {
            messages.push(m);
            if (m.typeId !== RtmpMessageType.CommandAmf0) continue;
            const cmd = decodeCommand(m.typeId, m.payload);
            commands.push(cmd);
            answer(cmd, session);
          }
        } catch {
          socket.destroy();
        }
      };
      socket.on('data', onData);
      if (rest.length) onData(rest);
    }, () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    commands,
    messages,
    get connections() {
      return connections;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers connect with success and createStream with stream 1, as any server would. */
export function answerBasics(cmd: RtmpCommand, session: FakeSession): boolean {
  if (cmd.name === 'connect') {
    session.command('_result', cmd.transactionId, { fmsVer: 'FMS/3,5,3,888' }, { level: 'status', code: 'NetConnection.Connect.Success', description: 'ok' });
    return true;
  }
  if (cmd.name === 'createStream') {
    session.command('_result', cmd.transactionId, null, 1);
    return true;
  }
  return false;
}
