/**
 * A raw HTTP/1.1 response head, for responses written straight to a socket: live streams
 * whose head travels in the native fan-out's preamble, WebSocket handshakes, and errors on
 * connections Node's HTTP server no longer owns.
 */
import { STATUS_CODES } from 'node:http';

export type HeaderList = readonly (readonly [string, string | number])[];

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** Throws on a header name that is not a token or a value with CR, LF or NUL (response splitting). */
export function buildResponseHead(status: number, headers: HeaderList): Buffer {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`bad HTTP status ${status}`);
  let head = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
  for (const [name, value] of headers) {
    const text = String(value);
    if (!TOKEN.test(name)) throw new RangeError(`bad header name "${name}"`);
    if (/[\r\n\0]/.test(text)) throw new RangeError(`header ${name} has a line break or NUL`);
    head += `${name}: ${text}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** A small complete response with a text body and `Connection: close`. */
export function buildSimpleResponse(status: number, body: string, headers: HeaderList = []): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const head = buildResponseHead(status, [
    ...headers,
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', bytes.length],
    ['Connection', 'close'],
  ]);
  return Buffer.concat([head, bytes]);
}
