import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../../src/app/rtmp/rtmp-output.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { AUDIO, frameIndex, sendPaced, syntheticStream, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { closedWithin, messageBytes, rawPlayer } from '../../helpers/rtmp-raw.js';
import { encodeUserControl } from '../../../src/protocol/rtmp/messages-control.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

describe('a stalled RTMP player', () => {
  let server: RtmpTestServer;
  let logs: LogCapture;
  beforeAll(async () => {
    logs = captureLogs();
    server = await startRtmpTestServer({ live: { mwLatencyMs: 100, queueLengthSeconds: 2 } });
  });
  afterAll(async () => {
    await server.close();
    logs.stop();
  });

  it('neither stalls the others nor makes the server hold more than queue_length for it', async () => {
    // 24 s of 20 KB frames (~12 MB), sent at 8x real time.
    const stream = syntheticStream({ frames: 600, gop: 25, videoSize: 20_000, audioSize: 300 });
    const publisher = await RtmpClient.connect(server.url('live/stall'));
    await publisher.publish();
    await sendPaced(publisher, stream.slice(0, 30), { speed: Infinity });
    const output = server.source('live/stall')!.findOutput(RtmpOutput)!;

    const stalled = await rawPlayer(server.port, 'live', 'stall'); // fan-out player 1
    stalled.stall();
    const player = await startPlayer(server.url('live/stall'), { keepPayloads: false }); // player 2

    let maxRetained = 0;
    const sampler = setInterval(() => (maxRetained = Math.max(maxRetained, output.stats().retainedBytes)), 20);
    const started = performance.now();
    await sendPaced(publisher, stream.slice(30), { speed: 8 });
    const pumpMs = performance.now() - started;
    const last = stream[stream.length - 1]!;
    await player.until(() => {
      const m = player.messages[player.messages.length - 1];
      return m !== undefined && m.typeId === last.typeId && frameIndex(m.typeId, m.payload) === frameIndex(last.typeId, last.payload);
    }, 10_000, 'the last frame');
    clearInterval(sampler);

    const published = stream.reduce((n, m) => n + m.payload.length, 0);
    const secondOfMedia = published / 24;
    expect(published).toBeGreaterThan(10 << 20);
    // queue_length (2 s) + the cached GOP (1 s) + one flush interval (0.8 s at 8x), with slack.
    expect(maxRetained).toBeLessThan(5 * secondOfMedia);
    expect(pumpMs).toBeLessThan(24_000 / 8 + 2000);

    const stalledStats = output.playerStats(1)!;
    expect(stalledStats.state).toBe('blocked');
    expect(stalledStats.dropped).toBeGreaterThan(100);
    expect(stalledStats.bytesSent).toBeLessThan(published / 2);
    expect(output.playerStats(2)!.dropped).toBe(0);

    // The healthy player got every message from its keyframe on.
    const firstVideo = player.messages.find((m) => m.typeId === VIDEO && frameIndex(m.typeId, m.payload) >= 0)!;
    const from = frameIndex(VIDEO, firstVideo.payload);
    const expectVideo = stream.filter((m) => m.typeId === VIDEO && frameIndex(m.typeId, m.payload) >= from).length;
    expect(player.messages.filter((m) => m.typeId === VIDEO && frameIndex(m.typeId, m.payload) >= 0).length).toBe(expectVideo);
    expect(player.messages.filter((m) => m.typeId === AUDIO).length).toBeGreaterThan(expectVideo * 2 - 5);

    stalled.socket.destroy();
    await player.client.close();
    await publisher.close();
  });

  it('is dropped when it floods pings it never reads the answers to', async () => {
    const publisher = await RtmpClient.connect(server.url('live/pings'));
    await publisher.publish();
    const stream = syntheticStream({ frames: 2000, gop: 25, videoSize: 20_000 });
    await sendPaced(publisher, stream.slice(0, 10), { speed: Infinity });
    const output = server.source('live/pings')!.findOutput(RtmpOutput)!;
    const stalled = await rawPlayer(server.port, 'live', 'pings');
    stalled.stall();
    // Fill its socket until the fan-out sees it blocked (bounded: at most ~40 MB).
    let i = 10;
    while (output.playerStats(1)?.state !== 'blocked' && i < stream.length) {
      await sendPaced(publisher, stream.slice(i, i + 50), { speed: Infinity });
      i += 50;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(output.playerStats(1)?.state).toBe('blocked');
    const pings = Buffer.concat(Array.from({ length: 20_000 }, (_, n) => messageBytes(2, 4, 0, 0, encodeUserControl({ eventType: 6, eventData: n }))));
    stalled.socket.write(pings);
    await logs.waitFor(/rtmp client 127\.0\.0\.1 closed .*player does not read: over 262144 bytes of control replies queued/);
    stalled.socket.resume(); // a paused socket never sees the server's FIN
    expect(await closedWithin(stalled.socket, 5000)).toBe(true);
    expect(publisher.closed).toBe(false);
    await publisher.close();
  });
});
