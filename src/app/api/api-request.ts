/** One request to the HTTP API as handlers see it, and the SRS envelope they answer with. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../../core/config/index.js';
import type { ServerIdentity } from '../stats/identity.js';
import { sendJson } from './http-io.js';

export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The decoded path. */
  readonly path: string;
  /** The method, or for JSONP the `method` query (SRS lets JSONP clients say DELETE). */
  readonly method: string;
  /** A valid JSONP callback name when `?callback=` was given. */
  readonly callback: string | undefined;
  readonly config: ServerConfig;
}

export type RouteHandler = (request: ApiRequest) => void | Promise<void>;

/** `{"code":0,"server":...,"service":...,"pid":...}` followed by the answer's own keys. */
export function envelope(identity: ServerIdentity, body: Record<string, unknown> = {}): Record<string, unknown> {
  return { code: 0, server: identity.serverId, service: identity.serviceId, pid: identity.pid, ...body };
}

/** Answers JSON (or JSONP when asked), HTTP 200 as SRS does even for a non-zero code. */
export function reply(request: ApiRequest, body: unknown, status = 200): void {
  sendJson(request.res, status, body, request.callback);
}

/** SRS's bare `{"code":N}` answer (not found, disabled...). */
export function replyCode(request: ApiRequest, code: number): void {
  reply(request, { code });
}
