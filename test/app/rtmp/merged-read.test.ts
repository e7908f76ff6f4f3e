import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RtmpSession } from '../../../src/app/rtmp/session.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { frameIndex, sendPaced, syntheticStream, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

/** Counts the socket reads the server hands to publishing sessions. */
function countPublisherReads(): { readonly count: number; reset(): void } {
  let count = 0;
  const proto = RtmpSession.prototype as unknown as { onData(data: Buffer): void };
  const original = proto.onData;
  vi.spyOn(proto, 'onData').mockImplementation(function (this: RtmpSession, data: Buffer) {
    if (this.info.kind.endsWith('publish')) count++;
    original.call(this, data);
  });
  return {
    get count() {
      return count;
    },
    reset: () => (count = 0),
  };
}

describe('SRS merged read (publish mr)', () => {
  const logs: LogCapture = captureLogs();
  const servers: RtmpTestServer[] = [];
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    logs.stop();
  });

  /** Publishes 2 s of a small-message stream in real time; returns the publisher reads and the frames a player got. */
  async function publishPaced(mergedReadMs: number): Promise<{ reads: number; frames: number[] }> {
    const server = await startRtmpTestServer({ live: { mergedReadMs, mwLatencyMs: 0 } });
    servers.push(server);
    const reads = countPublisherReads();
    const publisher = await RtmpClient.connect(server.url('live/mr'));
    await publisher.publish();
    const player = await startPlayer(server.url('live/mr'));
    reads.reset();
    await sendPaced(publisher, syntheticStream({ frames: 50, gop: 25 }), { speed: 1 });
    await player.until(() => player.messages.some((m) => frameIndex(VIDEO, m.payload) === 49), 5000, 'the last frame');
    const readCount = reads.count;
    const frames = player.messages.filter((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) >= 0).map((m) => frameIndex(VIDEO, m.payload));
    await publisher.close();
    await player.client.close();
    return { reads: readCount, frames };
  }

  it('reads a paced publisher in batches, one per mr_latency, and loses nothing', async () => {
    const off = await publishPaced(0);
    const on = await publishPaced(300);
    const all = Array.from({ length: 50 }, (_, i) => i);
    expect(off.frames).toEqual(all);
    expect(on.frames).toEqual(all);
    // 152 messages over 2 s, sent in about 100 paced writes: about one read per write without
    // mr, about one per 300 ms nap with it.
    expect(off.reads).toBeGreaterThan(60);
    expect(on.reads).toBeLessThanOrEqual(14);
  });

  it('ends a publisher that drops its connection while napping, and reads the next publish on that stream', async () => {
    const server = await startRtmpTestServer({ live: { mergedReadMs: 300, mwLatencyMs: 0 } });
    servers.push(server);
    const first = await RtmpClient.connect(server.url('live/drop'));
    await first.publish();
    await sendPaced(first, syntheticStream({ frames: 10, gop: 5 }), { speed: 1 });
    // Node is not reading this socket: the poller must see the end of the stream itself.
    first.destroy();
    const deadline = Date.now() + 2000;
    while (server.source('live/drop')?.isPublishing && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.source('live/drop')?.isPublishing).toBe(false);
    expect(logs.lines.some((l) => l.includes('closed after') && l.includes('peer closed'))).toBe(true);

    const second = await RtmpClient.connect(server.url('live/drop'));
    await second.publish();
    const player = await startPlayer(server.url('live/drop'));
    await sendPaced(second, syntheticStream({ frames: 10, gop: 5 }), { speed: 1 });
    await player.until(() => player.messages.some((m) => frameIndex(VIDEO, m.payload) === 9), 5000, 'the last frame');
    expect(server.source('live/drop')?.counters.videoFrames).toBeGreaterThanOrEqual(10);
    await second.close();
    await player.client.close();
  });

  it('never naps after a large read, so a fast publisher is not throttled', async () => {
    const server = await startRtmpTestServer({ live: { mergedReadMs: 500, mwLatencyMs: 0 } });
    servers.push(server);
    const publisher = await RtmpClient.connect(server.url('live/burst'));
    await publisher.publish();
    const player = await startPlayer(server.url('live/burst'));
    // 4 MB as fast as the socket takes it: at one 64 KB read per 500 ms nap this would take 30 s.
    const startedAt = Date.now();
    await sendPaced(publisher, syntheticStream({ frames: 200, gop: 50, videoSize: 20_000 }), { speed: Infinity });
    await player.until(() => player.messages.some((m) => frameIndex(VIDEO, m.payload) === 199), 8000, 'the last frame');
    expect(Date.now() - startedAt).toBeLessThan(8000);
    await publisher.close();
    await player.client.close();
  });
});
