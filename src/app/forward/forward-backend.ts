/**
 * SRS 5's dynamic forward: on each publish the vhost's `forward.backend` is POSTed a
 * hook-shaped JSON (`action: on_forward`) and answers with the RTMP URLs to forward to,
 * `{"code": 0, "data": {"urls": ["rtmp://..."]}}`. An empty list forwards nowhere.
 */
import { TsrsError } from '../../core/errors.js';
import { sendHookRequest } from '../hooks/hook-client.js';

export interface ForwardBackendQuery {
  serverId: string;
  clientId: string;
  ip: string;
  vhost: string;
  app: string;
  stream: string;
  param: string;
  tcUrl: string;
}

const BACKEND_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export function forwardBackendBody(q: ForwardBackendQuery): Record<string, string> {
  return {
    action: 'on_forward',
    server_id: q.serverId,
    client_id: q.clientId,
    ip: q.ip,
    vhost: q.vhost,
    app: q.app,
    tcUrl: q.tcUrl,
    stream: q.stream,
    param: q.param,
    stream_url: `/${q.app}/${q.stream}`,
  };
}

/** The URLs the backend names; rejects (TsrsError) on a failure or a malformed answer. */
export async function askForwardBackend(backend: string, q: ForwardBackendQuery, timeoutMs = BACKEND_TIMEOUT_MS): Promise<string[]> {
  const res = await sendHookRequest(backend, {
    method: 'POST',
    body: JSON.stringify(forwardBackendBody(q)),
    timeoutMs,
    maxBodyBytes: MAX_ANSWER_BYTES,
  });
  if (res.status !== 200) throw new TsrsError('HttpHookDenied', `forward backend ${backend}: HTTP ${res.status}`);
  let answer: unknown;
  try {
    answer = JSON.parse(res.body);
  } catch {
    throw new TsrsError('HttpHookDenied', `forward backend ${backend}: answer is not JSON: ${res.body.slice(0, 128)}`);
  }
  const { code, data } = (answer ?? {}) as { code?: unknown; data?: { urls?: unknown } };
  if (code !== 0) throw new TsrsError('HttpHookDenied', `forward backend ${backend}: code ${String(code)}`);
  const urls = data?.urls ?? [];
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) {
    throw new TsrsError('HttpHookDenied', `forward backend ${backend}: data.urls is not a list of strings`);
  }
  return urls as string[];
}
