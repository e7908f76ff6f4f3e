import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeFlv, probePackets, publishWithFfmpeg } from '../../helpers/media.js';
import { startRtmpServer, type TestRtmpServer } from '../../helpers/live-server.js';

describe('RTMP with FFmpeg', () => {
  let server: TestRtmpServer;
  let file: string;

  beforeAll(async () => {
    file = makeFlv(8, 25);
    server = await startRtmpServer({ mwLatencyMs: 100 });
  });
  afterAll(() => server.close());

  it('plays back what FFmpeg publishes, H.264 + AAC, monotonic, starting on a keyframe', async () => {
    const publisher = publishWithFfmpeg(file, server.url('live/s1'), true);
    try {
      await sleep(1500);
      const probe = await probePackets(server.url('live/s1'), 3);
      expect(probe.stderr).toBe('');
      const codecs = probe.streams.map((s) => s.codec_name).sort();
      expect(codecs).toEqual(['aac', 'h264']);
      const video = probe.packets.filter((p) => p.codec_type === 'video');
      const audio = probe.packets.filter((p) => p.codec_type === 'audio');
      expect(video.length).toBeGreaterThan(40);
      expect(audio.length).toBeGreaterThan(60);
      expect(video[0]!.flags).toMatch(/^K/);
      const dts = video.map((p) => Number(p.dts_time));
      for (let i = 1; i < dts.length; i++) expect(dts[i]).toBeGreaterThan(dts[i - 1]!);
    } finally {
      publisher.kill('SIGKILL');
      await once(publisher, 'close');
    }
  });
});
