/**
 * Byte totals and SRS's `kbps.recv_30s` / `kbps.send_30s`: the totals are sampled every few
 * seconds by the stats ticker and the rate is taken over the samples of the last 30 s, so
 * the media path only ever adds to two numbers.
 */

export const KBPS_WINDOW_MS = 30_000;

interface Sample {
  at: number;
  recv: number;
  send: number;
}

export interface KbpsView {
  recv_30s: number;
  send_30s: number;
}

export class Kbps {
  recvBytes = 0;
  sendBytes = 0;
  private readonly samples: Sample[] = [];

  add(recv: number, send: number): void {
    this.recvBytes += recv;
    this.sendBytes += send;
  }

  /** Records the totals at `now`; keeps just enough samples to span the window. */
  sample(now: number): void {
    this.samples.push({ at: now, recv: this.recvBytes, send: this.sendBytes });
    // Drop the oldest while the next one still reaches back a full window.
    while (this.samples.length > 2 && now - this.samples[1]!.at >= KBPS_WINDOW_MS) this.samples.shift();
  }

  /** Kilobits per second over the sampled window; 0 until two samples exist (as SRS starts at 0). */
  view(): KbpsView {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return { recv_30s: 0, send_30s: 0 };
    const ms = last.at - first.at;
    // bytes * 8 / ms = kilobits per second
    return {
      recv_30s: Math.round(((last.recv - first.recv) * 8) / ms),
      send_30s: Math.round(((last.send - first.send) * 8) / ms),
    };
  }
}
