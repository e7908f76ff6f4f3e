/**
 * SRS's `refer`: page domains allowed to embed a player or a publisher. The page URL is the
 * RTMP connect's pageUrl, or an HTTP request's Referer header. As SRS does it: the host of
 * the page URL (scheme, path and port stripped) must end with one of the listed names, and
 * the first place the name occurs in the host must be that end; an empty list checks nothing.
 */
import { TsrsError } from '../../core/errors.js';

function pageHost(pageUrl: string): string {
  let host = pageUrl;
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  return host;
}

export function referMatches(pageUrl: string, refer: string): boolean {
  const host = pageHost(pageUrl);
  const at = host.indexOf(refer);
  return at >= 0 && at === host.length - refer.length;
}

/** Undefined when allowed, else RtmpAccessDenied (SRS's 2013). */
export function checkRefer(pageUrl: string, allowed: readonly string[], what: string): TsrsError | undefined {
  if (allowed.length === 0) return undefined;
  if (allowed.some((refer) => referMatches(pageUrl, refer))) return undefined;
  return new TsrsError('RtmpAccessDenied', `refer: ${what} from page "${pageUrl}" denied, allowed: ${allowed.join(' ')}`);
}
