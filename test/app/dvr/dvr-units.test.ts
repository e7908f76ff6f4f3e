import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { buildDvrMetadata } from '../../../src/app/dvr/flv-metadata.js';
import { dvrApplies, dvrPathTemplate, renderDvrPath } from '../../../src/app/dvr/dvr-path.js';
import { createDvrFactory } from '../../../src/app/dvr/dvr-service.js';
import type { DvrFileInfo } from '../../../src/app/dvr/dvr-output.js';
import { QueuedFile } from '../../../src/app/dvr/queued-file.js';
import { mediaFromFlv } from '../../../src/app/live/media-from-flv.js';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { LiveSource } from '../../../src/app/live/source.js';
import { decodeAll, encodeAmf0 } from '../../../src/protocol/amf/amf0.js';
import { AmfEcmaArray, amfProperties } from '../../../src/protocol/amf/amf-types.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { makeFlv } from '../../helpers/media.js';
import { parseConfig, probe } from './harness.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-dvr-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dvr_path and dvr_apply', () => {
  const names = { vhost: 'v', app: 'live', stream: 's' };
  const t = new Date(2024, 4, 6, 7, 8, 9, 10);

  it('renders SRS variables; a path without .flv/.mp4 is a directory', () => {
    expect(renderDvrPath('./objs/[vhost]/[app]/[stream]/[2006]/[01]/[02]/[15].[04].[05].[999].mp4', names, t)).toBe('./objs/v/live/s/2024/05/06/07.08.09.010.mp4');
    expect(renderDvrPath('/data/[app]/[stream].[timestamp].FLV', names, t)).toBe(`/data/live/s.${t.getTime()}.FLV`);
    expect(dvrPathTemplate('/data/dvr/')).toBe('/data/dvr/[stream].[timestamp].flv');
    expect(dvrPathTemplate('/data/x.mp4')).toBe('/data/x.mp4');
  });

  it('refuses stream names that climb out of the directory', () => {
    for (const stream of ['../x', 'a/../../x', '/etc/passwd', 'a\0b']) {
      expect(() => renderDvrPath('/data/[stream].flv', { ...names, stream }, t)).toThrow(TsrsError);
    }
    expect(() => renderDvrPath('/data/[app].flv', { ...names, app: '..' }, t)).toThrow(TsrsError);
    expect(renderDvrPath('/data/[stream].flv', { ...names, stream: 'a..b' }, t)).toBe('/data/a..b.flv');
  });

  it('applies to all, or to the listed app/stream', () => {
    expect(dvrApplies(['all'], 'live', 's')).toBe(true);
    expect(dvrApplies(['live/a', 'live/s'], 'live', 's')).toBe(true);
    expect(dvrApplies(['live/a'], 'live', 's')).toBe(false);
    expect(dvrApplies([], 'live', 's')).toBe(false);
  });
});

describe('DVR onMetaData', () => {
  it('puts duration and filesize first at the offsets it reports, and keeps the publisher fields', () => {
    const publisher = encodeAmf0('onMetaData', new AmfEcmaArray({ width: 320, duration: 99, encoder: 'x' }));
    for (const payload of [publisher, undefined, Buffer.from([0x02, 0x00]), encodeAmf0('other', 1)]) {
      const meta = buildDvrMetadata(payload);
      meta.body.writeDoubleBE(12.5, meta.durationAt);
      meta.body.writeDoubleBE(4096, meta.filesizeAt);
      const [name, value] = decodeAll(meta.body);
      expect(name).toBe('onMetaData');
      const props = amfProperties(value!)!;
      expect(Object.keys(props).slice(0, 2)).toEqual(['duration', 'filesize']);
      expect(props).toMatchObject({ duration: 12.5, filesize: 4096 });
      expect(props.service).toMatch(/^TSRS\//);
      if (payload === publisher) expect(props).toMatchObject({ width: 320, encoder: 'x' });
    }
  });
});

describe('QueuedFile', () => {
  it('appends in order, patches, and closes', async () => {
    const path = join(dir, 'q', 'a.bin');
    const file = new QueuedFile(path);
    for (let i = 0; i < 1000; i++) file.append(Buffer.from([i & 0xff]));
    file.writeAt(10, Buffer.from([0xee, 0xee]));
    file.append(Buffer.from('end'));
    await file.close();
    const data = readFileSync(path);
    expect(data.length).toBe(1003);
    expect([...data.subarray(8, 13)]).toEqual([8, 9, 0xee, 0xee, 12]);
    expect(data.subarray(1000).toString()).toBe('end');
  });

  it('waits for the previous file before opening, and reports failures on close', async () => {
    const path = join(dir, 'q', 'b.bin');
    let release!: () => void;
    const previous = new Promise<void>((r) => (release = r));
    const file = new QueuedFile(path, previous);
    file.append(Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(dir, 'q'))).not.toContain('b.bin');
    release();
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('x');

    writeFileSync(join(dir, 'not-a-dir'), '');
    const bad = new QueuedFile(join(dir, 'not-a-dir', 'c.bin'));
    bad.append(Buffer.from('x'));
    await expect(bad.close()).rejects.toThrow(TsrsError);

    const slow = new QueuedFile(join(dir, 'q', 'd.bin'), new Promise(() => undefined), 100);
    slow.append(Buffer.alloc(80));
    slow.append(Buffer.alloc(80));
    expect(slow.failed).toBeInstanceOf(TsrsError);
    const outside = new QueuedFile(join(dir, 'q', 'e.bin'));
    outside.append(Buffer.alloc(4));
    outside.writeAt(2, Buffer.alloc(4));
    await expect(outside.close()).rejects.toThrow(/outside/);
  });
});

/** Feeds an FFmpeg-made FLV into a source as fast as it parses (DVR times come from the media). */
function feedFlv(source: LiveSource, file: string, filter: (kind: string) => boolean = () => true): void {
  source.publish({ clientId: 'c1', kick: () => undefined });
  for (const tag of new FlvReader().feed(readFileSync(file))) {
    const packet = mediaFromFlv(tag.type, tag.timestamp, tag.data);
    if (packet && filter(packet.kind)) source.feed(packet);
  }
  source.unpublish(source.publisher!);
}

function tagsOf(file: string) {
  return new FlvReader().feed(readFileSync(file));
}

describe('DvrOutput plans, fed faster than real time', () => {
  async function record(conf: string, stream: string, filter?: (kind: string) => boolean): Promise<DvrFileInfo[]> {
    const config = parseConfig(conf);
    const infos: DvrFileInfo[] = [];
    const factory = createDvrFactory(() => config, (info) => infos.push(info));
    const source = new LiveSource(`v/live/${stream}`, '__defaultVhost__', 'live', stream, DEFAULT_LIVE_OPTIONS);
    factory(source);
    feedFlv(source, makeFlv(4, 25), filter);
    await factory.idle();
    return infos.sort((a, b) => a.file.localeCompare(b.file));
  }

  it('segment plan cuts a pure-audio stream on audio frames', async () => {
    const infos = await record(`vhost __defaultVhost__ { dvr { enabled on; dvr_plan segment; dvr_duration 1; dvr_path ${dir}/audio/[stream]-[timestamp]-[999].flv; } }`, 'a', (k) => k !== 'video');
    expect(infos.length).toBeGreaterThanOrEqual(3);
    for (const info of infos) {
      const tags = tagsOf(info.file);
      expect(tags[0]!.type).toBe(18);
      expect(tags.some((t) => t.type === 9)).toBe(false);
      expect(tags[1]!.data.subarray(0, 2)).toEqual(Buffer.from([0xaf, 0x00])); // AAC config first
      expect(tags[1]!.timestamp).toBe(0);
    }
  });

  it('without dvr_wait_keyframe a segment may start on any frame; time_jitter off keeps source time', async () => {
    const infos = await record(
      `vhost __defaultVhost__ { dvr { enabled on; dvr_plan segment; dvr_duration 0.5; dvr_wait_keyframe off; time_jitter off; dvr_path ${dir}/nokey/[stream]-[timestamp]-[999].flv; } }`,
      'n',
    );
    expect(infos.length).toBeGreaterThanOrEqual(6);
    const second = tagsOf(infos[1]!.file);
    const firstFrame = second.find((t) => t.type === 9 && t.data[1] === 1)!;
    expect(firstFrame.timestamp).toBeGreaterThan(400); // source time kept, not rebased
    const inters = infos.slice(1).filter((info) => {
      const frame = tagsOf(info.file).find((t) => t.type === 9 && t.data[1] === 1)!;
      return frame.data[0]! >> 4 !== 1;
    });
    expect(inters.length).toBeGreaterThan(0);
    // Each file still begins with metadata and both sequence headers.
    for (const info of infos) expect(tagsOf(info.file).slice(0, 3).map((t) => t.type)).toEqual([18, 9, 8]);
  });

  it('an MP4 session of a pure-audio stream has one AAC track of the right length', async () => {
    const [info] = await record(`vhost __defaultVhost__ { dvr { enabled on; dvr_path ${dir}/mp4audio/[stream].mp4; } }`, 'm', (k) => k !== 'video');
    expect(info!.format).toBe('mp4');
    const p = await probe(info!.file);
    expect(p.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(Number(p.format.duration)).toBeGreaterThan(3.8);
    expect(Number(p.format.duration)).toBeLessThan(4.2);
  });

  it('a stream whose vhost has no dvr is left alone', async () => {
    expect(await record(`vhost __defaultVhost__ { }`, 'x')).toEqual([]);
  });
});
