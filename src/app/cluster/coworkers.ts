/**
 * Origin cluster: finding which coworker origin publishes a stream. Every coworker's HTTP
 * API is asked SRS's question, `GET /api/v1/clusters?vhost=&ip=&app=&stream=&coworker=`,
 * and the first in the configured order whose answer names an origin wins; the player is
 * then redirected (RTMP 302) to `rtmp://ORIGIN_IP:PORT/app/stream?param`.
 */
import { TsrsError, describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import { sendHookRequest } from '../hooks/hook-client.js';
import { rtmpUrl, streamWithQuery, type HostPort } from '../forward/upstream-url.js';

const MAX_ANSWER_BYTES = 64 * 1024;

export function clustersQueryUrl(coworker: string, request: StreamRequest): string {
  const base = /^https?:\/\//i.test(coworker) ? coworker.replace(/\/+$/, '') : `http://${coworker}`;
  const host = base.replace(/^https?:\/\//i, '');
  const q = new URLSearchParams({ vhost: request.vhost, ip: request.host, app: request.app, stream: request.stream, coworker: host });
  return `${base}/api/v1/clusters?${q.toString()}`;
}

/** The origin a coworker's answer names, or undefined when it does not have the stream. */
export function originOfAnswer(body: string): HostPort | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new TsrsError('HttpParse', `answer is not JSON: ${body.slice(0, 128)}`);
  }
  const { code, data } = (answer ?? {}) as { code?: unknown; data?: { origin?: unknown } };
  if (code !== 0) throw new TsrsError('HttpParse', `answer code ${String(code)}`);
  const origin = data?.origin as { ip?: unknown; port?: unknown } | null | undefined;
  if (!origin) return undefined;
  const port = Number(origin.port);
  if (typeof origin.ip !== 'string' || !origin.ip || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TsrsError('HttpParse', `answer has a malformed origin ${JSON.stringify(origin).slice(0, 128)}`);
  }
  return { host: origin.ip, port };
}

async function askCoworker(coworker: string, request: StreamRequest, timeoutMs: number): Promise<HostPort | undefined> {
  const url = clustersQueryUrl(coworker, request);
  try {
    const res = await sendHookRequest(url, { method: 'GET', timeoutMs, maxBodyBytes: MAX_ANSWER_BYTES });
    if (res.status !== 200) throw new TsrsError('HttpParse', `HTTP ${res.status}`);
    return originOfAnswer(res.body);
  } catch (err) {
    log.warn(`origin cluster: coworker ${coworker} did not answer for ${request.app}/${request.stream}: ${describeError(err)}`);
    return undefined;
  }
}

/**
 * The RTMP URL of the coworker that publishes the stream, or undefined when none does.
 * Coworkers are asked at once; the answer of the earliest one in the list that has the
 * stream wins, without waiting for the later ones.
 */
export async function locateOnCoworkers(coworkers: readonly string[], request: StreamRequest, timeoutMs: number): Promise<string | undefined> {
  const answers = coworkers.map((coworker) => askCoworker(coworker, request, timeoutMs));
  for (const answer of answers) {
    const origin = await answer;
    if (origin) return rtmpUrl(origin, request.app, streamWithQuery(request.stream, request.param, request.vhost, request.host));
  }
  return undefined;
}
