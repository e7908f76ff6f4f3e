/**
 * A bounded queue between a socket and an async-iterating consumer. Above the high-water
 * mark (messages or bytes) it asks its producer to pause reading, so a slow consumer pushes
 * back through TCP instead of growing memory; once drained below half it asks to resume.
 */

export interface InboxLimits {
  maxMessages: number;
  maxBytes: number;
}

export interface InboxFlow {
  pause(): void;
  resume(): void;
}

export class Inbox<T extends { payload: Buffer }> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private bytes = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;
  private paused = false;

  constructor(
    private readonly limits: InboxLimits,
    private readonly flow: InboxFlow,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.items.push(item);
    this.bytes += item.payload.length;
    if (!this.paused && (this.length >= this.limits.maxMessages || this.bytes >= this.limits.maxBytes)) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** No more items: a waiting consumer, and later ones once the queue is empty, see done. */
  end(): void {
    this.ended = true;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.length > 0) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as T;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      this.bytes -= item.payload.length;
      if (this.paused && this.length <= this.limits.maxMessages / 2 && this.bytes <= this.limits.maxBytes / 2) {
        this.paused = false;
        this.flow.resume();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('inbox: one consumer at a time'));
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** A consumer that stops iterating drops what is queued and stops buffering. */
  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.end();
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
