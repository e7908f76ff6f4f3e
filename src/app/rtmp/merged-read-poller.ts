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
  removed: boolean;
}

/**
 * Entries in the order they fall due. Every nap is the same mr_latency, so an entry queued
 * after its read lands behind every entry queued before it: the due ones are at the front,
 * and a tick never looks at the others. (A reload that changes mr_latency only delays some
 * reads by the difference, once.)
 */
class DueQueue {
  private items: Entry[] = [];
  private head = 0;

  push(entry: Entry): void {
    this.items.push(entry);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** The front entry when it is due by `now`, removed from the queue. */
  popDue(now: number): Entry | undefined {
    const entry = this.items[this.head];
    if (!entry || entry.dueAt > now) return undefined;
    this.head++;
    // Drop the consumed front now and then rather than shifting on every pop.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}

export class MergedReadPoller {
  private live = 0;
  /** Waiting out a nap. */
  private readonly napping = new DueQueue();
  /** To read at the next tick: fast streams, and readers that were paused. */
  private soon: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * Starts reading `reader.socket` here; its handle must already be stopped. Returns the
   * function that stops it (call it before the socket is destroyed), or undefined when the
   * socket has no descriptor to read (then the caller reads as usual).
   */
  add(reader: MergedReader): (() => void) | undefined {
    const found = socketHandle(reader.socket);
    if (!found) return undefined;
    const entry: Entry = { reader, handle: found.handle, fd: found.fd, dueAt: Date.now() + reader.napMs(), removed: false };
    this.napping.push(entry);
    this.live++;
    this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
    return () => this.remove(entry);
  }

  /** Sockets being read. */
  get size(): number {
    return this.live;
  }

  private remove(entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    this.live--;
    // The entry leaves its queue when it comes up; the timer stops with the last one.
    if (this.live === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.soon = [];
      this.napping.clear();
    }
  }

  private tick(): void {
    const now = Date.now();
    const soon = this.soon;
    this.soon = [];
    for (const entry of soon) this.visit(entry, now);
    for (let entry = this.napping.popDue(now); entry; entry = this.napping.popDue(now)) this.visit(entry, now);
  }

  private visit(entry: Entry, now: number): void {
    if (entry.removed) return;
    if (!entry.reader.ready()) {
      this.soon.push(entry);
      return;
    }
    const readAgain = this.drain(entry);
    if (entry.removed) return;
    if (readAgain) {
      this.soon.push(entry);
    } else {
      entry.dueAt = now + entry.reader.napMs();
      this.napping.push(entry);
    }
  }

  /**
   * Reads the socket until it is empty. True when it should be read again at the next tick
   * rather than after a nap: a stream that filled the read buffer is fast, and the kernel's
   * receive buffer must not have to hold a whole nap of it; a reader that paused left bytes.
   */
  private drain(entry: Entry): boolean {
    const { reader } = entry;
    const buffer = sharedReadBuffer();
    let total = 0;
    for (;;) {
      const { socket } = reader;
      if (socket.destroyed || (socket as unknown as { _handle?: object | null })._handle !== entry.handle) {
        this.remove(entry);
        return false;
      }
      const n = readSocket(entry.fd, buffer);
      if (n > 0) {
        total += n;
        reader.onBytes(buffer.subarray(0, n));
        if (entry.removed) return false;
        if (n < buffer.length) return total >= READ_BUFFER_BYTES;
        if (!reader.ready()) return true;
      } else if (n === 0 || !wouldBlock(n)) {
        this.remove(entry);
        reader.onEnd(n === 0 ? 'peer closed' : `read failed: errno ${-n}`);
        return false;
      } else {
        return total >= READ_BUFFER_BYTES;
      }
    }
  }
}

/** The process's poller: every RTMP publisher in merged read shares its timer. */
export const mergedReadPoller = new MergedReadPoller();
