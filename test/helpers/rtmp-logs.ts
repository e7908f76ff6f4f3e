/** Captures the server's log lines (setLogTank) so a test can assert that a reason was logged. */
import { resetLogTank, setLogTank } from '../../src/core/logger.js';

export interface LogCapture {
  readonly lines: string[];
  /** Resolves with the first line (already captured or future) matching; rejects after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

const MAX_LINES = 50_000;

/** Set RTMP_TEST_LOGS=1 to also print the lines. */
export function captureLogs(echo = process.env.RTMP_TEST_LOGS === '1'): LogCapture {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve(line: string): void }>();
  setLogTank({
    write(line) {
      if (echo) process.stdout.write(line);
      if (lines.length >= MAX_LINES) lines.splice(0, MAX_LINES / 2);
      lines.push(line);
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    },
  });
  return {
    lines,
    waitFor(pattern, timeoutMs = 5000) {
      const found = lines.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no log line matching ${pattern} in ${timeoutMs} ms; last lines:\n${lines.slice(-10).join('')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop() {
      waiters.clear();
      resetLogTank();
    },
  };
}
