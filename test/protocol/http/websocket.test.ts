import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  WebSocketFrameParser,
  WebSocketOpcode,
  encodeCloseFrame,
  encodeFrame,
  encodeFrameHeader,
  isValidWebSocketKey,
  websocketAccept,
  type WebSocketFrame,
} from '../../../src/protocol/http/websocket.js';

/** RFC 6455 section 5.7: a masked "Hello" text frame from a client. */
const MASKED_HELLO = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);

function maskedFrame(first: number, payload: Buffer, lengthForm?: 126 | 127): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  let header: Buffer;
  if (lengthForm === 127 || payload.length > 0xffff) {
    header = Buffer.alloc(10);
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  } else if (lengthForm === 126 || payload.length >= 126) {
    header = Buffer.alloc(4);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.from([0, 0x80 | payload.length]);
  }
  header[0] = first;
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([header, mask, body]);
}

describe('websocket handshake', () => {
  it('computes the RFC 6455 accept key', () => {
    expect(websocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('accepts only 16-byte base64 keys', () => {
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidWebSocketKey(undefined)).toBe(false);
    expect(isValidWebSocketKey('')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZQ==')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==x')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25j!Q==')).toBe(false);
  });
});

describe('server frames', () => {
  it('picks the 7-bit, 16-bit and 64-bit length forms', () => {
    expect([...encodeFrameHeader(WebSocketOpcode.Binary, 0)]).toEqual([0x82, 0]);
    expect([...encodeFrameHeader(WebSocketOpcode.Binary, 125)]).toEqual([0x82, 125]);
    expect([...encodeFrameHeader(WebSocketOpcode.Binary, 126)]).toEqual([0x82, 126, 0, 126]);
    expect([...encodeFrameHeader(WebSocketOpcode.Binary, 65535)]).toEqual([0x82, 126, 0xff, 0xff]);
    expect([...encodeFrameHeader(WebSocketOpcode.Binary, 65536)]).toEqual([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect([...encodeFrameHeader(WebSocketOpcode.Text, 1, false)]).toEqual([0x01, 1]);
    expect(() => encodeFrameHeader(WebSocketOpcode.Binary, -1)).toThrow(RangeError);
  });

  it('encodes close frames with a status and a bounded reason', () => {
    expect([...encodeCloseFrame(1000)]).toEqual([0x88, 2, 0x03, 0xe8]);
    const long = encodeCloseFrame(1001, 'x'.repeat(500));
    expect(long[1]).toBe(125);
    expect([...encodeFrame(WebSocketOpcode.Pong, Buffer.from('hi'))]).toEqual([0x8a, 2, 0x68, 0x69]);
  });
});

describe('WebSocketFrameParser', () => {
  const stream = Buffer.concat([
    MASKED_HELLO,
    maskedFrame(0x89, Buffer.from('ping!')),
    maskedFrame(0x82, Buffer.alloc(300, 7)),
    maskedFrame(0x82, Buffer.alloc(10, 9), 127),
    maskedFrame(0x88, Buffer.from([0x03, 0xe8])),
  ]);

  function check(frames: WebSocketFrame[]): void {
    expect(frames.map((f) => f.opcode)).toEqual([1, 9, 2, 2, 8]);
    expect(frames[0]!.payload.toString()).toBe('Hello');
    expect(frames[1]!.payload.toString()).toBe('ping!');
    expect(frames[2]!.payload).toEqual(Buffer.alloc(300, 7));
    expect(frames[3]!.payload).toEqual(Buffer.alloc(10, 9));
    expect(frames[4]!.payload.readUInt16BE(0)).toBe(1000);
    expect(frames.every((f) => f.fin)).toBe(true);
  }

  it('parses the golden stream in one piece', () => {
    check(new WebSocketFrameParser().push(stream));
  });

  it('parses the golden stream split at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new WebSocketFrameParser();
      check([...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))]);
    }
  });

  it('parses the golden stream fed byte by byte', () => {
    const parser = new WebSocketFrameParser();
    const frames: WebSocketFrame[] = [];
    for (const byte of stream) frames.push(...parser.push(Buffer.from([byte])));
    check(frames);
  });

  it('waits on short input', () => {
    const parser = new WebSocketFrameParser();
    expect(parser.push(MASKED_HELLO.subarray(0, 1))).toEqual([]);
    expect(parser.push(MASKED_HELLO.subarray(1, 10))).toEqual([]);
    expect(parser.push(MASKED_HELLO.subarray(10))).toHaveLength(1);
  });

  it.each([
    ['an unmasked frame', Buffer.from([0x81, 0x01, 0x41])],
    ['reserved bits', maskedFrame(0xc1, Buffer.from('a'))],
    ['an unknown opcode', maskedFrame(0x83, Buffer.from('a'))],
    ['a long control frame', maskedFrame(0x89, Buffer.alloc(126), 126)],
    ['a fragmented control frame', maskedFrame(0x09, Buffer.from('a'))],
    ['a frame over the limit (16-bit length)', maskedFrame(0x82, Buffer.alloc(2000))],
    ['a frame over the limit (64-bit length)', Buffer.from([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
  ])('refuses %s with an HttpParse error', (_name, bytes) => {
    const parser = new WebSocketFrameParser(1024);
    let caught: unknown;
    try {
      parser.push(bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TsrsError);
    expect((caught as TsrsError).codeName).toBe('HttpParse');
    // A failed parser stays failed rather than resynchronising on garbage.
    expect(() => parser.push(MASKED_HELLO)).toThrow(TsrsError);
  });

  it('does not buffer a declared-huge frame while waiting for it', () => {
    const parser = new WebSocketFrameParser(1024);
    expect(() => parser.push(Buffer.from([0x82, 0xfe, 0x10, 0x00]))).toThrow(/exceeds/);
  });
});
