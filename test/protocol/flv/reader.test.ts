import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { avcHasIdr, avcVideoInfo, parseAvcDecoderConfigurationRecord } from '../../../src/kernel/codec/avc.js';
import { aacAudioInfo, parseAudioSpecificConfig } from '../../../src/kernel/codec/aac.js';
import { parseAudioTag, audioTagData } from '../../../src/protocol/flv/audio.js';
import { FlvReader, type FlvTag } from '../../../src/protocol/flv/reader.js';
import { buildFlvHeader, buildFlvTag, FlvTagType } from '../../../src/protocol/flv/tag.js';
import { parseVideoTag, videoTagData } from '../../../src/protocol/flv/video.js';

// ffmpeg is a hard requirement: without it this suite fails rather than skips.
let dir: string;
let file: Buffer;
let reference: FlvTag[];

/** A deliberately naive whole-buffer walk, to check the incremental reader against. */
function walk(data: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  let pos = data.readUInt32BE(5) + 4;
  while (pos + 11 <= data.length) {
    const size = data.readUIntBE(pos + 1, 3);
    const timestamp = ((data[pos + 7]! << 24) >>> 0) + data.readUIntBE(pos + 4, 3);
    tags.push({ type: data[pos]! & 0x1f, timestamp, streamId: 0, filtered: false, data: data.subarray(pos + 11, pos + 11 + size) } as FlvTag);
    pos += 11 + size + 4;
  }
  expect(pos).toBe(data.length);
  return tags;
}

function readAll(reader: FlvReader, chunks: Uint8Array[]): FlvTag[] {
  return chunks.flatMap((chunk) => reader.feed(chunk));
}

function expectSameTags(actual: FlvTag[], expected: FlvTag[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a.type !== e.type || a.timestamp !== e.timestamp || !a.data.equals(e.data)) {
      expect({ i, type: a.type, timestamp: a.timestamp, size: a.data.length }).toEqual({ i, type: e.type, timestamp: e.timestamp, size: e.data.length });
      expect(a.data.equals(e.data)).toBe(true);
    }
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-flv-'));
  const path = join(dir, 'out.flv');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=44100',
    '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-f', 'flv', path,
  ]);
  file = readFileSync(path);
  reference = walk(file);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('flv reader on an ffmpeg file', () => {
  it('reads every tag in one feed, with the header flags', () => {
    const reader = new FlvReader();
    const tags = reader.feed(file);
    expectSameTags(tags, reference);
    expect(reader.header).toEqual({ version: 1, hasAudio: true, hasVideo: true, headerSize: 9 });
    expect(reader.bufferedBytes).toBe(0);
    expect(tags[0]!.type).toBe(FlvTagType.Script);
    // Sequence header, 50 frames, and the end-of-sequence ffmpeg writes when it closes the file.
    expect(tags.filter((t) => t.type === FlvTagType.Video).length).toBe(52);
  });

  it('gives the same tags for a split at every byte boundary of the first 2 KB', () => {
    for (let cut = 0; cut <= 2048; cut++) {
      expectSameTags(readAll(new FlvReader(), [file.subarray(0, cut), file.subarray(cut)]), reference);
    }
  });

  it('gives the same tags fed one byte at a time for 2 KB, then in random chunk sizes', () => {
    const bytewise: Uint8Array[] = [];
    for (let i = 0; i < 2048; i++) bytewise.push(file.subarray(i, i + 1));
    expectSameTags(readAll(new FlvReader(), [...bytewise, file.subarray(2048)]), reference);

    for (let seed = 1; seed <= 20; seed++) {
      let s = seed;
      const rand = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) >> 4;
      const chunks: Uint8Array[] = [];
      for (let pos = 0; pos < file.length; ) {
        const size = 1 + (rand() % (seed % 2 ? 64 : 9000));
        chunks.push(Uint8Array.from(file.subarray(pos, pos + size))); // fresh memory per chunk, like sockets
        pos += size;
      }
      expectSameTags(readAll(new FlvReader(), chunks), reference);
    }
  });

  it('re-serialises byte for byte with the writer', () => {
    const out = Buffer.concat([buildFlvHeader({ hasAudio: true, hasVideo: true }), ...reference.map((t) => buildFlvTag(t.type, t.timestamp, t.data))]);
    expect(out.equals(file)).toBe(true);
  });

  it('classifies every tag: sequence headers, keyframes exactly where the IDRs are', () => {
    const videos = reference.filter((t) => t.type === FlvTagType.Video).map((t) => ({ tag: parseVideoTag(t.data), data: t.data }));
    const sh = videos[0]!;
    expect(sh.tag.isSequenceHeader).toBe(true);
    const record = parseAvcDecoderConfigurationRecord(videoTagData(sh.data, sh.tag));
    expect(avcVideoInfo(record)).toMatchObject({ codec: 'h264', width: 320, height: 240 });
    const end = videos[videos.length - 1]!;
    expect(end.tag).toMatchObject({ isEndOfSequence: true, isKeyframe: false, isSequenceHeader: false });
    const frames = videos.slice(1, -1);
    for (const { tag, data } of frames) {
      expect(tag.packetType).toBe('coded-frames');
      expect(tag.isKeyframe).toBe(avcHasIdr(videoTagData(data, tag), record.nalLengthSize));
    }
    expect(frames.filter((f) => f.tag.isKeyframe)).toHaveLength(2); // -g 25 over 2 s
    expect(frames.some((f) => f.tag.compositionTime > 0)).toBe(true); // x264 B-frames

    const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', join(dir, 'out.flv')], { encoding: 'utf8' });
    expect(probe.split('\n').filter((l) => l.startsWith('K')).length).toBe(2);

    const audios = reference.filter((t) => t.type === FlvTagType.Audio).map((t) => ({ tag: parseAudioTag(t.data), data: t.data }));
    expect(audios[0]!.tag.isSequenceHeader).toBe(true);
    const asc = parseAudioSpecificConfig(audioTagData(audios[0]!.data, audios[0]!.tag));
    expect(aacAudioInfo(asc)).toEqual({ codec: 'aac', profile: 'LC', sampleRate: 44100, channels: 1 });
    expect(audios.slice(1).every((a) => a.tag.codec === 'aac' && !a.tag.isSequenceHeader)).toBe(true);
  });
});

describe('flv reader limits and errors', () => {
  const header = buildFlvHeader({ hasAudio: true, hasVideo: false });

  it('rejects a bad signature, and stays failed afterwards', () => {
    const reader = new FlvReader();
    expect(() => reader.feed(Buffer.from('GET /live/s.flv HTTP/1.1\r\n'))).toThrow(/signature/);
    expect(() => reader.feed(header)).toThrow(/signature/);
  });

  it('fails on a tag over the size limit as soon as its header arrives', () => {
    const reader = new FlvReader({ maxTagSize: 1000 });
    const big = buildFlvTag(FlvTagType.Audio, 0, new Uint8Array(1001));
    let caught: unknown;
    try {
      reader.feed(Buffer.concat([header, big.subarray(0, 11)]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TsrsError);
    expect((caught as TsrsError).codeName).toBe('RtmpMessageDecode');
    expect((caught as TsrsError).message).toMatch(/exceeds the limit of 1000/);
    // Within the limit is fine.
    expect(new FlvReader({ maxTagSize: 1000 }).feed(Buffer.concat([header, buildFlvTag(8, 0, new Uint8Array(1000))]))).toHaveLength(1);
  });

  it('rejects an unknown tag type (a desynchronised or corrupt stream)', () => {
    const tag = buildFlvTag(FlvTagType.Audio, 0, Uint8Array.of(1));
    tag[0] = 0x0f;
    expect(() => new FlvReader().feed(Buffer.concat([header, tag]))).toThrow(/tag type 15/);
  });

  it('holds a partial tag until it completes, and skips a longer file header', () => {
    const tag = buildFlvTag(FlvTagType.Audio, 0x01020304, Uint8Array.of(0xaf, 1, 9));
    const reader = new FlvReader();
    expect(reader.feed(Buffer.concat([header, tag.subarray(0, 12)]))).toEqual([]);
    expect(reader.bufferedBytes).toBe(1); // one body byte, waiting for the other two
    const tags = reader.feed(tag.subarray(12));
    expect(tags).toHaveLength(1);
    expect(tags[0]).toMatchObject({ type: 8, timestamp: 0x01020304 });
    expect(Array.from(tags[0]!.data)).toEqual([0xaf, 1, 9]);

    const padded = Buffer.from(header);
    padded.writeUInt32BE(12, 5);
    const withPad = Buffer.concat([padded.subarray(0, 9), Buffer.from([7, 7, 7]), Buffer.alloc(4), tag]);
    expect(new FlvReader().feed(withPad)).toHaveLength(1);
  });

  it('reads bare tags when told there is no file header', () => {
    const stream = Buffer.concat([
      buildFlvTag(9, 40, Uint8Array.of(0x17, 1, 0, 0, 0)),
      buildFlvTag(18, 40, new Uint8Array(0)),
      buildFlvTag(8, 41, Uint8Array.of(0xaf, 1)),
    ]);
    const tags = new FlvReader({ expectHeader: false }).feed(stream);
    expect(tags.map((t) => [t.type, t.timestamp, t.data.length])).toEqual([[9, 40, 5], [18, 40, 0], [8, 41, 2]]);
    const split = new FlvReader({ expectHeader: false });
    expect([...stream].flatMap((b) => split.feed(Uint8Array.of(b))).map((t) => t.type)).toEqual([9, 18, 8]);
  });

  it('trickled single bytes of a large tag cost bytes, not an object each, and arrive intact', () => {
    const body = Buffer.alloc(200_000, 0x5a);
    const stream = Buffer.concat([header, buildFlvTag(FlvTagType.Video, 0, body)]);
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    for (let i = 0; i < stream.length; i++) tags.push(...reader.feed(stream.subarray(i, i + 1)));
    expect(tags).toHaveLength(1);
    expect(tags[0]!.data.equals(body)).toBe(true);
  });
});
