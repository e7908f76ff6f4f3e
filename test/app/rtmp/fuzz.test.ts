import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { frameIndex, sendPaced, syntheticStream, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { closedWithin, openSocket } from '../../helpers/rtmp-raw.js';
import { startRecorder } from '../../helpers/rtmp-recorder.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

const ITERATIONS = Number(process.env.RTMP_FUZZ_ITERATIONS ?? 300);
const PARALLEL = 10;
const HANDSHAKE_BYTES = 1 + 1536 + 1536;

/** xorshift32: a reproducible stream of numbers from a seed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n: number) => next() % Math.max(1, n),
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => next() & 0xff)),
  };
}

type Rng = ReturnType<typeof prng>;

/** One mutation of a valid session; most keep the handshake so the chunk and command layers get exercised. */
function mutate(valid: Buffer, rng: Rng): { bytes: Buffer; how: string } {
  const body = (at: number) => HANDSHAKE_BYTES + (at % Math.max(1, valid.length - HANDSHAKE_BYTES));
  const out = Buffer.from(valid);
  switch (rng.int(7)) {
    case 0: {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) {
        const at = body(rng.int(valid.length));
        out[at] = out[at]! ^ (1 << rng.int(8));
      }
      return { bytes: out, how: `${flips} bit flips` };
    }
    case 1: {
      const at = body(rng.int(valid.length));
      const noise = rng.bytes(1 + rng.int(64));
      noise.copy(out, at);
      return { bytes: out, how: `${noise.length} random bytes at ${at}` };
    }
    case 2: {
      const at = rng.int(valid.length);
      return { bytes: out.subarray(0, at), how: `truncated at ${at}` };
    }
    case 3: {
      const at = body(rng.int(valid.length));
      const noise = rng.bytes(1 + rng.int(32));
      return { bytes: Buffer.concat([out.subarray(0, at), noise, out.subarray(at)]), how: `${noise.length} bytes inserted at ${at}` };
    }
    case 4: {
      const from = body(rng.int(valid.length));
      const len = 1 + rng.int(400);
      const at = body(rng.int(valid.length));
      return { bytes: Buffer.concat([out.subarray(0, at), out.subarray(from, from + len), out.subarray(at)]), how: `slice ${from}+${len} duplicated at ${at}` };
    }
    case 5: {
      const at = body(rng.int(valid.length));
      const len = 1 + rng.int(200);
      return { bytes: Buffer.concat([out.subarray(0, at), out.subarray(at + len)]), how: `${len} bytes cut at ${at}` };
    }
    default: {
      const junk = rng.bytes(1 + rng.int(8000));
      if (rng.int(2) === 0) junk[0] = 3;
      const keep = rng.int(2) === 0;
      return { bytes: keep ? Buffer.concat([out.subarray(0, HANDSHAKE_BYTES), junk]) : junk, how: keep ? 'handshake then junk' : 'junk' };
    }
  }
}

/** Sends the bytes, half-closes, and waits for the server to close (true) within the timeout. */
async function replay(port: number, bytes: Buffer): Promise<boolean> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined);
  socket.resume();
  socket.end(bytes);
  const closed = await closedWithin(socket, 3000);
  socket.destroy();
  return closed;
}

describe('RTMP fuzzing with mutated publish sessions', () => {
  let server: RtmpTestServer;
  let logs: LogCapture;
  let valid: Buffer;

  beforeAll(async () => {
    logs = captureLogs();
    server = await startRtmpTestServer({ live: { mwLatencyMs: 0 }, idleGraceMs: 100, sweepIntervalMs: 50 });
    const recorder = await startRecorder(server.port);
    const client = await RtmpClient.connect(`rtmp://127.0.0.1:${recorder.port}/live/fuzz?token=1`);
    await client.publish();
    client.sendMetadata({ width: 320, height: 240, encoder: 'fuzz' });
    await sendPaced(client, syntheticStream({ frames: 12, gop: 5, videoSize: 300 }), { speed: Infinity });
    await client.close();
    await recorder.close();
    valid = Buffer.concat(recorder.sessions[0]!);
  });
  afterAll(async () => {
    await server.close();
    logs.stop();
  });

  it('the recorded session replays as a valid publish', async () => {
    expect(valid.length).toBeGreaterThan(HANDSHAKE_BYTES + 3000);
    const published = logs.lines.filter((l) => /rtmp publish \/live\/fuzz/.test(l)).length;
    expect(await replay(server.port, valid)).toBe(true);
    await logs.waitFor(new RegExp(`rtmp publish /live/fuzz(.|\\n)*`), 2000);
    expect(logs.lines.filter((l) => /rtmp publish \/live\/fuzz/.test(l)).length).toBe(published + 1);
  });

  it(`survives ${ITERATIONS} mutated sessions, each closed, then serves a normal publish and play`, async () => {
    const seed = Number(process.env.RTMP_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const rng = prng(seed);
    const cases = Array.from({ length: ITERATIONS }, () => mutate(valid, rng));
    const stuck: string[] = [];
    for (let i = 0; i < cases.length; i += PARALLEL) {
      const batch = cases.slice(i, i + PARALLEL);
      const results = await Promise.all(batch.map((c) => replay(server.port, c.bytes)));
      results.forEach((closed, k) => {
        if (!closed) stuck.push(`#${i + k}: ${batch[k]!.how}`);
      });
    }
    expect(stuck, `seed ${seed}: connections the server did not close`).toEqual([]);

    // Every session is gone and the server still works.
    const deadline = Date.now() + 3000;
    while (server.ctx.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.ctx.clients.size, `seed ${seed}`).toBe(0);
    const player = await startPlayer(server.url('live/health'));
    const publisher = await RtmpClient.connect(server.url('live/health'));
    await publisher.publish();
    await sendPaced(publisher, syntheticStream({ frames: 10 }), { speed: Infinity });
    await player.until(() => player.messages.some((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === 9), 3000, 'health check frames');
    await publisher.close();
    await player.client.close();
    const swept = Date.now() + 2000;
    while (server.sources.size > 0 && Date.now() < swept) await new Promise((r) => setTimeout(r, 20));
    expect(server.sources.size).toBe(0);
  });
});
