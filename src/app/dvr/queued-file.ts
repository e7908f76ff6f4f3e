/**
 * A file written in the background, in order, without blocking the media path: appends are
 * queued in memory and flushed with one writev per event-loop turn's worth of data; patches
 * (writeAt) and close run after everything queued before them. A disk too slow for the stream
 * fails the file once the queue holds `maxPendingBytes`, rather than growing memory without end.
 * The file is opened only after `after` settles, so a stream's files never overlap (the next
 * DVR segment may reuse the previous one's temp name).
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TsrsError, describeError } from '../../core/errors.js';

const DEFAULT_MAX_PENDING = 256 * 1024 * 1024;

export class QueuedFile {
  private handle: FileHandle | undefined;
  private chain: Promise<void>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  private flushedTo = 0;
  private failure: TsrsError | undefined;
  private closed = false;
  /** Bytes appended so far: the offset of the next append. */
  size = 0;

  constructor(
    readonly path: string,
    after: Promise<unknown> = Promise.resolve(),
    private readonly maxPendingBytes = DEFAULT_MAX_PENDING,
  ) {
    this.chain = after
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(path), { recursive: true });
        this.handle = await open(path, 'w');
      })
      .catch((err) => this.fail(`open: ${describeError(err)}`));
  }

  get failed(): TsrsError | undefined {
    return this.failure;
  }

  append(data: Uint8Array): void {
    if (this.failure || this.closed || data.length === 0) return;
    if (this.pendingBytes + data.length > this.maxPendingBytes) {
      this.fail(`${this.pendingBytes} bytes wait for the disk, giving up on the file`);
      return;
    }
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.size += data.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.enqueue(() => this.flush());
    }
  }

  /** Overwrites bytes already appended (a header whose size is known only at the end). */
  writeAt(offset: number, data: Uint8Array): void {
    if (this.failure || this.closed) return;
    if (offset < 0 || offset + data.length > this.size) {
      this.fail(`patch of ${data.length} bytes at ${offset} is outside the ${this.size} bytes written`);
      return;
    }
    this.enqueue(async () => {
      await this.flush();
      await this.writeFully([data], offset);
    });
  }

  /** Flushes, closes, and rejects with the file's first failure if it had one. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.enqueue(() => this.flush());
      this.chain = this.chain.then(async () => {
        const handle = this.handle;
        this.handle = undefined;
        await handle?.close();
      });
    }
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await op();
      } catch (err) {
        this.fail(describeError(err));
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.writeFully(buffers, this.flushedTo);
    this.flushedTo += bytes;
  }

  private async writeFully(buffers: Uint8Array[], position: number): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new TsrsError('Unknown', 'file is not open');
    const total = buffers.reduce((n, b) => n + b.length, 0);
    let done = (await handle.writev(buffers, position)).bytesWritten;
    // A short write (full disk, signal) continues from where it stopped.
    if (done < total) {
      const rest = Buffer.concat(buffers).subarray(done);
      let at = 0;
      while (at < rest.length) {
        const { bytesWritten } = await handle.write(rest, at, rest.length - at, position + done + at);
        if (bytesWritten <= 0) throw new TsrsError('Unknown', `write stalled at ${position + done + at}`);
        at += bytesWritten;
      }
      done += at;
    }
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new TsrsError('Unknown', `${this.path}: ${message}`);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
