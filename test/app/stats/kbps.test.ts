import { describe, expect, it } from 'vitest';
import { Kbps, KBPS_WINDOW_MS } from '../../../src/app/stats/kbps.js';

describe('Kbps', () => {
  it('is 0 until two samples exist, then bytes*8/ms over the window', () => {
    const k = new Kbps();
    expect(k.view()).toEqual({ recv_30s: 0, send_30s: 0 });
    k.sample(0);
    expect(k.view()).toEqual({ recv_30s: 0, send_30s: 0 });
    k.add(125_000, 250_000); // 1 Mbit and 2 Mbit
    k.sample(1000);
    expect(k.view()).toEqual({ recv_30s: 1000, send_30s: 2000 });
    expect(k.recvBytes).toBe(125_000);
    expect(k.sendBytes).toBe(250_000);
  });

  it('forgets what lies beyond the 30 s window and keeps a bounded number of samples', () => {
    const k = new Kbps();
    k.sample(0);
    k.add(10_000_000, 0); // a burst at the start
    for (let t = 5000; t <= 120_000; t += 5000) k.sample(t);
    expect(k.view().recv_30s).toBe(0);
    k.add(37_500, 0); // 300 kbit over the last 5 s
    k.sample(125_000);
    expect(k.view().recv_30s).toBe(Math.round((37_500 * 8) / KBPS_WINDOW_MS));
    const samples = (k as unknown as { samples: unknown[] }).samples;
    expect(samples.length).toBeLessThanOrEqual(KBPS_WINDOW_MS / 5000 + 2);
  });
});
