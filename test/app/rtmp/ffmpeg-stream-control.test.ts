import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { makeFlv, publishWithFfmpeg } from '../../helpers/media.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { AUDIO, VIDEO } from '../../helpers/rtmp-media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

async function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'close');
}

describe('RTMP publish control with FFmpeg', () => {
  let server: RtmpTestServer;
  let logs: LogCapture;
  let file: string;
  const children: ChildProcess[] = [];
  const ffmpeg = (path: string) => {
    const child = publishWithFfmpeg(file, server.url(path), true);
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    logs = captureLogs();
    file = makeFlv(8, 25);
    server = await startRtmpTestServer({ live: { mwLatencyMs: 100 } });
  });
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await server.close();
    logs.stop();
  });

  it('publishes with a stream key carrying params (live/s?token=abc&x=1)', async () => {
    const publisher = ffmpeg('live/s?token=abc&x=1');
    await until(() => server.source('live/s')?.isPublishing === true, 8000, 'the publish');
    await logs.waitFor(/rtmp publish \/live\/s param=\?token=abc&x=1 as fmle-publish/);
    const player = await startPlayer(server.url('live/s?token=other'));
    await player.until(() => player.video > 10 && player.audio > 10, 8000, 'media');
    await player.client.close();
    await stop(publisher);
  });

  it('rejects a second publisher (FFmpeg and RtmpClient) while the first keeps going', async () => {
    const first = ffmpeg('live/busy');
    await until(() => server.source('live/busy')?.isPublishing === true, 8000, 'the first publish');
    const owner = server.source('live/busy')!.publisher!.clientId;
    const player = await startPlayer(server.url('live/busy'));
    await player.until(() => player.video > 5, 8000, 'media');

    const second = publishWithFfmpeg(file, server.url('live/busy'));
    children.push(second);
    let stderr = '';
    second.stderr!.on('data', (d) => (stderr += d));
    const [code] = await once(second, 'close');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/NetStream\.Publish\.BadName|already published|error/i);

    const client = await RtmpClient.connect(server.url('live/busy'));
    await expect(client.publish()).rejects.toMatchObject({ codeName: 'RtmpStreamBusy' });
    expect(client.closed).toBe(true);

    expect(server.source('live/busy')!.publisher!.clientId).toBe(owner);
    const seen = player.video;
    await player.until(() => player.video > seen + 10, 8000, 'media after the rejections');
    expect(player.client.closed).toBe(false);
    await player.client.close();
    await stop(first);
  });

  it('tells waiting players UnpublishNotify, and a republish resumes them without time going back', async () => {
    const first = ffmpeg('live/re');
    await until(() => server.source('live/re')?.isPublishing === true, 8000, 'the first publish');
    const player = await startPlayer(server.url('live/re'), { keepPayloads: false });
    await player.until(() => player.video > 10, 8000, 'media');
    await stop(first);
    await player.until(() => player.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'), 5000, 'UnpublishNotify');
    const before = player.messages.length;

    const second = ffmpeg('live/re');
    await player.until(() => player.video > 0 && player.messages.slice(before).filter((m) => m.typeId === VIDEO).length > 10, 8000, 'media after the republish');
    await stop(second);

    const av = (from: number, to: number, type: number) => player.messages.slice(from, to).filter((m) => m.typeId === type).map((m) => m.timestamp);
    for (const type of [VIDEO, AUDIO]) {
      const all = av(0, player.messages.length, type);
      for (let i = 1; i < all.length; i++) expect(all[i], `type ${type} message ${i}`).toBeGreaterThanOrEqual(all[i - 1]!);
    }
    const lastBefore = Math.max(...av(0, before, VIDEO), ...av(0, before, AUDIO));
    const firstAfter = Math.min(...av(before, player.messages.length, VIDEO), ...av(before, player.messages.length, AUDIO));
    expect(firstAfter).toBeGreaterThan(lastBefore);
    expect(player.client.closed).toBe(false);
    await player.client.close();
  });
});
