/**
 * Turns a request path into a path relative to a served directory, refusing anything that
 * could name a file outside it: `..` segments (raw or percent-encoded), encoded slashes
 * (`%2f`, `%5c`, which would smuggle a separator past the segment check), NUL bytes and
 * backslashes. Pure string work; the caller still checks the real path on disk, since a
 * symlink inside the root may point out of it.
 */

export type SafePath =
  | {
      ok: true;
      /** Decoded segments, no empty, `.` or `..` ones. */
      segments: string[];
      /** The segments joined with `/` ('' for the root itself). */
      relative: string;
      /** The request named a directory (`/dir/`), which serves its index. */
      trailingSlash: boolean;
    }
  | { ok: false; status: 400 | 403; reason: string };

/** Longer paths are not files anyone serves; refusing them bounds the work per request. */
export const MAX_PATH_LENGTH = 4096;

export function resolveSafePath(rawPath: string): SafePath {
  if (!rawPath.startsWith('/')) return { ok: false, status: 400, reason: 'path does not start with /' };
  if (rawPath.length > MAX_PATH_LENGTH) return { ok: false, status: 400, reason: `path longer than ${MAX_PATH_LENGTH}` };
  if (rawPath.includes('\0')) return { ok: false, status: 403, reason: 'NUL byte in path' };
  if (rawPath.includes('\\')) return { ok: false, status: 403, reason: 'backslash in path' };
  const segments: string[] = [];
  const raw = rawPath.split('/');
  for (const piece of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(piece);
    } catch {
      return { ok: false, status: 400, reason: `malformed percent-encoding in "${piece}"` };
    }
    if (segment.includes('\0')) return { ok: false, status: 403, reason: 'encoded NUL byte in path' };
    if (segment.includes('/') || segment.includes('\\')) return { ok: false, status: 403, reason: 'encoded path separator in path' };
    if (segment === '..') return { ok: false, status: 403, reason: 'parent directory (..) in path' };
    if (segment === '' || segment === '.') continue;
    segments.push(segment);
  }
  return { ok: true, segments, relative: segments.join('/'), trailingSlash: rawPath.endsWith('/') };
}

/** Splits a request target into its path and query (with the `?`); absolute-form targets keep their path. */
export function splitRequestTarget(target: string): { path: string; query: string } | undefined {
  let rest = target;
  if (!rest.startsWith('/')) {
    // absolute-form (`GET http://host/path`), which proxies send.
    const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(rest);
    if (!match) return undefined;
    rest = match[1] || '/';
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q) };
}
