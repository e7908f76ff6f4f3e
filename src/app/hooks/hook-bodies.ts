/**
 * The JSON bodies of SRS 6's http_hooks, key for key and in SRS's key order (callback
 * servers written for SRS parse them; some log them verbatim).
 */
import { streamUrl } from '../../kernel/stream-url.js';
import type { ClientInfo } from '../live/context.js';
import { plainIp } from '../stats/stats-json.js';

/** Who and what a stream hook is about: a client's request, or a publisher's for DVR/HLS. */
export interface HookSubject {
  clientId: string;
  ip: string;
  vhost: string;
  app: string;
  stream: string;
  /** The request's query, with its leading `?` (SRS's `param`), or ''. */
  param: string;
  tcUrl: string;
  pageUrl: string;
}

export interface HookIdentity {
  serverId: string;
  serviceId: string;
}

export function subjectOfClient(client: ClientInfo): HookSubject {
  const r = client.request;
  // SRS reports an HLS viewer's stream as the playlist it asked for.
  const stream = r && client.kind === 'hls-play' && !/\.m3u8$/.test(r.stream) ? `${r.stream}.m3u8` : (r?.stream ?? '');
  return {
    clientId: client.id,
    ip: plainIp(client.ip),
    vhost: r?.vhost ?? '',
    app: r?.app ?? '',
    stream,
    param: r?.param ?? '',
    tcUrl: r?.tcUrl ?? '',
    pageUrl: client.pageUrl,
  };
}

function head(id: HookIdentity, action: string, s: HookSubject) {
  return { server_id: id.serverId, service_id: id.serviceId, action, client_id: s.clientId, ip: s.ip, vhost: s.vhost, app: s.app };
}

/** The stream's url as SRS names it; an HLS viewer's `test.m3u8` is still stream `test`. */
function urlOf(s: HookSubject): string {
  return streamUrl(s.vhost, s.app, s.stream.replace(/\.m3u8$/, ''));
}

export function onConnectBody(id: HookIdentity, s: HookSubject) {
  return { ...head(id, 'on_connect', s), stream: s.stream, param: s.param, tcUrl: s.tcUrl, pageUrl: s.pageUrl };
}

export function onCloseBody(id: HookIdentity, s: HookSubject, sendBytes: number, recvBytes: number) {
  return { ...head(id, 'on_close', s), send_bytes: sendBytes, recv_bytes: recvBytes };
}

/** on_publish, on_unpublish and on_stop share one shape. */
export function onStreamBody(id: HookIdentity, action: 'on_publish' | 'on_unpublish' | 'on_stop', s: HookSubject, streamId: string) {
  return { ...head(id, action, s), tcUrl: s.tcUrl, stream: s.stream, param: s.param, stream_url: urlOf(s), stream_id: streamId };
}

export function onPlayBody(id: HookIdentity, s: HookSubject, streamId: string) {
  return {
    ...head(id, 'on_play', s),
    stream: s.stream,
    tcUrl: s.tcUrl,
    param: s.param,
    pageUrl: s.pageUrl,
    stream_url: urlOf(s),
    stream_id: streamId,
  };
}

export interface DvrHookFacts {
  cwd: string;
  /** The file as written (SRS sends the path from its dvr_path, not resolved). */
  file: string;
}

export function onDvrBody(id: HookIdentity, s: HookSubject, streamId: string, dvr: DvrHookFacts) {
  return {
    ...head(id, 'on_dvr', s),
    tcUrl: s.tcUrl,
    stream: s.stream,
    param: s.param,
    cwd: dvr.cwd,
    file: dvr.file,
    stream_url: urlOf(s),
    stream_id: streamId,
  };
}

export interface HlsHookFacts {
  /** Segment duration in seconds. */
  duration: number;
  cwd: string;
  /** The segment file as written, e.g. ./objs/nginx/html/live/test-15.ts */
  file: string;
  /** The segment URL relative to the HTTP root, e.g. live/test-15.ts */
  url: string;
  m3u8: string;
  m3u8Url: string;
  seqNo: number;
}

export function onHlsBody(id: HookIdentity, s: HookSubject, streamId: string, hls: HlsHookFacts) {
  return {
    ...head(id, 'on_hls', s),
    tcUrl: s.tcUrl,
    stream: s.stream,
    param: s.param,
    duration: hls.duration,
    cwd: hls.cwd,
    file: hls.file,
    url: hls.url,
    m3u8: hls.m3u8,
    m3u8_url: hls.m3u8Url,
    seq_no: hls.seqNo,
    stream_url: urlOf(s),
    stream_id: streamId,
  };
}

/** on_hls_notify's URL template: [server_id] [app] [stream] [ts_url] [param] (and [vhost]). */
export function fillNotifyUrl(template: string, id: HookIdentity, s: HookSubject, tsUrl: string): string {
  return template
    .replaceAll('[server_id]', id.serverId)
    .replaceAll('[vhost]', s.vhost)
    .replaceAll('[app]', s.app)
    .replaceAll('[stream]', s.stream)
    .replaceAll('[ts_url]', tsUrl)
    .replaceAll('[param]', s.param);
}
