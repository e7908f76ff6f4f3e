/**
 * Reconnect delays for links to other servers (forward destinations, edge origins): doubling
 * from `initialMs` up to `maxMs`, so a dead peer costs one attempt every half minute instead
 * of a busy loop, and a healthy one that blipped is back within a second.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

export class Backoff {
  private nextMs: number;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    this.nextMs = options.initialMs;
  }

  /** The delay to wait now; the one after it is twice as long (capped). */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.options.maxMs, this.nextMs * 2);
    return delay;
  }

  reset(): void {
    this.nextMs = this.options.initialMs;
  }
}

/** A sleep that stop() cuts short (resolves false when cancelled). */
export class CancellableDelay {
  private timer: NodeJS.Timeout | undefined;
  private wake: ((completed: boolean) => void) | undefined;

  wait(ms: number): Promise<boolean> {
    this.cancel();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve(true);
      }, ms);
      this.timer.unref();
    });
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.(false);
  }
}
