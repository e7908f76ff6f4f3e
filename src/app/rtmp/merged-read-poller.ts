/**
 * SRS merged read (`publish { mr on; mr_latency N; }`) for all publishers at once. A
 * publisher in merged read has its libuv handle stopped for good; one shared timer reads
 * each such socket directly once per mr_latency, until it is empty. A 600 kbit/s stream
 * then costs about three syscalls a second and no epoll work at all, where waking libuv
 * for each nap cost two epoll_ctl, an epoll wakeup, a timer and a JS callback.
 *
 * Node does not see these reads, so the poller reports the end of the stream itself. It
 * never reads a socket Node has destroyed: the descriptor may already belong to another
 * connection. Naps are rounded up to the timer's tick.
 */
import type { Socket } from 'node:net';
import { readSocket, socketHandle, wouldBlock } from '../../native/socket-read.js';
import { READ_BUFFER_BYTES, sharedReadBuffer } from './shared-read-buffer.js';

const TICK_MS = 20;

export interface MergedReader {
  readonly socket: Socket;
  /** mr_latency now (a reload may change it). */
  napMs(): number;
  /** False while the reader cannot take bytes (a command is being answered): read later. */
  ready(): boolean;
  /** Bytes read; a view valid only during the call. */
  onBytes(bytes: Buffer): void;
  /** The peer closed the stream or the read failed: the reader closes its socket. */
  onEnd(reason: string): void;
}

interface Entry {
  readonly reader: MergedReader;
  readonly handle: object;
  readonly fd: number;
  dueAt: number;
}

export class MergedReadPoller {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * Starts reading `reader.socket` here; its handle must already be stopped. Returns the
   * function that stops it (call it before the socket is destroyed), or undefined when the
   * socket has no descriptor to read (then the caller reads as usual).
   */
  add(reader: MergedReader): (() => void) | undefined {
    const found = socketHandle(reader.socket);
    if (!found) return undefined;
    const entry: Entry = { reader, handle: found.handle, fd: found.fd, dueAt: Date.now() + reader.napMs() };
    this.entries.add(entry);
    this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
    return () => this.remove(entry);
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry);
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const entry of this.entries) {
      if (entry.dueAt <= now && entry.reader.ready()) this.drain(entry, now);
    }
  }

  /** Reads the socket until it is empty (or the reader pauses); the next read waits a nap. */
  private drain(entry: Entry, now: number): void {
    const { reader } = entry;
    const buffer = sharedReadBuffer();
    let total = 0;
    for (;;) {
      const { socket } = reader;
      if (socket.destroyed || socketHandle(socket)?.handle !== entry.handle) {
        this.remove(entry);
        return;
      }
      const n = readSocket(entry.fd, buffer);
      if (n > 0) {
        total += n;
        reader.onBytes(buffer.subarray(0, n));
        if (!this.entries.has(entry)) return;
        if (n < buffer.length || !reader.ready()) break;
      } else if (n === 0 || !wouldBlock(n)) {
        this.remove(entry);
        reader.onEnd(n === 0 ? 'peer closed' : `read failed: errno ${-n}`);
        return;
      } else {
        break;
      }
    }
    // A stream that filled the read buffer is fast: read it again at the next tick, so the
    // kernel's receive buffer never has to hold a whole nap of it.
    entry.dueAt = now + (total >= READ_BUFFER_BYTES ? 0 : reader.napMs());
  }
}

/** The process's poller: every RTMP publisher in merged read shares its timer. */
export const mergedReadPoller = new MergedReadPoller();
