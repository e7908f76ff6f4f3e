import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TimeJitterMode } from '../../../src/app/live/options.js';
import { Uint32Unwrapper } from '../../../src/kernel/jitter.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { makeFlv } from '../../helpers/media.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { AUDIO, flvMessages, frameIndex, sendPaced, syntheticStream, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

const WRAP = 2 ** 32;
const START = WRAP - 5000;

interface ProbePacket {
  codec_type: string;
  dts_time?: string;
}

/** ffprobe reading `count` packets of a live RTMP URL. */
function probe(url: string, count: number): Promise<{ packets: ProbePacket[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ffprobe', ['-v', 'error', '-rw_timeout', '5000000', '-read_intervals', `%+#${count}`, '-show_packets', '-of', 'json', url]);
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', () => {
      clearTimeout(killer);
      let packets: ProbePacket[] = [];
      try {
        packets = (JSON.parse(out || '{}') as { packets?: ProbePacket[] }).packets ?? [];
      } catch {
        // the assertions say what is missing
      }
      resolve({ packets, stderr });
    });
  });
}

describe('RTMP timestamps past 2^32 ms', () => {
  let logs: LogCapture;
  const servers: RtmpTestServer[] = [];
  const serverWith = async (timeJitter: TimeJitterMode) => {
    const server = await startRtmpTestServer({ live: { mwLatencyMs: 50, timeJitter } });
    servers.push(server);
    return server;
  };
  beforeAll(() => {
    logs = captureLogs();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    logs.stop();
  });

  for (const mode of ['off', 'full'] as const) {
    it(`stay continuous across the wrap with time_jitter ${mode}`, async () => {
      const server = await serverWith(mode);
      const stream = syntheticStream({ frames: 250, startTimestamp: START, gop: 25 }); // 10 s, crossing 2^32 at 5 s
      const player = await startPlayer(server.url('live/wrap'));
      const publisher = await RtmpClient.connect(server.url('live/wrap'));
      await publisher.publish();
      await sendPaced(publisher, stream, { speed: 10 });
      const lastIndex = frameIndex(VIDEO, stream.filter((m) => m.typeId === VIDEO).pop()!.payload);
      await player.until(() => player.messages.some((m) => m.typeId === VIDEO && frameIndex(VIDEO, m.payload) === lastIndex), 5000, 'the last frame');

      expect(player.messages.length).toBe(stream.length);
      const raw = player.messages.map((m) => m.timestamp);
      expect(Math.max(...raw)).toBeLessThan(WRAP);
      const unwrapper = new Uint32Unwrapper();
      const unwrapped = raw.map((t) => unwrapper.unwrap(t));
      const base = mode === 'off' ? 0 : START;
      for (let i = 0; i < stream.length; i++) {
        expect(unwrapped[i], `message ${i}`).toBe(stream[i]!.timestamp - base);
        expect(player.messages[i]!.payload.equals(stream[i]!.payload)).toBe(true);
      }
      if (mode === 'off') {
        expect(raw.some((t) => t > WRAP - 1000)).toBe(true);
        expect(raw.some((t) => t < 1000)).toBe(true);
      }
      for (const type of [VIDEO, AUDIO]) {
        const times = unwrapped.filter((_, i) => player.messages[i]!.typeId === type);
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
      }
      await publisher.close();
      await player.client.close();
    });
  }

  it('FFmpeg (ffprobe) plays across the wrap with time_jitter off', async () => {
    const server = await serverWith('off');
    // 3.5 s of real media from 1.5 s before the wrap.
    const messages = flvMessages(readFileSync(makeFlv(8, 25)), WRAP - 1500).filter((m) => m.timestamp < WRAP + 2000);
    const publisher = await RtmpClient.connect(server.url('live/probe'));
    await publisher.publish();
    const pumping = sendPaced(publisher, messages, { speed: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const result = await probe(server.url('live/probe'), 200);
    await pumping;
    await publisher.close();

    expect(result.stderr).toBe('');
    const video = result.packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    expect(video.length).toBeGreaterThan(50);
    // FFmpeg unwraps 32-bit FLV time around its first packet: the wrap point shows as 0,
    // what came before it as negative. Continuous means 40 ms steps straight through it.
    expect(Math.min(...video)).toBeLessThan(-0.5);
    expect(Math.max(...video)).toBeGreaterThan(0.5);
    for (let i = 1; i < video.length; i++) {
      expect(video[i]! - video[i - 1]!, `video packet ${i}`).toBeGreaterThan(0);
      expect(video[i]! - video[i - 1]!, `video packet ${i}`).toBeLessThan(0.2);
    }
  });
});
