import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { makeFlv, probePackets, publishWithFfmpeg } from '../helpers/media.js';
import { freePort, startServer, tempDir, writeConf, type RunningServer } from '../helpers/process.js';

// The server as users run it: the tsrs binary with an SRS config, FFmpeg publishing over
// RTMP, and RTMP, HTTP-FLV and HLS players reading it back.
describe('tsrs end to end', () => {
  let server: RunningServer;
  let publisher: ChildProcess;
  let rtmpPort: number;
  let httpPort: number;

  beforeAll(async () => {
    const dir = tempDir();
    [rtmpPort, httpPort] = [await freePort(), await freePort()];
    const conf = writeConf(dir, 'srs.conf', `
listen ${rtmpPort};
daemon off;
srs_log_tank console;
pid ./tsrs.pid;
grace_final_wait 200;
http_server {
    enabled on;
    listen ${httpPort};
    dir ./html;
}
vhost __defaultVhost__ {
    hls {
        enabled on;
        hls_fragment 1;
        hls_window 10;
        hls_path ./html;
    }
    http_remux {
        enabled on;
        mount [vhost]/[app]/[stream].flv;
    }
    play {
        mw_latency 100;
    }
}
`);
    server = startServer(conf, dir);
    await server.waitFor(/ready/);
    publisher = publishWithFfmpeg(makeFlv(8, 25), `rtmp://127.0.0.1:${rtmpPort}/live/e2e`, true);
    await server.waitFor(/rtmp publish \/live\/e2e/);
  });

  afterAll(async () => {
    publisher?.kill('SIGKILL');
    if (publisher) await once(publisher, 'close');
    server?.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
  });

  it('plays RTMP and HTTP-FLV starting on a keyframe', async () => {
    await sleep(1000);
    for (const url of [`rtmp://127.0.0.1:${rtmpPort}/live/e2e`, `http://127.0.0.1:${httpPort}/live/e2e.flv`]) {
      const probe = await probePackets(url, 2);
      expect(probe.stderr, url).toBe('');
      const video = probe.packets.filter((p) => p.codec_type === 'video');
      expect(video.length, url).toBeGreaterThan(20);
      expect(video[0]!.flags, url).toMatch(/^K/);
    }
  });

  it('serves HLS: a live playlist whose segments decode', async () => {
    const m3u8Url = `http://127.0.0.1:${httpPort}/live/e2e.m3u8`;
    let playlist = '';
    for (let i = 0; i < 50 && (playlist.match(/#EXTINF/g) ?? []).length < 2; i++) {
      const res = await fetch(m3u8Url);
      playlist = res.ok ? await res.text() : '';
      if (!res.ok || (playlist.match(/#EXTINF/g) ?? []).length < 2) await sleep(200);
    }
    expect(playlist).toContain('#EXTM3U');
    const segment = playlist.split('\n').find((line) => line.endsWith('.ts'))!;
    const res = await fetch(new URL(segment, m3u8Url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/video\/mp2t/i);
    const probe = await probePackets(new URL(segment, m3u8Url).toString(), 5);
    expect(probe.stderr).toBe('');
    expect(probe.packets.find((p) => p.codec_type === 'video')?.flags).toMatch(/^K/);
  });
});
