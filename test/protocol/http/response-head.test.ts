import { describe, expect, it } from 'vitest';
import { buildResponseHead, buildSimpleResponse, statusText } from '../../../src/protocol/http/response-head.js';

describe('response head', () => {
  it('writes the status line and headers', () => {
    const head = buildResponseHead(200, [['Content-Type', 'video/x-flv'], ['Transfer-Encoding', 'chunked']]).toString('latin1');
    expect(head).toBe('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(buildResponseHead(101, []).toString('latin1')).toBe('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    expect(statusText(404)).toBe('Not Found');
    expect(statusText(799)).toBe('Unknown');
  });

  it('refuses response splitting and bad names or statuses', () => {
    expect(() => buildResponseHead(200, [['X', 'a\r\nSet-Cookie: x']])).toThrow(RangeError);
    expect(() => buildResponseHead(200, [['X', 'a\nb']])).toThrow(RangeError);
    expect(() => buildResponseHead(200, [['Bad Name', 'a']])).toThrow(RangeError);
    expect(() => buildResponseHead(200, [['X:', 'a']])).toThrow(RangeError);
    expect(() => buildResponseHead(99, [])).toThrow(RangeError);
    expect(() => buildResponseHead(1000, [])).toThrow(RangeError);
  });

  it('builds a small complete error', () => {
    const text = buildSimpleResponse(404, 'Not Found').toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(text).toContain('Content-Length: 9\r\n');
    expect(text).toContain('Connection: close\r\n');
    expect(text.endsWith('\r\n\r\nNot Found')).toBe(true);
  });
});
