import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { DATA, frameIndex, isKeyframePayload, isSequenceHeaderPayload, syntheticStream, VIDEO, type SyntheticMessage } from '../../helpers/rtmp-media.js';
import { startPlayer, type RecordingPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

const PLAYERS = 200;

/** Where a received A/V message sits in the published list (type + carried index). */
function keyOf(typeId: number, payload: Buffer): string {
  return isSequenceHeaderPayload(typeId, payload) ? `${typeId}:seq` : `${typeId}:${frameIndex(typeId, payload)}`;
}

describe(`${PLAYERS} RTMP players on one stream`, () => {
  let server: RtmpTestServer;
  let logs: LogCapture;
  beforeAll(async () => {
    logs = captureLogs();
    server = await startRtmpTestServer({ live: { mwLatencyMs: 100 } });
  });
  afterAll(async () => {
    await server.close();
    logs.stop();
  });

  it('every player gets metadata, sequence headers, then every message from a keyframe on', async () => {
    const stream = syntheticStream({ frames: 250, gop: 25, videoSize: 1500, audioSize: 200 });
    const publisher = await RtmpClient.connect(server.url('live/many'));
    await publisher.publish();
    publisher.sendMetadata({ width: 320, height: 240 });

    // Real time while players join (they land in different GOPs), then 8x.
    let next = 0;
    let speed = 1;
    let joined = false;
    const pump = (async () => {
      const wall0 = performance.now();
      let media0 = 0;
      while (next < stream.length) {
        const m = stream[next]!;
        const due = wall0 + (m.timestamp - media0) / speed;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        if (!publisher.sendMessage(m.typeId, m.timestamp, m.payload)) await publisher.drained();
        next++;
        if (joined && speed === 1) {
          speed = 8;
          media0 = m.timestamp - (performance.now() - wall0) * speed; // re-anchor at the new pace
        }
      }
    })();

    const players: RecordingPlayer[] = [];
    const startedAt: number[] = [];
    for (let i = 0; i < PLAYERS; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, PLAYERS - i) }, async () => {
        const player = await startPlayer(server.url('live/many'), { keepPayloads: false });
        return { player, playing: next };
      }));
      for (const { player, playing } of batch) {
        players.push(player);
        startedAt.push(playing);
      }
    }
    joined = true;
    await pump;
    const last = stream[stream.length - 1]!;
    const lastKey = `${last.typeId}:${frameIndex(last.typeId, last.payload)}`;
    const gotLast = (p: RecordingPlayer) => {
      const m = p.messages[p.messages.length - 1];
      return m !== undefined && keyOf(m.typeId, m.payload) === lastKey;
    };
    await Promise.all(players.map((p) => p.until(() => gotLast(p), 15_000, 'the last message')));

    const position = new Map<string, number>(stream.map((m: SyntheticMessage, i) => [keyOf(m.typeId, m.payload), i]));
    for (const [n, player] of players.entries()) {
      const got = player.messages;
      expect(got[0]!.typeId, `player ${n} starts with metadata`).toBe(DATA);
      expect(isSequenceHeaderPayload(got[1]!.typeId, got[1]!.payload) && isSequenceHeaderPayload(got[2]!.typeId, got[2]!.payload), `player ${n} sequence headers`).toBe(true);
      const frames = got.slice(3);
      expect(frames[0]!.typeId, `player ${n} first frame is video`).toBe(VIDEO);
      expect(isKeyframePayload(frames[0]!.payload), `player ${n} first frame is a keyframe`).toBe(true);
      const start = position.get(keyOf(frames[0]!.typeId, frames[0]!.payload))!;
      // A player starts at the GOP that was current when its play was answered, never later.
      expect(start, `player ${n} start`).toBeLessThanOrEqual(startedAt[n]!);
      const expected = stream.slice(start).map((m) => keyOf(m.typeId, m.payload));
      const received = frames.map((m) => keyOf(m.typeId, m.payload));
      expect(received.length, `player ${n} count`).toBe(expected.length);
      expect(received, `player ${n} order`).toEqual(expected);
      const video = stream.slice(start).filter((m) => m.typeId === VIDEO).length;
      expect(frames.filter((m) => m.typeId === VIDEO).length).toBe(video);
    }
    await publisher.close();
    await Promise.all(players.map((p) => p.client.close()));
  });
});
