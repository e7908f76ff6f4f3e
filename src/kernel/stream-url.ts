/**
 * Which stream a client means: vhost, app, stream and the query params, discovered from
 * an RTMP tcUrl + stream name (or any URL of the same shape) the way SRS does it:
 *   rtmp://host[:port]/app[?vhost=V&k=v]/stream[?vhost=V&token=T]
 * and SRS's form for clients that cannot send queries: app...vhost...V (and `...` for `&`).
 * The vhost is the stream's ?vhost=, else the tcUrl's ?vhost=, else the tcUrl host; a name
 * the config does not know falls back to __defaultVhost__.
 */

export const DEFAULT_VHOST = '__defaultVhost__';

export interface StreamRequest {
  schema: string;
  host: string;
  port: number;
  /** The resolved vhost (a configured one, or __defaultVhost__). */
  vhost: string;
  app: string;
  stream: string;
  /** The query of the stream URL including its leading `?` (SRS's `param`), or ''. */
  param: string;
  tcUrl: string;
}

const DEFAULT_PORTS: Record<string, number> = { rtmp: 1935, http: 80, https: 443, webrtc: 1985, srt: 10080 };

/** SRS's `app...vhost...V...k...v` to `app?vhost=V&k=v`. */
export function normalizeTripleDots(text: string): string {
  if (!text.includes('...')) return text;
  const parts = text.split('...');
  let out = parts[0]!;
  for (let i = 1; i + 1 < parts.length; i += 2) {
    out += `${i === 1 ? '?' : '&'}${parts[i]}=${parts[i + 1]}`;
  }
  return out;
}

export function parseQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  const body = query.startsWith('?') ? query.slice(1) : query;
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      params.set(decodeURIComponent(key), decodeURIComponent(value));
    } catch {
      params.set(key, value);
    }
  }
  return params;
}

function splitQuery(text: string): [string, string] {
  const q = text.indexOf('?');
  return q < 0 ? [text, ''] : [text.slice(0, q), text.slice(q)];
}

interface ParsedTcUrl {
  schema: string;
  host: string;
  port: number;
  app: string;
  query: string;
}

export function parseTcUrl(tcUrl: string): ParsedTcUrl {
  const normalized = normalizeTripleDots(tcUrl);
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?]*)(?::(\d+))?(\/[^?]*)?(\?.*)?$/.exec(normalized);
  if (!match) return { schema: 'rtmp', host: '', port: 1935, app: '', query: '' };
  const schema = match[1]!.toLowerCase();
  const host = match[2]!.replace(/^\[|\]$/g, '');
  const port = match[3] ? Number(match[3]) : (DEFAULT_PORTS[schema] ?? 1935);
  const app = (match[4] ?? '').replace(/^\/+|\/+$/g, '');
  return { schema, host, port, app, query: match[5] ?? '' };
}

/**
 * Resolves a client's request. `stream` may carry its own query; `knownVhost` says whether
 * the config has a vhost of that name.
 */
export function resolveStreamRequest(
  tcUrl: string,
  streamWithQuery: string,
  knownVhost: (name: string) => boolean,
): StreamRequest {
  const tc = parseTcUrl(tcUrl);
  const [stream, streamQuery] = splitQuery(normalizeTripleDots(streamWithQuery));
  const [app, appQuery] = splitQuery(tc.app);
  const tcQuery = appQuery || tc.query;
  const named = parseQuery(streamQuery).get('vhost') || parseQuery(tcQuery).get('vhost') || tc.host;
  const vhost = named && knownVhost(named) ? named : DEFAULT_VHOST;
  return {
    schema: tc.schema,
    host: tc.host,
    port: tc.port,
    vhost,
    app,
    stream,
    param: streamQuery || tcQuery,
    tcUrl: tcUrl,
  };
}

/** The key of a live stream inside tsrs: `vhost/app/stream`. */
export function streamKey(vhost: string, app: string, stream: string): string {
  return `${vhost}/${app}/${stream}`;
}

/** SRS's stream url as the API reports it: `/app/stream` (vhost omitted when default). */
export function streamUrl(vhost: string, app: string, stream: string): string {
  return vhost === DEFAULT_VHOST ? `/${app}/${stream}` : `${vhost}/${app}/${stream}`;
}
