/**
 * Files under a served directory (`http_server.dir`, where HLS/DASH/DVR write, plus
 * `http_static` mounts): MIME types, single byte ranges, no-cache playlists, HEAD, and a
 * real-path check so a symlink inside the root cannot expose anything outside it.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { fileExtension, mimeTypeOf } from '../../protocol/http/mime.js';
import { contentRange, parseRangeHeader } from '../../protocol/http/range.js';
import type { HeaderList } from '../../protocol/http/response-head.js';
import { setHeaders } from './responses.js';

/** Extensions that change while a stream runs: players must refetch them, caches must not keep them. */
const NO_CACHE_EXTENSIONS = new Set(['.m3u8', '.mpd']);

export type StaticOutcome =
  | { kind: 'served'; status: number; path: string }
  | { kind: 'error'; status: 403 | 404 | 500; reason: string };

/** The file a request names inside `dir`, after resolving symlinks; an error when outside or missing. */
export async function locateFile(
  dir: string,
  relative: string,
  wantsDirectory: boolean,
): Promise<{ ok: true; path: string; size: number; mtime: Date } | { ok: false; status: 403 | 404; reason: string }> {
  let root: string;
  try {
    root = await realpath(resolve(dir));
  } catch {
    return { ok: false, status: 404, reason: `root ${dir} does not exist` };
  }
  let path = join(root, relative);
  for (let step = 0; step < 2; step++) {
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES') return { ok: false, status: 403, reason: `no permission for ${relative}` };
      return { ok: false, status: 404, reason: `${relative || '/'} not found` };
    }
    if (real !== root && !real.startsWith(root + sep)) {
      return { ok: false, status: 403, reason: `${relative} resolves to ${real}, outside the root ${root}` };
    }
    const info = await stat(real).catch(() => undefined);
    if (!info) return { ok: false, status: 404, reason: `${relative} vanished` };
    if (info.isDirectory()) {
      // A directory serves its index.html, as SRS and nginx do.
      path = join(real, 'index.html');
      continue;
    }
    // FIFOs, devices and sockets are not files to serve (a FIFO would block the read forever).
    if (!info.isFile()) return { ok: false, status: 403, reason: `${relative} is not a regular file` };
    if (wantsDirectory && step === 0) return { ok: false, status: 404, reason: `${relative}/ is not a directory` };
    return { ok: true, path: real, size: info.size, mtime: info.mtime };
  }
  return { ok: false, status: 404, reason: `${relative}/index.html not found` };
}

export async function serveStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  dir: string,
  relative: string,
  wantsDirectory: boolean,
  headers: HeaderList,
): Promise<StaticOutcome> {
  const found = await locateFile(dir, relative, wantsDirectory);
  if (!found.ok) return { kind: 'error', status: found.status, reason: found.reason };
  const { path, size, mtime } = found;
  const extension = fileExtension(path);
  const noCache = NO_CACHE_EXTENSIONS.has(extension);
  setHeaders(res, headers);
  res.setHeader('Content-Type', mimeTypeOf(path));
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', mtime.toUTCString());
  if (noCache) res.setHeader('Cache-Control', 'no-cache');

  const since = req.headers['if-modified-since'];
  if (!noCache && since && !req.headers.range) {
    const sinceMs = Date.parse(since);
    if (!Number.isNaN(sinceMs) && Math.floor(mtime.getTime() / 1000) * 1000 <= sinceMs) {
      res.writeHead(304);
      res.end();
      return { kind: 'served', status: 304, path };
    }
  }

  const range = parseRangeHeader(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', contentRange(range, size)!);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    const body = 'Range Not Satisfiable';
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.writeHead(416);
    res.end(req.method === 'HEAD' ? undefined : body);
    return { kind: 'served', status: 416, path };
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const status = range.kind === 'partial' ? 206 : 200;
  if (range.kind === 'partial') res.setHeader('Content-Range', contentRange(range, size)!);
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  res.writeHead(status);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return { kind: 'served', status, path };
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(path, { start, end });
    stream.on('error', () => {
      // Headers are out: the only honest signal left is a cut connection.
      res.destroy();
      done();
    });
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
  return { kind: 'served', status, path };
}
