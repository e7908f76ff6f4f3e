/**
 * One HTTP(S) request to a callback server, as SRS's hooks make it: JSON POST (or the GET
 * of on_hls_notify), bounded by a timeout and a response size limit. Never throws anything
 * but a TsrsError('HttpHookDenied') that says which URL failed and why.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TsrsError } from '../../core/errors.js';
import { TSRS_SERVER } from '../../core/version.js';

export interface HookRequest {
  method: 'POST' | 'GET';
  body?: string;
  timeoutMs: number;
  /** Bytes of the answer to keep; more is read and discarded (notify) or refused (hooks). */
  maxBodyBytes: number;
  /** Accept a longer answer by truncating it (on_hls_notify reads only hls_nb_notify bytes). */
  truncate?: boolean;
}

export interface HookResponse {
  status: number;
  body: string;
}

function denied(url: string, why: string, cause?: unknown): TsrsError {
  return new TsrsError('HttpHookDenied', `http hook ${url}: ${why}`, cause === undefined ? undefined : { cause });
}

export function sendHookRequest(url: string, req: HookRequest): Promise<HookResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    return Promise.reject(denied(url, 'invalid URL', err));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(denied(url, `unsupported scheme ${target.protocol}`));
  }
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  return new Promise<HookResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: TsrsError | undefined, res?: HookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        outgoing.destroy();
        reject(err);
      } else resolve(res!);
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      outgoing = send(target, {
        method: req.method,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(body?.length ?? 0),
          'User-Agent': TSRS_SERVER,
        },
        // SRS does not verify callback servers' certificates; self-signed ones keep working.
        rejectUnauthorized: false,
      });
    } catch (err) {
      reject(denied(url, err instanceof Error ? err.message : String(err), err));
      return;
    }
    const timer = setTimeout(() => finish(denied(url, `no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    outgoing.on('error', (err) => finish(denied(url, err.message, err)));
    outgoing.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= req.maxBodyBytes) {
          if (!req.truncate) finish(denied(url, `answer longer than ${req.maxBodyBytes} bytes`));
          return;
        }
        const keep = chunk.subarray(0, req.maxBodyBytes - size);
        chunks.push(keep);
        size += keep.length;
      });
      res.on('error', (err) => finish(denied(url, err.message, err)));
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.end(body);
  });
}

/**
 * SRS's rule for a callback's answer: HTTP 200 and a body of `0`, or a JSON object whose
 * integer `code` is 0 (other keys are allowed). Anything else denies.
 */
export function checkHookAnswer(url: string, res: HookResponse): void {
  if (res.status !== 200) throw denied(url, `HTTP status ${res.status}`);
  const text = res.body.trim();
  if (text === '') throw denied(url, 'empty answer');
  if (text === '0') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw denied(url, `answer is not JSON: ${text.slice(0, 128)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw denied(url, `answer is not 0 or a JSON object: ${text.slice(0, 128)}`);
  }
  const code = (parsed as { code?: unknown }).code;
  if (typeof code !== 'number' || !Number.isInteger(code)) throw denied(url, `answer has no integer code: ${text.slice(0, 128)}`);
  if (code !== 0) throw denied(url, `answer code ${code}: ${text.slice(0, 128)}`);
}
