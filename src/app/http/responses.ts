/**
 * The headers and small error answers of the HTTP server, SRS-shaped: a `Server` header,
 * CORS headers when `http_server.crossdomain` is on, and errors as short plain-text bodies
 * naming the status (SRS's `srs_go_http_error`).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TSRS_SERVER } from '../../core/version.js';
import { buildSimpleResponse, statusText, type HeaderList } from '../../protocol/http/response-head.js';

export const CORS_HEADERS: HeaderList = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', 'GET, POST, HEAD, PUT, DELETE, OPTIONS'],
  ['Access-Control-Expose-Headers', 'Server,range,Content-Length,Content-Range'],
  ['Access-Control-Allow-Headers', 'origin,range,accept-encoding,referer,Cache-Control,X-Proxy-Authorization,X-Requested-With,Content-Type'],
];

export function commonHeaders(crossdomain: boolean): HeaderList {
  return crossdomain ? [['Server', TSRS_SERVER], ...CORS_HEADERS] : [['Server', TSRS_SERVER]];
}

export function setHeaders(res: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** An error answer through Node's response: `Not Found` etc. as text/plain (no body for HEAD). */
export function sendError(res: ServerResponse, status: number, headers: HeaderList, extra: HeaderList = []): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(statusText(status), 'utf8');
  setHeaders(res, headers);
  setHeaders(res, extra);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.writeHead(status);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** An error answer on a raw socket Node no longer manages (WebSocket upgrades), then close. */
export function sendRawError(socket: Socket, status: number, headers: HeaderList, extra: HeaderList = []): void {
  if (socket.destroyed) return;
  socket.end(buildSimpleResponse(status, statusText(status), [...headers, ...extra]));
  // A client that never closes its side must not keep the socket.
  setTimeout(() => socket.destroy(), 2000).unref();
}

export function clientAddress(socket: Socket): string {
  const ip = socket.remoteAddress ?? '?';
  return ip.includes(':') ? `[${ip}]:${socket.remotePort ?? '?'}` : `${ip}:${socket.remotePort ?? '?'}`;
}
