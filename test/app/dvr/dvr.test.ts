import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDvrFactory, DvrService, type DvrFactory } from '../../../src/app/dvr/dvr-service.js';
import type { DvrFileInfo } from '../../../src/app/dvr/dvr-output.js';
import { decodeAll } from '../../../src/protocol/amf/amf0.js';
import { amfProperties } from '../../../src/protocol/amf/amf-types.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { makeFlv, publishWithFfmpeg, requireFfmpeg } from '../../helpers/media.js';
import { probe, startTestServer, waitFor, type TestServer } from './harness.js';

function listFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...listFiles(path)] : [...out, path];
  }
  return out.sort();
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

function config(dir: string): string {
  return `
listen 1935;
vhost flv.test { dvr { enabled on; dvr_path ${dir}/flv/[vhost]/[app]/[stream].[timestamp].flv; dvr_plan session; } }
vhost mp4.test { dvr { enabled on; dvr_path ${dir}/mp4/[app]/[stream]-[2006][01][02]-[15][04][05][999].mp4; dvr_plan session; } }
vhost seg.test { dvr { enabled on; dvr_path ${dir}/seg/[stream].[timestamp].flv; dvr_plan segment; dvr_duration 1; dvr_wait_keyframe on; } }
vhost segmp4.test { dvr { enabled on; dvr_path ${dir}/segmp4/[stream].[timestamp].mp4; dvr_plan segment; dvr_duration 1; } }
vhost apply.test { dvr { enabled on; dvr_apply live/other; dvr_path ${dir}/apply; } }
vhost dir.test { dvr { enabled on; dvr_path ${dir}/dironly; } }
vhost off.test { dvr { enabled off; dvr_path ${dir}/off; } }
`;
}

const videoPackets = (p: Awaited<ReturnType<typeof probe>>) => p.packets.filter((x) => x.codec_type === 'video');

describe('DVR of live streams published with FFmpeg', () => {
  let dir: string;
  let server: TestServer;
  let dvr: DvrFactory;
  const announced: DvrFileInfo[] = [];

  beforeAll(async () => {
    requireFfmpeg();
    dir = mkdtempSync(join(tmpdir(), 'tsrs-dvr-'));
    server = await startTestServer(config(dir));
    dvr = createDvrFactory(server.config, (info) => announced.push(info), { clients: server.ctx.clients });
    server.sources.addOutputFactory(dvr);
  });
  afterAll(async () => {
    await server?.close();
    await dvr?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session (FLV and MP4), segment (FLV and MP4), dvr_apply and a directory dvr_path, all at once', async () => {
    const flv = makeFlv(4, 25);
    const streams = ['flv.test', 'mp4.test', 'seg.test', 'segmp4.test', 'apply.test', 'dir.test', 'off.test'];
    const publishers = streams.map((vhost) => publishWithFfmpeg(flv, server.url(`live?vhost=${vhost}/s1`)));

    // While recording: temp names only.
    const recording = await waitFor('temp files of both sessions', () => {
      const files = listFiles(dir);
      return files.some((f) => f.includes('/flv/') && f.endsWith('.flv.tmp')) && files.some((f) => f.includes('/mp4/') && f.endsWith('.mp4.tmp')) && files;
    });
    expect(recording.filter((f) => f.includes('/flv/') || f.includes('/mp4/')).every((f) => f.endsWith('.tmp'))).toBe(true);

    await Promise.all(publishers.map(exited));
    // Sessions: 1 + 1 + 1 (dir); segments: several each.
    await waitFor('on_dvr of every file', () => announced.length >= 3 + 2 * 3 && listFiles(dir).every((f) => !f.endsWith('.tmp')), 15_000);
    await dvr.idle();
    const files = listFiles(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.includes('/apply') || f.includes('/off'))).toEqual([]);

    // on_dvr named every file on disk, once, with the stream and the publisher.
    expect(announced.map((a) => a.file).sort()).toEqual(files);
    for (const info of announced) {
      expect(info).toMatchObject({ app: 'live', stream: 's1', cwd: process.cwd() });
      expect(info.client?.request?.tcUrl).toContain(`vhost=${info.vhost}`);
      expect(info.size).toBe(statSync(info.file).size);
    }

    const session = files.find((f) => f.includes('/flv/flv.test/live/s1.'))!;
    expect(session).toMatch(/\/s1\.\d{13}\.flv$/);
    const flvProbe = await probe(session);
    expect(flvProbe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(flvProbe.format.duration)).toBeGreaterThan(3.6);
    expect(Number(flvProbe.format.duration)).toBeLessThan(4.4);
    expect(videoPackets(flvProbe)[0]!.flags).toMatch(/^K/);
    expect(videoPackets(flvProbe)).toHaveLength(100);
    // onMetaData carries the real duration and size, patched at close.
    const [meta] = new FlvReader().feed(readFileSync(session));
    const props = amfProperties(decodeAll(meta!.data)[1]!)!;
    expect(props.duration as number).toBeGreaterThan(3.6);
    expect(props.filesize).toBe(statSync(session).size);
    expect(props.width).toBe(320); // the publisher's own fields are kept

    const mp4 = files.find((f) => f.includes('/mp4/live/'))!;
    expect(mp4).toMatch(/s1-\d{8}-\d{9}\.mp4$/);
    const mp4Probe = await probe(mp4);
    expect(mp4Probe.format.format_name).toContain('mp4');
    expect(mp4Probe.streams.map((s) => `${s.codec_name}`).sort()).toEqual(['aac', 'h264']);
    expect(mp4Probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 320, height: 240 });
    expect(Number(mp4Probe.format.duration)).toBeGreaterThan(3.6);
    expect(Number(mp4Probe.format.duration)).toBeLessThan(4.4);
    expect(videoPackets(mp4Probe)).toHaveLength(100);

    for (const kind of ['seg', 'segmp4']) {
      const segments = files.filter((f) => f.includes(`/${kind}/`));
      expect(segments.length, kind).toBeGreaterThanOrEqual(3);
      let frames = 0;
      for (const [i, segment] of segments.entries()) {
        const p = await probe(segment);
        const video = videoPackets(p);
        frames += video.length;
        expect(video[0]!.flags, `${segment} starts with a keyframe`).toMatch(/^K/);
        expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
        // Every segment but the last holds at least dvr_duration (cut at the next keyframe).
        if (i < segments.length - 1) expect(Number(p.format.duration)).toBeGreaterThan(0.9);
      }
      // Nothing lost between segments.
      expect(frames, kind).toBe(100);
    }

    expect(files.filter((f) => f.includes('/dironly/'))).toHaveLength(1);
    expect(files.find((f) => f.includes('/dironly/'))).toMatch(/\/dironly\/s1\.\d{13}\.flv$/);
  });

  it('server quit completes the file being recorded', async () => {
    const before = announced.length;
    const publisher = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=mp4.test/quit'), true);
    try {
      await waitFor('recording', () => listFiles(dir).some((f) => f.includes('/quit-') && f.endsWith('.tmp')));
      await new Promise((r) => setTimeout(r, 1500));
      await dvr.closeAll();
      expect(announced.length).toBe(before + 1);
      const file = announced[before]!.file;
      expect(listFiles(dir).filter((f) => f.includes('/quit-'))).toEqual([file]);
      const p = await probe(file);
      expect(Number(p.format.duration)).toBeGreaterThan(1);
      expect(videoPackets(p)[0]!.flags).toMatch(/^K/);
    } finally {
      publisher.kill('SIGKILL');
      await exited(publisher);
    }
  });
});

describe('DvrService', () => {
  it('a reload that disables dvr completes the recording at once; close() finishes the rest', async () => {
    requireFfmpeg();
    const dir = mkdtempSync(join(tmpdir(), 'tsrs-dvr-reload-'));
    const text = (enabled: string) => `vhost r.test { dvr { enabled ${enabled}; dvr_path ${dir}/[stream].[timestamp].flv; } }`;
    const server = await startTestServer(text('on'));
    const announced: DvrFileInfo[] = [];
    const service = new DvrService(server.sources, server.config, (info) => announced.push(info));
    const publisher = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=r.test/s'), true);
    try {
      await waitFor('recording', () => listFiles(dir).some((f) => f.endsWith('.tmp')));
      await new Promise((r) => setTimeout(r, 1000));
      const diff = server.setConfig(text('off'));
      await service.reload(server.config(), diff);
      await service.factory.idle();
      expect(announced).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 500));
      expect(listFiles(dir)).toEqual([announced[0]!.file]);
      const p = await probe(announced[0]!.file);
      expect(Number(p.format.duration)).toBeGreaterThan(0.5);
      await service.close();
      expect(announced).toHaveLength(1);
    } finally {
      publisher.kill('SIGKILL');
      await exited(publisher);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
