/**
 * The WebSocket pieces a live-streaming server needs (RFC 6455): the opening handshake's
 * accept key, unmasked server frame headers (one per FLV tag, computed once per stream), and
 * a bounded parser for what players send back, which is only close, ping and pong in
 * practice. Extensions are not negotiated, so any RSV bit is an error.
 */
import { createHash } from 'node:crypto';
import { TsrsError } from '../../core/errors.js';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const WebSocketOpcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type WebSocketOpcode = (typeof WebSocketOpcode)[keyof typeof WebSocketOpcode];

/** Close status codes (RFC 6455 section 7.4.1) tsrs sends. */
export const WebSocketCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  TooBig: 1009,
} as const;

/** Control frames carry at most 125 bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

/** A key is the base64 of 16 random bytes: 24 characters ending in `==`. */
export function isValidWebSocketKey(key: string | undefined): key is string {
  return key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key) && Buffer.from(key, 'base64').length === 16;
}

/** The header of an unmasked (server-to-client) frame carrying `length` payload bytes. */
export function encodeFrameHeader(opcode: WebSocketOpcode, length: number, fin = true): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`websocket payload length ${length} is invalid`);
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, length]);
  if (length <= 0xffff) {
    const out = Buffer.alloc(4);
    out[0] = first;
    out[1] = 126;
    out.writeUInt16BE(length, 2);
    return out;
  }
  const out = Buffer.alloc(10);
  out[0] = first;
  out[1] = 127;
  out.writeBigUInt64BE(BigInt(length), 2);
  return out;
}

export function encodeFrame(opcode: WebSocketOpcode, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([encodeFrameHeader(opcode, payload.length), payload]);
}

export function encodeCloseFrame(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, MAX_CONTROL_PAYLOAD - 2);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return encodeFrame(WebSocketOpcode.Close, payload);
}

export interface WebSocketFrame {
  fin: boolean;
  opcode: WebSocketOpcode;
  /** Unmasked. */
  payload: Buffer;
}

function wsError(message: string): TsrsError {
  return new TsrsError('HttpParse', `websocket: ${message}`);
}

const KNOWN_OPCODES = new Set<number>(Object.values(WebSocketOpcode));

/**
 * Frames from a client. Every client frame must be masked; a data frame larger than
 * `maxPayload` is refused rather than buffered, so a client cannot make the server hold
 * more than one small frame. Throws a TsrsError('HttpParse') on any violation.
 */
export class WebSocketFrameParser {
  private pending: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private readonly maxPayload = 64 * 1024) {}

  push(data: Uint8Array): WebSocketFrame[] {
    if (this.failed) throw wsError('parser already failed');
    this.pending = this.pending.length === 0 ? Buffer.from(data) : Buffer.concat([this.pending, data]);
    const frames: WebSocketFrame[] = [];
    try {
      for (;;) {
        const frame = this.next();
        if (!frame) break;
        frames.push(frame);
      }
    } catch (err) {
      this.failed = true;
      this.pending = Buffer.alloc(0);
      throw err;
    }
    return frames;
  }

  private next(): WebSocketFrame | undefined {
    const b = this.pending;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    if ((b[0]! & 0x70) !== 0) throw wsError(`reserved bits set in 0x${b[0]!.toString(16)} (no extension was negotiated)`);
    const opcode = b[0]! & 0x0f;
    if (!KNOWN_OPCODES.has(opcode)) throw wsError(`unknown opcode ${opcode}`);
    const masked = (b[1]! & 0x80) !== 0;
    if (!masked) throw wsError('client frame is not masked');
    const isControl = opcode >= 0x8;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (isControl && (length > MAX_CONTROL_PAYLOAD || !fin)) throw wsError(`control frame (opcode ${opcode}) is fragmented or longer than 125 bytes`);
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayload)) throw wsError(`frame of ${big} bytes exceeds the ${this.maxPayload}-byte limit`);
      length = Number(big);
      offset = 10;
    }
    if (length > this.maxPayload) throw wsError(`frame of ${length} bytes exceeds the ${this.maxPayload}-byte limit`);
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.allocUnsafe(length);
    const body = offset + 4;
    for (let i = 0; i < length; i++) payload[i] = b[body + i]! ^ mask[i & 3]!;
    this.pending = b.subarray(body + length);
    return { fin, opcode: opcode as WebSocketOpcode, payload };
  }
}
