/**
 * The HLS file operations of one stream, run one at a time in order: a segment lands before
 * the playlist naming it, and a file leaves only after the playlist stopped naming it.
 * Writes go to "<file>.tmp" and are renamed into place, so a player or CDN never reads a
 * half-written segment or playlist. Failures are logged and reported, never thrown at the
 * media path.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { TsrsError, describeError } from '../../core/errors.js';

export class HlsFileQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly onError: (message: string) => void) {}

  /** Queues an atomic write; `data` is produced when the write runs (keeps the media path light). */
  write(path: string, data: () => Uint8Array | string): void {
    this.enqueue(`write ${path}`, async () => {
      const dir = dirname(path);
      if (!this.madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      const tmp = `${path}.tmp`;
      await writeFile(tmp, data());
      await rename(tmp, path);
    });
  }

  remove(path: string): void {
    this.enqueue(`remove ${path}`, () => rm(path, { force: true }));
  }

  /** Runs `fn` once everything queued before it is done. */
  afterPending(fn: () => void): void {
    this.enqueue('callback', async () => fn());
  }

  /** Resolves when everything queued so far is done. */
  idle(): Promise<void> {
    return this.tail;
  }

  private enqueue(what: string, op: () => Promise<void>): void {
    this.tail = this.tail.then(op).catch((err: unknown) => this.onError(`${what}: ${describeError(err)}`));
  }
}

/**
 * root joined with a rendered template (kept relative when root is, as SRS reports paths),
 * refusing results outside root: a client picks the stream name, "../" included.
 */
export function pathInside(root: string, rel: string): string {
  const base = resolve(root);
  const full = resolve(base, rel);
  const back = relative(base, full);
  if (back === '' || back.startsWith('..') || back.split(sep).includes('..')) {
    throw new TsrsError('Unknown', `hls: path "${rel}" leaves ${root}`);
  }
  return join(root, rel);
}
