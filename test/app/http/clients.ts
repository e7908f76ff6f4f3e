/** Minimal test clients over raw sockets: HTTP requests, a live body reader, a WebSocket client. */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawResponse {
  status: number;
  head: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function parseHead(head: string): { status: number; headers: Record<string, string> } {
  const lines = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers };
}

/** Sends raw request bytes and collects everything until the server closes (or the timeout). */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 3000, tls = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no response head in ${JSON.stringify(all.toString('latin1').slice(0, 200))}`));
      const head = all.subarray(0, end).toString('latin1');
      resolve({ ...parseHead(head), head, body: all.subarray(end + 4) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', finish);
    socket.on('error', finish);
  });
}

/** Decodes a chunked body; `complete` says whether the last-chunk was seen. */
export function dechunk(body: Buffer): { data: Buffer; complete: boolean } {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const line = body.indexOf('\r\n', at);
    if (line < 0) return { data: Buffer.concat(out), complete: false };
    const size = parseInt(body.subarray(at, line).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at ${at}`);
    if (size === 0) return { data: Buffer.concat(out), complete: body.subarray(line, line + 4).toString('latin1') === '\r\n\r\n' };
    if (line + 2 + size + 2 > body.length) {
      out.push(body.subarray(line + 2, Math.min(body.length, line + 2 + size)));
      return { data: Buffer.concat(out), complete: false };
    }
    if (body.subarray(line + 2 + size, line + 4 + size).toString('latin1') !== '\r\n') throw new Error(`chunk at ${at} lacks its CRLF`);
    out.push(body.subarray(line + 2, line + 2 + size));
    at = line + 4 + size;
  }
}

export interface LiveReader {
  socket: Socket;
  /** Everything received so far, head included. */
  received(): Buffer;
  bytes(): number;
  closed: Promise<void>;
  waitBytes(n: number, timeoutMs?: number): Promise<void>;
}

/** Opens a GET on a live URL and keeps reading (or not, with `read: false`). */
export function openLive(port: number, path: string, options: { read?: boolean; host?: string } = {}): LiveReader {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let total = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${options.host ?? '127.0.0.1'}\r\n\r\n`));
  if (options.read !== false) {
    socket.on('data', (d) => {
      chunks.push(d);
      total += d.length;
      for (const w of [...waiters]) if (total >= w.n) w.resolve();
    });
  } else {
    socket.pause();
  }
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => Buffer.concat(chunks),
    bytes: () => total,
    closed,
    waitBytes(n, timeoutMs = 10_000) {
      if (total >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${total} of ${n} bytes after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

export interface WsFrame {
  opcode: number;
  payload: Buffer;
}

export interface WsClient {
  status: number;
  headers: Record<string, string>;
  frames: WsFrame[];
  socket: Socket;
  waitFrames(n: number, timeoutMs?: number): Promise<void>;
  waitFor(pred: (f: WsFrame) => boolean, timeoutMs?: number): Promise<WsFrame>;
  send(opcode: number, payload?: Buffer): void;
  closed: Promise<void>;
}

/** A minimal RFC 6455 client: handshake, masked sends, unmasked frame parsing. */
export function openWebSocket(port: number, path: string, tls = false): Promise<WsClient> {
  const key = randomBytes(16).toString('base64');
  const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let client: WsClient | undefined;
    const frames: WsFrame[] = [];
    const listeners: (() => boolean)[] = [];
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', (err) => (client ? undefined : reject(err)));
    socket.on(tls ? 'secureConnect' : 'connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!client) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const { status, headers } = parseHead(buffer.subarray(0, end).toString('latin1'));
        buffer = buffer.subarray(end + 4);
        if (status === 101 && headers['sec-websocket-accept'] !== expected) return reject(new Error('bad Sec-WebSocket-Accept'));
        client = {
          status,
          headers,
          frames,
          socket,
          closed,
          waitFrames(n, timeoutMs = 10_000) {
            return this.waitFor((f) => frames.indexOf(f) >= n - 1, timeoutMs).then(() => undefined);
          },
          waitFor(pred, timeoutMs = 10_000) {
            return new Promise((res, rej) => {
              const check = () => {
                const found = frames.find(pred);
                if (!found) return false;
                clearTimeout(timer);
                res(found);
                return true;
              };
              const timer = setTimeout(() => rej(new Error(`frame not seen in ${timeoutMs} ms (${frames.length} frames)`)), timeoutMs);
              if (!check()) listeners.push(check);
            });
          },
          send(opcode, payload = Buffer.alloc(0)) {
            const mask = randomBytes(4);
            const header = payload.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | payload.length]) : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
            socket.write(Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!))]));
          },
        };
        resolve(client);
      }
      for (;;) {
        if (buffer.length < 2) break;
        if (buffer[1]! & 0x80) throw new Error('server frame is masked');
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) break;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) break;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) break;
        frames.push({ opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + length) });
        buffer = buffer.subarray(offset + length);
      }
      for (let i = listeners.length - 1; i >= 0; i--) if (listeners[i]!()) listeners.splice(i, 1);
    });
  });
}
