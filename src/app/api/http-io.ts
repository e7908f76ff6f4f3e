/**
 * Request bodies and responses for the HTTP API and the routes others mount on it
 * (/rtc/v1/...): bounded body reads, JSON and JSONP answers, and the coded JSON error
 * every failure turns into (never an HTML page, never a crash).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, TsrsError, describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { TSRS_SERVER } from '../../core/version.js';

/** Bodies the API accepts are small (JSON, SDP); a larger one is refused before it is buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new TsrsError('HttpParse', `request body of ${declared} bytes exceeds ${limit}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new TsrsError('HttpParse', `request body exceeds ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => reject(new TsrsError('HttpParse', `request body: ${err.message}`, { cause: err })));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The body parsed as JSON; an empty or malformed body is a TsrsError('HttpParse'). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') throw new TsrsError('HttpParse', 'empty JSON body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TsrsError('HttpParse', `malformed JSON body: ${(err as Error).message}`);
  }
}

/** A JSONP callback must be a plain JavaScript name: anything else would be script injection. */
export function isValidJsonpCallback(name: string): boolean {
  return /^[A-Za-z_$][\w$.]{0,127}$/.test(name);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, jsonpCallback?: string): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  const text = jsonpCallback ? `${jsonpCallback}(${json})` : json;
  res.writeHead(status, {
    'Content-Type': jsonpCallback ? 'text/javascript' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    Server: TSRS_SERVER,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Server: TSRS_SERVER,
    ...headers,
  });
  res.end(text);
}

/** The HTTP status for a coded error the API did not answer with a 200 + code envelope. */
function statusOf(code: number): number {
  switch (code) {
    case ErrorCode.HttpParse:
      return 400;
    case ErrorCode.HttpUnauthorized:
      return 401;
    case ErrorCode.HttpNotFound:
      return 404;
    case ErrorCode.HttpMethodNotAllowed:
      return 405;
    default:
      return 500;
  }
}

/**
 * Answers a failed request: `{"code": N}` with an HTTP status that fits the failure
 * (400 malformed, 401, 404, 405, else 500), and a log line naming the request.
 */
export function sendError(res: ServerResponse, err: unknown, what: string): void {
  const coded = err instanceof TsrsError ? err : new TsrsError('Unknown', describeError(err), { cause: err });
  const status = statusOf(coded.code);
  (status >= 500 ? log.error : log.warn)(`http api ${what}: ${coded.describe()}`);
  sendJson(res, status, { code: coded.code });
}
