import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../../src/app/rtmp/rtmp-output.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { decodeData } from '../../../src/protocol/rtmp/messages-command.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { AUDIO, DATA, frameIndex, isKeyframePayload, isSequenceHeaderPayload, sendPaced, syntheticStream, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer, type RecordingPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

function expectStartup(player: RecordingPlayer): void {
  const [meta, first, second] = player.messages;
  expect(meta!.typeId).toBe(DATA);
  expect(decodeData(DATA, meta!.payload).name).toBe('onMetaData');
  expect(first!.typeId).toBe(VIDEO);
  expect(isSequenceHeaderPayload(VIDEO, first!.payload)).toBe(true);
  expect(second!.typeId).toBe(AUDIO);
  expect(isSequenceHeaderPayload(AUDIO, second!.payload)).toBe(true);
}

describe('RTMP gop cache', () => {
  let logs: LogCapture;
  const servers: RtmpTestServer[] = [];
  beforeAll(() => {
    logs = captureLogs();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    logs.stop();
  });

  /** Publishes 1.5 s (GOPs of 1 s) in real time, then a player joins mid-GOP while 1 s more follows. */
  async function joinMidStream(gopCache: boolean) {
    const server = await startRtmpTestServer({ live: { mwLatencyMs: 50, gopCache } });
    servers.push(server);
    const stream = syntheticStream({ frames: 62, gop: 25 });
    const publisher = await RtmpClient.connect(server.url('live/gop'));
    await publisher.publish();
    publisher.sendMetadata({ width: 320, height: 240 });
    const split = stream.findIndex((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === 37);
    await sendPaced(publisher, stream.slice(0, split), { speed: 1 });
    const player = await startPlayer(server.url('live/gop'));
    await sendPaced(publisher, stream.slice(split), { speed: 4 });
    await player.until(() => player.messages.some((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === 61), 5000, 'the last frame');
    await publisher.close();
    await player.client.close();
    return { player, joinedAt: stream[split]!.timestamp };
  }

  it('on: a joining player gets metadata, sequence headers, then the GOP from its keyframe', async () => {
    const { player } = await joinMidStream(true);
    expectStartup(player);
    const first = player.messages[3]!;
    expect(first.typeId).toBe(VIDEO);
    expect(isKeyframePayload(first.payload)).toBe(true);
    expect(frameIndex(VIDEO, first.payload)).toBe(25);
    const video = player.messages.filter((m) => m.typeId === VIDEO && !isSequenceHeaderPayload(VIDEO, m.payload)).map((m) => frameIndex(VIDEO, m.payload));
    expect(video).toEqual(Array.from({ length: 62 - 25 }, (_, i) => 25 + i));
  });

  it('off: a joining player starts at the live edge', async () => {
    const { player, joinedAt } = await joinMidStream(false);
    expectStartup(player);
    const frames = player.messages.slice(3);
    const firstVideo = frames.find((m) => m.typeId === VIDEO)!;
    expect(frameIndex(VIDEO, firstVideo.payload)).toBeGreaterThanOrEqual(37);
    expect(isKeyframePayload(firstVideo.payload)).toBe(frameIndex(VIDEO, firstVideo.payload) === 50);
    expect(frames[0]!.timestamp).toBeGreaterThanOrEqual(joinedAt - 40);
  });

  it('after a republish, a player joining before the new keyframe gets none of the old GOP', async () => {
    const server = await startRtmpTestServer({ live: { mwLatencyMs: 0, gopCache: true } });
    servers.push(server);
    const first = await RtmpClient.connect(server.url('live/regop'));
    await first.publish();
    await sendPaced(first, syntheticStream({ frames: 30, gop: 25 }), { speed: Infinity });
    await first.close();

    const second = await RtmpClient.connect(server.url('live/regop'));
    await second.publish();
    second.sendMetadata({ session: 2 });
    const fresh = syntheticStream({ frames: 5, gop: 25, firstIndex: 1000, startTimestamp: 5000 });
    await sendPaced(second, fresh.slice(0, 2), { speed: Infinity }); // only the sequence headers
    await new Promise((r) => setTimeout(r, 50));
    const player = await startPlayer(server.url('live/regop'));
    await sendPaced(second, fresh.slice(2), { speed: Infinity });
    await player.until(() => player.messages.some((m) => frameIndex(m.typeId, m.payload) === 1004), 5000, 'the new frames');
    const indices = player.messages.map((m) => frameIndex(m.typeId, m.payload)).filter((i) => i >= 0);
    expect(indices.every((i) => i >= 1000)).toBe(true);
    const video = player.messages.filter((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) >= 0);
    expect(isKeyframePayload(video[0]!.payload)).toBe(true);
    await second.close();
    await player.client.close();
  });

  it('metadata sent mid-stream (timestamp 0 under time_jitter full) makes no player skip frames', async () => {
    const server = await startRtmpTestServer({ live: { mwLatencyMs: 100, queueLengthSeconds: 1 } });
    servers.push(server);
    const publisher = await RtmpClient.connect(server.url('live/meta'));
    await publisher.publish();
    const stream = syntheticStream({ frames: 150, gop: 50 });
    const player = await startPlayer(server.url('live/meta'));
    const half = stream.length / 2;
    await sendPaced(publisher, stream.slice(0, half), { speed: 4 });
    // After a pause longer than mw_latency, so the metadata opens a flush (the players' next message).
    await new Promise((r) => setTimeout(r, 200));
    publisher.sendMetadata({ updated: true }, stream[half]!.timestamp);
    await sendPaced(publisher, stream.slice(half), { speed: 4 });
    await player.until(() => player.messages.some((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === 149), 5000, 'the last frame');
    const video = player.messages.filter((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) >= 0).map((m) => frameIndex(VIDEO, m.payload));
    expect(video).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(player.messages.filter((m) => m.typeId === DATA).length).toBe(1);
    expect(server.source('live/meta')!.findOutput(RtmpOutput)!.playerStats(1)!.dropped).toBe(0);
    await publisher.close();
    await player.client.close();
  });

  it('keeps no fan-out log while nobody plays, frees it when the last player leaves, reseeds the next', async () => {
    const server = await startRtmpTestServer({ live: { mwLatencyMs: 0, gopCache: true } });
    servers.push(server);
    const publisher = await RtmpClient.connect(server.url('live/lazy'));
    await publisher.publish();
    const stream = syntheticStream({ frames: 90, gop: 25 });
    const at = (frame: number) => stream.findIndex((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === frame);
    await sendPaced(publisher, stream.slice(0, at(40)), { speed: Infinity });
    const output = server.source('live/lazy')!.findOutput(RtmpOutput)!;
    expect(output.stats().messages).toBe(0);

    const firstPlayer = await startPlayer(server.url('live/lazy'));
    await firstPlayer.until(() => firstPlayer.messages.some((m) => frameIndex(VIDEO, m.payload) === 39), 5000, 'frame 39');
    expect(output.stats().messages).toBeGreaterThan(0);
    await firstPlayer.client.close();
    await waitFor(() => output.playerCount === 0);
    expect(output.stats().messages).toBe(0);
    const sentBefore = output.stats().bytesSent;
    expect(sentBefore).toBeGreaterThan(0);

    await sendPaced(publisher, stream.slice(at(40), at(60)), { speed: Infinity });
    const secondPlayer = await startPlayer(server.url('live/lazy'));
    await sendPaced(publisher, stream.slice(at(60)), { speed: Infinity });
    await secondPlayer.until(() => secondPlayer.messages.some((m) => frameIndex(VIDEO, m.payload) === 89), 5000, 'frame 89');
    const video = secondPlayer.messages.filter((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) >= 0);
    expect(frameIndex(VIDEO, video[0]!.payload)).toBe(50);
    expect(isKeyframePayload(video[0]!.payload)).toBe(true);
    expect(video.map((m) => frameIndex(VIDEO, m.payload))).toEqual(Array.from({ length: 40 }, (_, i) => 50 + i));
    expect(output.stats().bytesSent).toBeGreaterThan(sentBefore);
    await publisher.close();
    await secondPlayer.client.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
