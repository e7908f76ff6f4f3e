/**
 * SRS's http_hooks. on_connect, on_publish and on_play may refuse a client: each URL of the
 * event is called in order and the first failure denies. on_unpublish, on_stop, on_close,
 * on_dvr, on_hls and on_hls_notify only notify: they run in the background, in order per
 * client, never block a teardown, and log their failures. A slow callback server holds up
 * only the client it is asked about.
 */
import { findVhost, DEFAULT_VHOST, type ServerConfig } from '../../core/config/index.js';
import { describeError, TsrsError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { ClientInfo, LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import { checkHookAnswer, sendHookRequest } from './hook-client.js';
import {
  fillNotifyUrl,
  onCloseBody,
  onConnectBody,
  onDvrBody,
  onHlsBody,
  onPlayBody,
  onStreamBody,
  subjectOfClient,
  type DvrHookFacts,
  type HlsHookFacts,
  type HookIdentity,
  type HookSubject,
} from './hook-bodies.js';

/**
 * How long a callback may take. SRS's HTTP client waits 30 s for a hook; tsrs keeps that
 * default so callback servers tuned for SRS behave the same.
 */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;
/** on_hls_notify is a CDN prefetch ping; SRS gives it less time. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;
/** A callback's answer is a small JSON; more than this is refused rather than buffered. */
const MAX_ANSWER_BYTES = 64 * 1024;

type HookEvent = 'on_connect' | 'on_close' | 'on_publish' | 'on_unpublish' | 'on_play' | 'on_stop' | 'on_dvr' | 'on_hls' | 'on_hls_notify';

export interface HttpHooksOptions {
  getConfig: () => ServerConfig;
  identity: HookIdentity;
  /** The stats id of a stream (stream_id in bodies); '' when stats are not wired. */
  streamIdFor?: (vhost: string, app: string, stream: string) => string;
  timeoutMs?: number;
  notifyTimeoutMs?: number;
}

/** What DVR reports when a file is done. */
export interface DvrHookInfo extends HookSubject, DvrHookFacts {}
/** What HLS reports for each new segment. */
export interface HlsHookInfo extends HookSubject, HlsHookFacts {}
/** What HLS reports for on_hls_notify: the segment's URL as the playlist lists it. */
export interface HlsNotifyInfo extends HookSubject {
  tsUrl: string;
  /** hls_nb_notify: bytes of the answer to read. */
  nbNotify: number;
}

export class HttpHooks {
  timeoutMs: number;
  notifyTimeoutMs: number;
  private readonly getConfig: () => ServerConfig;
  private readonly identity: HookIdentity;
  private readonly streamIdFor: (vhost: string, app: string, stream: string) => string;
  /** Per-client chains, so one client's notifications reach the server in order. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(options: HttpHooksOptions) {
    this.getConfig = options.getConfig;
    this.identity = options.identity;
    this.streamIdFor = options.streamIdFor ?? (() => '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
    this.notifyTimeoutMs = options.notifyTimeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  }

  /** The URLs configured for an event on a vhost (none when http_hooks is off). */
  urls(vhost: string, event: HookEvent): readonly string[] {
    const config = this.getConfig();
    const hooks = (findVhost(config, vhost) ?? findVhost(config, DEFAULT_VHOST))?.http_hooks;
    return hooks?.enabled ? hooks[event] : [];
  }

  async onConnect(client: ClientInfo): Promise<void> {
    const s = subjectOfClient(client);
    await this.ask('on_connect', s.vhost, onConnectBody(this.identity, s));
  }

  async onPublish(client: ClientInfo): Promise<void> {
    const s = subjectOfClient(client);
    await this.ask('on_publish', s.vhost, onStreamBody(this.identity, 'on_publish', s, this.streamId(s)));
  }

  async onPlay(client: ClientInfo): Promise<void> {
    const s = subjectOfClient(client);
    await this.ask('on_play', s.vhost, onPlayBody(this.identity, s, this.streamId(s)));
  }

  onUnpublish(client: ClientInfo): void {
    const s = subjectOfClient(client);
    this.notify(client.id, 'on_unpublish', s.vhost, onStreamBody(this.identity, 'on_unpublish', s, this.streamId(s)));
  }

  onStop(client: ClientInfo): void {
    const s = subjectOfClient(client);
    this.notify(client.id, 'on_stop', s.vhost, onStreamBody(this.identity, 'on_stop', s, this.streamId(s)));
  }

  /** `sendBytes` defaults to what the client info holds; sessions know better (fan-out bytes). */
  onClose(client: ClientInfo, sendBytes = client.bytesOut): void {
    const s = subjectOfClient(client);
    this.notify(client.id, 'on_close', s.vhost, onCloseBody(this.identity, s, sendBytes, client.bytesIn));
  }

  /** A DVR file is complete. Resolves false when a callback failed (already logged); never rejects. */
  onDvr(info: DvrHookInfo): Promise<boolean> {
    return this.notify(info.clientId, 'on_dvr', info.vhost, onDvrBody(this.identity, info, this.streamId(info), info));
  }

  /** An HLS segment is complete. Resolves false when a callback failed (already logged); never rejects. */
  onHls(info: HlsHookInfo): Promise<boolean> {
    return this.notify(info.clientId, 'on_hls', info.vhost, onHlsBody(this.identity, info, this.streamId(info), info));
  }

  /** GETs each on_hls_notify URL with its template filled in; the answer is read and ignored. */
  onHlsNotify(info: HlsNotifyInfo): Promise<boolean> {
    const urls = this.urls(info.vhost, 'on_hls_notify').map((t) => fillNotifyUrl(t, this.identity, info, info.tsUrl));
    return this.chain(info.clientId, async () => {
      let ok = true;
      for (const url of urls) {
        const started = Date.now();
        try {
          const res = await sendHookRequest(url, { method: 'GET', timeoutMs: this.notifyTimeoutMs, maxBodyBytes: Math.max(1, info.nbNotify), truncate: true });
          log.info(`http hook on_hls_notify ${url}: HTTP ${res.status} in ${Date.now() - started} ms`);
        } catch (err) {
          ok = false;
          log.warn(`http hook on_hls_notify failed, ignored: ${describeError(err)}`);
        }
      }
      return ok;
    });
  }

  private streamId(s: HookSubject): string {
    return this.streamIdFor(s.vhost, s.app, s.stream.replace(/\.m3u8$/, ''));
  }

  private async post(event: HookEvent, url: string, body: object): Promise<void> {
    const started = Date.now();
    const res = await sendHookRequest(url, { method: 'POST', body: JSON.stringify(body), timeoutMs: this.timeoutMs, maxBodyBytes: MAX_ANSWER_BYTES });
    checkHookAnswer(url, res);
    log.trace(`http hook ${event} ${url}: ok in ${Date.now() - started} ms`);
  }

  /** A hook that may refuse: every URL in order; the first failure rejects with HttpHookDenied. */
  private async ask(event: HookEvent, vhost: string, body: object): Promise<void> {
    for (const url of this.urls(vhost, event)) {
      try {
        await this.post(event, url, body);
      } catch (err) {
        const denied = err instanceof TsrsError ? err : new TsrsError('HttpHookDenied', describeError(err), { cause: err });
        denied.contexts.unshift(`${event} denied`);
        log.warn(`http hook ${denied.describe()}`);
        throw denied;
      }
    }
  }

  /** A notification: every URL in order in the background; failures are logged, never thrown. */
  private notify(clientId: string, event: HookEvent, vhost: string, body: object): Promise<boolean> {
    const urls = this.urls(vhost, event);
    if (urls.length === 0) return Promise.resolve(true);
    return this.chain(clientId, async () => {
      let ok = true;
      for (const url of urls) {
        try {
          await this.post(event, url, body);
        } catch (err) {
          ok = false;
          log.warn(`http hook ${event} failed, ignored: ${describeError(err)}`);
        }
      }
      return ok;
    });
  }

  private chain<T>(clientId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(clientId) ?? Promise.resolve();
    const run = previous.then(task);
    const settled = run.then(() => undefined, () => undefined);
    this.chains.set(clientId, settled);
    // The last link removes the chain, so finished clients leave nothing behind.
    void settled.then(() => {
      if (this.chains.get(clientId) === settled) this.chains.delete(clientId);
    });
    return run;
  }
}

/** The hook subject of a stream's publisher, for DVR and HLS (falls back to the stream itself). */
export function subjectOfSource(ctx: LiveContext, source: LiveSource): HookSubject {
  const publisherId = source.publisher?.clientId;
  const client = publisherId ? ctx.clients.get(publisherId)?.info : undefined;
  if (client) return subjectOfClient(client);
  return {
    clientId: publisherId ?? '',
    ip: '',
    vhost: source.vhost,
    app: source.app,
    stream: source.stream,
    param: '',
    tcUrl: `rtmp://${source.vhost}/${source.app}`,
    pageUrl: '',
  };
}
