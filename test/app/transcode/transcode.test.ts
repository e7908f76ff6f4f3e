import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcodeArgs } from '../../../src/app/ffmpeg/engine-args.js';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { LiveSource } from '../../../src/app/live/source.js';
import { createTranscodeFactory, transcodeScopes, type TranscodeFactory } from '../../../src/app/transcode/transcode-output.js';
import { makeFlv, publishWithFfmpeg, requireFfmpeg } from '../../helpers/media.js';
import { alive, childrenOf, parseConfig, probe, startTestServer, waitFor, type TestServer } from '../dvr/harness.js';

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

const ENGINE_SD = `
    engine sd {
      enabled on;
      vfilter { vf hflip; }
      vcodec libx264; vbitrate 150; vfps 25; vwidth 160; vheight 120; vthreads 1; vprofile baseline; vpreset ultrafast;
      vparams { g 25; bf 0; }
      acodec aac; abitrate 32; asample_rate 22050; achannels 1;
      aparams { strict -2; }
      output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];
    }`;

describe('transcode engine arguments', () => {
  it('are built as SRS builds them; copy, vn and an drop the codec options', () => {
    const config = parseConfig(`vhost v { transcode live { enabled on; ${ENGINE_SD}
      engine cp { enabled on; vcodec copy; vbitrate 100; acodec an; output rtmp://h/live/[stream]_cp; }
      engine audio { enabled on; vcodec vn; acodec libmp3lame; abitrate 64; output rtmp://h/live/[stream]_a; } } }`);
    const [sd, cp, audio] = config.vhosts[0]!.transcodes[0]!.engines;
    expect(transcodeArgs(sd!, { input: 'IN', output: 'OUT', logLevel: 'info' })).toEqual([
      '-loglevel', 'info', '-f', 'flv', '-i', 'IN', '-vf', 'hflip',
      '-vcodec', 'libx264', '-b:v', '150000', '-r', '25', '-s', '160x120', '-aspect', '160:120', '-threads', '1',
      '-profile:v', 'baseline', '-preset', 'ultrafast', '-g', '25', '-bf', '0',
      '-acodec', 'aac', '-b:a', '32000', '-ar', '22050', '-ac', '1', '-strict', '-2',
      '-f', 'flv', '-y', 'OUT',
    ]);
    expect(transcodeArgs(cp!, { input: 'IN', output: 'OUT' })).toEqual(['-f', 'flv', '-i', 'IN', '-vcodec', 'copy', '-an', '-f', 'flv', '-y', 'OUT']);
    expect(transcodeArgs(audio!, { input: 'IN', output: 'OUT', inputFormat: 'off' })).toEqual(['-i', 'IN', '-vn', '-acodec', 'libmp3lame', '-b:a', '64000', '-f', 'flv', '-y', 'OUT']);
  });

  it('scopes: vhost-wide, then app, then app/stream; disabled blocks skipped', () => {
    const config = parseConfig(`vhost v {
      transcode { enabled on; } transcode live { enabled on; } transcode live/s { enabled on; }
      transcode other { enabled on; } transcode live/t { enabled on; } }`);
    const blocks = config.vhosts[0]!.transcodes;
    expect(transcodeScopes(blocks, 'live', 's').map((t) => t.name)).toEqual(['', 'live', 'live/s']);
    const off = parseConfig(`vhost v { transcode live { enabled off; } }`).vhosts[0]!.transcodes;
    expect(transcodeScopes(off, 'live', 's')).toEqual([]);
  });
});

describe('transcode outputs without a real FFmpeg', () => {
  it('skip their own outputs, and restart an engine a reload changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsrs-transcode-fake-'));
    const fake = join(dir, 'ffmpeg');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(fake, 0o755);
    const text = (stream: string) => `ff_log_dir /dev/null; vhost __defaultVhost__ { transcode live { enabled on; ffmpeg ${fake};
      engine a { enabled on; vcodec copy; acodec copy; output rtmp://127.0.0.1:[port]/live/${stream}; } } }`;
    let config = parseConfig(text('[stream]_a'));
    const factory = createTranscodeFactory(() => config, { rtmpPort: () => 1935 });
    const publisher = { clientId: 'c', kick: () => undefined };
    const source = new LiveSource('k', '__defaultVhost__', 'live', 's', DEFAULT_LIVE_OPTIONS);
    factory(source);
    source.publish(publisher);
    try {
      const [output] = factory.outputs;
      expect(output!.processes).toHaveLength(1);
      expect(output!.processes[0]!.spec.args).toContain('rtmp://127.0.0.1:1935/live/s_a');
      const first = await waitFor('pid', () => output!.processes[0]!.pid);

      // The engine's output stream is published: it is not transcoded (no s_a_a).
      const out = new LiveSource('k2', '__defaultVhost__', 'live', 's_a', DEFAULT_LIVE_OPTIONS);
      factory(out);
      out.publish(publisher);
      expect([...factory.outputs].flatMap((o) => o.processes)).toHaveLength(1);

      factory.reconfigureAll();
      expect(output!.processes[0]!.pid).toBe(first);
      config = parseConfig(text('[stream]_b'));
      factory.reconfigureAll();
      const second = await waitFor('new pid', () => output!.processes[0]?.pid);
      expect(second).not.toBe(first);
      await factory.idle();
      expect(alive(first)).toBe(false);
      // After the change, s_a is no longer an output: the old name is free again.
      out.unpublish(publisher);
      out.publish(publisher);
      expect([...factory.outputs].flatMap((o) => o.processes)).toHaveLength(2);
    } finally {
      await factory.closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('transcode of a live stream with FFmpeg', () => {
  let dir: string;
  let server: TestServer;
  let transcode: TranscodeFactory;
  const publishers: ChildProcess[] = [];

  beforeAll(async () => {
    requireFfmpeg();
    dir = mkdtempSync(join(tmpdir(), 'tsrs-transcode-'));
    server = await startTestServer(`
ff_log_dir ${dir}/logs;
vhost t.test {
  transcode live {
    enabled on;
    ffmpeg ffmpeg;
    ${ENGINE_SD}
    engine hidden { enabled off; output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]; }
  }
  transcode elsewhere { enabled on; ffmpeg ffmpeg; engine x { enabled on; output rtmp://127.0.0.1:[port]/[app]/[stream]_x; } }
}
`);
    transcode = createTranscodeFactory(server.config, { rtmpPort: () => server.port, clients: server.ctx.clients });
    server.sources.addOutputFactory(transcode);
  });
  afterAll(async () => {
    for (const p of publishers) p.kill('SIGKILL');
    await Promise.all(publishers.map(exited));
    await transcode?.closeAll();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const running = () => [...transcode.outputs].flatMap((o) => o.processes);

  it('publishes [stream]_[engine] at the requested size and codecs, never transcodes its own output, and stops at unpublish', async () => {
    const publisher = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=t.test/s'), true);
    publishers.push(publisher);
    await waitFor('s_sd published', () => server.source('t.test', 'live', 's_sd')?.isPublishing, 20_000);
    const p = await probe(server.url('live?vhost=t.test/s_sd'), 1.5);
    const video = p.streams.find((s) => s.codec_type === 'video');
    const audio = p.streams.find((s) => s.codec_type === 'audio') as Record<string, unknown> | undefined;
    expect(video).toMatchObject({ codec_name: 'h264', width: 160, height: 120, profile: 'Constrained Baseline' });
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '22050', channels: 1 });

    // One engine ran: the disabled one did not, and s_sd itself was not transcoded.
    expect(running()).toHaveLength(1);
    expect(server.source('t.test', 'live', 's_sd_sd')).toBeUndefined();
    expect(readdirSync(join(dir, 'logs'))).toEqual(['ffmpeg-encoder-t.test-live-s-sd.log']);
    expect(readFileSync(join(dir, 'logs', 'ffmpeg-encoder-t.test-live-s-sd.log'), 'utf8')).toContain('libx264');

    const pid = running()[0]!.pid!;
    publisher.kill('SIGKILL');
    await exited(publisher);
    await waitFor('transcoder stopped', () => !alive(pid));
    expect(running()).toHaveLength(0);
    await waitFor('s_sd unpublished', () => !server.source('t.test', 'live', 's_sd')?.isPublishing);
  });

  it('closing the server leaves no FFmpeg child behind', async () => {
    const publisher = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=t.test/again'), true);
    publishers.push(publisher);
    await waitFor('again_sd published', () => server.source('t.test', 'live', 'again_sd')?.isPublishing, 20_000);
    const pid = running()[0]!.pid!;
    expect(childrenOf(process.pid, 'ffmpeg')).toContain(pid);
    await transcode.closeAll();
    await server.close();
    const mine = new Set(publishers.map((c) => c.pid));
    expect(childrenOf(process.pid, 'ffmpeg').filter((c) => !mine.has(c))).toEqual([]);
    expect(alive(pid)).toBe(false);
  });
});
