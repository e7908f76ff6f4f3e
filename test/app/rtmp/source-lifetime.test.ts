import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { resetLogTank, setLogTank } from '../../../src/core/logger.js';
import { sendPaced, syntheticStream } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

const STREAMS = 1000;
const WORKERS = 8;
const MB = 1 << 20;

/** A real gc(): vitest's worker does not get --expose-gc, so ask V8 for it at run time. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settle(gc: () => void): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

describe('RTMP source lifetime', () => {
  let server: RtmpTestServer;
  beforeAll(async () => {
    // Lines are dropped, not kept: 10 lines a stream would be the biggest "leak" measured.
    setLogTank({ write() {} });
    server = await startRtmpTestServer({ live: { mwLatencyMs: 0 }, idleGraceMs: 200, sweepIntervalMs: 50 });
  });
  afterAll(async () => {
    await server.close();
    resetLogTank();
  });

  /** Publishes `count` short streams named prefix-N, `WORKERS` at a time; every 50th also has a player. */
  async function churn(prefix: string, count: number): Promise<void> {
    const frames = syntheticStream({ frames: 3, gop: 2, videoSize: 2000 });
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const n = next++;
        const url = server.url(`live/${prefix}-${n}`);
        const player = n % 50 === 0 ? await startPlayer(url) : undefined;
        const publisher = await RtmpClient.connect(url);
        await publisher.publish();
        publisher.sendMetadata({ n });
        await sendPaced(publisher, frames, { speed: Infinity });
        if (player) await player.until(() => player.video >= 3, 3000, 'frames');
        await publisher.close();
        if (player) await player.client.close();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
  }

  async function waitSwept(): Promise<void> {
    const deadline = Date.now() + 5000;
    while ((server.sources.size > 0 || server.ctx.clients.size > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(server.ctx.clients.size).toBe(0);
    expect(server.sources.size).toBe(0);
  }

  it(`frees ${STREAMS} short-lived streams: registry empty, heap and RSS back near baseline`, async () => {
    const gc = exposeGc();
    // Warm up until V8's young generation and the allocator arenas have grown to their working size.
    await churn('warm', 300);
    await waitSwept();
    const baseline = await settle(gc);

    let peak = 0;
    const counter = setInterval(() => (peak = Math.max(peak, server.sources.size)), 10);
    await churn('short', STREAMS);
    clearInterval(counter);
    expect(peak).toBeGreaterThan(0);
    await waitSwept();
    const after = await settle(gc);

    const heapGrowth = (after.heap - baseline.heap) / MB;
    const rssGrowth = (after.rss - baseline.rss) / MB;
    expect(heapGrowth, `heap grew ${heapGrowth.toFixed(1)} MB`).toBeLessThan(10);
    expect(rssGrowth, `rss grew ${rssGrowth.toFixed(1)} MB`).toBeLessThan(30);
  });
});
