/**
 * Pulls a stream from an origin over HTTP-FLV (SRS 5's `protocol flv;` / `flvs`):
 * GET http(s)://origin/app/stream.flv?query, one HTTP 302 followed, the body read as FLV
 * tags. HTTPS origins are not verified, as SRS does not verify them.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TsrsError, describeError } from '../../core/errors.js';
import { FlvReader } from '../../protocol/flv/reader.js';
import { hostForUrl } from '../forward/upstream-url.js';
import type { Upstream, UpstreamHandlers, UpstreamTarget } from './upstream.js';

const MAX_REDIRECTS = 1;

export function flvUrl(target: UpstreamTarget): string {
  const schema = target.protocol === 'flvs' ? 'https' : 'http';
  const q = target.stream.indexOf('?');
  const name = q < 0 ? target.stream : target.stream.slice(0, q);
  const query = q < 0 ? '' : target.stream.slice(q);
  return `${schema}://${hostForUrl(target.origin.host)}:${target.origin.port}/${target.app}/${name}.flv${query}`;
}

/** Resolves with the 200 response; rejects on an error status, a timeout or a network failure. */
function get(url: string, timeoutMs: number, redirects = 0): Promise<{ req: ClientRequest; res: IncomingMessage; url: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    let req: ClientRequest;
    try {
      req = send(url, { method: 'GET', rejectUnauthorized: false, headers: { Accept: '*/*' } });
    } catch (err) {
      reject(new TsrsError('SocketClosed', `http-flv ${url}: ${describeError(err)}`, { cause: err }));
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      reject(new TsrsError('SocketTimeout', `http-flv ${url}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new TsrsError('SocketClosed', `http-flv ${url}: ${err.message}`, { cause: err }));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const location = res.headers.location;
      if ((res.statusCode === 301 || res.statusCode === 302) && location && redirects < MAX_REDIRECTS) {
        res.resume();
        req.destroy();
        get(new URL(location, url).toString(), timeoutMs, redirects + 1).then(resolve, reject);
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        req.destroy();
        reject(new TsrsError('HttpNotFound', `http-flv ${url}: HTTP ${res.statusCode}`));
        return;
      }
      resolve({ req, res, url });
    });
    req.end();
  });
}

export async function openFlvUpstream(target: UpstreamTarget, handlers: UpstreamHandlers): Promise<Upstream> {
  const { req, res, url } = await get(flvUrl(target), target.timeoutMs);
  const reader = new FlvReader({ expectHeader: true });
  let closedByUs = false;
  let failure: TsrsError | undefined;
  const ended = new Promise<TsrsError | undefined>((resolve) => {
    const finish = () => resolve(closedByUs ? undefined : (failure ?? new TsrsError('SocketClosed', `http-flv ${url}: stream ended`)));
    res.once('close', finish);
    res.once('error', (err) => {
      failure ??= new TsrsError('SocketClosed', `http-flv ${url}: ${err.message}`, { cause: err });
    });
  });
  res.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      for (const tag of reader.feed(chunk)) handlers.onMessage(tag.type, tag.timestamp, tag.data);
    } catch (err) {
      failure = err instanceof TsrsError ? err : new TsrsError('SocketClosed', `http-flv ${url}: ${describeError(err)}`);
      req.destroy();
    }
  });
  return {
    url,
    ended,
    close: () => {
      closedByUs = true;
      req.destroy();
    },
  };
}
