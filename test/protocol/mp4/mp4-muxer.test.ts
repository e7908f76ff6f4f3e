import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import type { MediaKind, MediaPacket } from '../../../src/kernel/packet.js';
import { splitAnnexB } from '../../../src/kernel/codec/nalu.js';
import { hevcNalType, isHevcIrap } from '../../../src/kernel/codec/hevc.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { FlvMp4Muxer } from '../../../src/protocol/mp4/flv-mp4-muxer.js';
import { Mp4Muxer } from '../../../src/protocol/mp4/mp4-muxer.js';
import { makeFlv, requireFfmpeg } from '../../helpers/media.js';
import { children, find, findAll, readBoxes } from './box-reader.js';

let dir: string;
beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'tsrs-mp4-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KINDS: Record<number, MediaKind> = { 8: 'audio', 9: 'video', 18: 'data' };

function packet(kind: MediaKind, timestamp: number, payload: Buffer): MediaPacket {
  return { kind, timestamp, payload, isKeyframe: false, isSequenceHeader: false };
}

function flvPackets(file: string): MediaPacket[] {
  return new FlvReader().feed(readFileSync(file)).map((t) => packet(KINDS[t.type]!, t.timestamp, t.data));
}

/** Muxes packets into an MP4 file the way DVR does: stream the samples, then moov, then patch. */
function muxToFile(packets: MediaPacket[], out: string): Buffer {
  const muxer = new FlvMp4Muxer(new Date('2024-01-02T03:04:05Z'));
  const parts: Uint8Array[] = [muxer.start()];
  for (const p of packets) {
    const bytes = muxer.write(p);
    if (bytes) parts.push(bytes);
  }
  const done = muxer.finish();
  const file = Buffer.concat([...parts, done.moov]);
  done.header.bytes.copy(file, done.header.offset);
  expect(file.length).toBe(done.fileSize);
  writeFileSync(out, file);
  return file;
}

function ffprobe(file: string): { streams: Record<string, unknown>[]; format: Record<string, string> } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(out.toString());
}

function decodeErrors(file: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('FlvMp4Muxer with H.264 + AAC', () => {
  let file: Buffer;
  let path: string;
  beforeAll(() => {
    path = join(dir, 'avc-aac.mp4');
    file = muxToFile(flvPackets(makeFlv(3, 25)), path);
  });

  it('writes ftyp, the reserved mdat header, mdat and moov, with sizes that add up', () => {
    const top = readBoxes(file);
    expect(top.map((b) => b.type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
    expect(top[0]!.body.toString('latin1', 0, 4)).toBe('isom');
    expect(findAll(top, 'moov/trak')).toHaveLength(2);
  });

  it('ffprobe reads H.264 320x240 and AAC with the right duration and every frame', () => {
    const probe = ffprobe(path);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
    expect(video).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: '75' });
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 1 });
    expect(Number(probe.format.duration)).toBeGreaterThan(2.9);
    expect(Number(probe.format.duration)).toBeLessThan(3.2);
    expect(decodeErrors(path)).toBe('');
  });

  it('marks keyframes in stss and keeps B-frame composition offsets in ctts', () => {
    const top = readBoxes(file);
    const video = findAll(top, 'moov/trak').find((t) => find(children(t), 'mdia/hdlr').body.toString('latin1', 8, 12) === 'vide')!;
    const stbl = find(children(video), 'mdia/minf/stbl');
    const stss = find(children(stbl), 'stss');
    const keys = stss.body.readUInt32BE(4);
    expect(keys).toBe(3); // gop 25, 75 frames
    expect(stss.body.readUInt32BE(8)).toBe(1);
    expect(findAll(children(stbl), 'ctts')).toHaveLength(1);
    const mdhd = find(children(video), 'mdia/mdhd');
    expect(mdhd.body.readUInt32BE(12)).toBe(90000);
  });
});

describe('FlvMp4Muxer with H.265 (Enhanced RTMP hvc1) + MP3', () => {
  it('stores hvc1 with its hvcC and MP3 audio, and ffmpeg decodes the file without errors', () => {
    const hevc = join(dir, 'in.hevc');
    const mp3 = join(dir, 'in.mp3');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=192x108:rate=25', '-frames:v', '20', '-c:v', 'libx265',
      '-x265-params', 'log-level=error:keyint=10:min-keyint=10:scenecut=0:bframes=0', '-f', 'hevc', hevc]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '0.8', '-c:a', 'libmp3lame', '-b:a', '64k', mp3]);
    // hvcC as FFmpeg builds it from the same stream.
    const ref = join(dir, 'ref.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', hevc, '-c', 'copy', '-tag:v', 'hvc1', ref]);
    const stsd = find(readBoxes(readFileSync(ref)), 'moov/trak/mdia/minf/stbl/stsd');
    const hvc1 = readBoxes(stsd.body, 8).find((b) => b.type === 'hvc1')!;
    const record = Buffer.from(readBoxes(hvc1.body, 78).find((b) => b.type === 'hvcC')!.body);

    const nalus = splitAnnexB(readFileSync(hevc));
    const units: Uint8Array[][] = [];
    for (const n of nalus) {
      const type = hevcNalType(n);
      if (type >= 32 && type <= 40) continue; // parameter sets and SEI ride in hvcC here
      // first_slice_segment_in_pic_flag opens a new picture
      if (type < 32 && (n[2]! & 0x80) !== 0) units.push([]);
      units[units.length - 1]?.push(n);
    }
    expect(units).toHaveLength(20);
    const packets: MediaPacket[] = [packet('video', 0, Buffer.concat([Buffer.from([0x90]), Buffer.from('hvc1'), record]))];
    units.forEach((au, i) => {
      const key = au.some(isHevcIrap);
      const body = Buffer.concat(au.flatMap((n) => [Buffer.from(Uint32Array.of(0).buffer).fill(0).map((_, j) => (n.length >>> (8 * (3 - j))) & 0xff), Buffer.from(n)]));
      packets.push(packet('video', i * 40, Buffer.concat([Buffer.from([(key ? 0x90 : 0xa0) | 3]), Buffer.from('hvc1'), body])));
    });
    // MP3 frames: FLV sound format 2, 44.1 kHz, 16-bit, mono.
    const mp3Data = readFileSync(mp3);
    let at = mp3Data.indexOf(Buffer.from([0xff]));
    let t = 0;
    while (at >= 0 && at + 4 <= mp3Data.length) {
      const b2 = mp3Data[at + 2]!;
      const bitrate = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320][b2 >> 4]! * 1000;
      const len = Math.floor((144 * bitrate) / 44100) + ((b2 >> 1) & 1);
      if ((mp3Data[at + 1]! & 0xe0) !== 0xe0 || len <= 4) {
        at = mp3Data.indexOf(Buffer.from([0xff]), at + 1);
        continue;
      }
      packets.push(packet('audio', Math.round(t), Buffer.concat([Buffer.from([0x2e]), mp3Data.subarray(at, at + len)])));
      t += (1152 * 1000) / 44100;
      at += len;
    }
    packets.sort((a, b) => a.timestamp - b.timestamp || (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
    const out = join(dir, 'hevc-mp3.mp4');
    muxToFile(packets, out);
    const probe = ffprobe(out);
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'hevc', codec_tag_string: 'hvc1', width: 192, height: 108, nb_read_frames: '20' });
    expect(probe.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'mp3', sample_rate: '44100' });
    expect(decodeErrors(out)).toBe('');
  });
});

describe('FlvMp4Muxer refuses what it cannot store, and stays usable', () => {
  const avcHeader = () => flvPackets(makeFlv(3, 25)).find((p) => p.kind === 'video')!;

  it('a frame before its sequence header, a broken record, unknown codecs, empty payloads', () => {
    const muxer = new FlvMp4Muxer();
    muxer.start();
    const frame = Buffer.from([0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]);
    const bad = [
      packet('video', 0, frame), // no sequence header yet
      packet('audio', 0, Buffer.from([0xaf, 1, 0x21])), // AAC frame before its config
      packet('video', 0, Buffer.from([0x17, 0, 0, 0, 0, 2, 0x64])), // record version 2, truncated
      packet('video', 0, Buffer.from([0x17, 0, 0, 0, 0])), // empty record
      packet('video', 0, Buffer.from([0x14, 0x00, 0x01])), // VP6
      packet('audio', 0, Buffer.from([0xbe, 0x00])), // Speex
      packet('audio', 0, Buffer.from([0xaf, 0, 0x00])), // AAC config of one byte
      packet('video', 0, Buffer.alloc(0)),
      packet('audio', 0, Buffer.alloc(0)),
    ];
    for (const p of bad) expect(() => muxer.write(p), p.payload.toString('hex')).toThrow(TsrsError);
    // Still usable: a real stream after the junk makes a valid file.
    const header = avcHeader();
    expect(muxer.write(header)).toBeUndefined();
    expect(muxer.write(packet('video', 0, frame))).toBeDefined();
    expect(muxer.sampleCount).toBe(1);
    const done = muxer.finish();
    expect(() => muxer.finish()).toThrow(TsrsError);
    expect(() => muxer.write(packet('video', 40, frame))).toThrow(TsrsError);
    expect(readBoxes(done.moov).map((b) => b.type)).toEqual(['moov']);
  });

  it('never crashes on a truncated AVC sequence header: refused with a TsrsError, or complete enough to use', () => {
    const header = avcHeader().payload;
    for (let n = 0; n < header.length; n++) {
      const muxer = new FlvMp4Muxer();
      muxer.start();
      try {
        muxer.write(packet('video', 0, header.subarray(0, n)));
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
      }
    }
  });

  it('an empty recording is still a well-formed file (no tracks)', () => {
    const muxer = new FlvMp4Muxer();
    const head = muxer.start();
    const done = muxer.finish();
    const file = Buffer.concat([head, done.moov]);
    done.header.bytes.copy(file, done.header.offset);
    expect(readBoxes(file).map((b) => b.type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
  });
});

describe('Mp4Muxer past 4 GiB and 32-bit times', () => {
  it('switches to co64 and a 64-bit mdat header, and to version 1 time boxes', () => {
    const muxer = new Mp4Muxer(new Date(0));
    const head = muxer.start();
    const track = muxer.addTrack('audio', 48000, { kind: 'audio', format: 'mp4a', channels: 2, sampleRate: 48000, objectTypeIndication: 0x40, decoderSpecificInfo: Uint8Array.of(0x11, 0x90) }, 1024);
    // Sizes only: the muxer never touches sample bytes, so a fake length stands for 3 GB.
    const huge = { length: 3_000_000_000 } as Uint8Array;
    muxer.writeSample(track, huge, 0, 0, true);
    muxer.writeSample(track, huge, 3e9, 0, true);
    // A jump beyond what one stts delta holds is shortened rather than failing the file.
    muxer.writeSample(track, Uint8Array.of(1), 3e9 + 2 ** 33, 0, true);
    // A chunk starting past 4 GiB needs 64-bit chunk offsets.
    const other = muxer.addTrack('audio', 48000, { kind: 'audio', format: 'mp4a', channels: 1, sampleRate: 48000, objectTypeIndication: 0x40, decoderSpecificInfo: Uint8Array.of(0x11, 0x88) }, 1024);
    muxer.writeSample(other, Uint8Array.of(2), 0, 0, true);
    const done = muxer.finish();
    expect(done.header.offset).toBe(head.length - 16);
    expect(done.header.bytes.readUInt32BE(0)).toBe(1);
    expect(done.header.bytes.toString('latin1', 4, 8)).toBe('mdat');
    expect(Number(done.header.bytes.readBigUInt64BE(8))).toBe(6_000_000_002 + 16);
    const moov = readBoxes(done.moov);
    const [first, second] = findAll(moov, 'moov/trak/mdia/minf/stbl').map((b) => children(b).map((c) => c.type));
    expect(first).toContain('stco');
    expect(second).toContain('co64');
    expect(find(moov, 'moov/trak/mdia/mdhd').body[0]).toBe(1);
    // 42 hours in movie milliseconds still fits 32 bits.
    expect(find(moov, 'moov/mvhd').body[0]).toBe(0);
  });

  it('refuses bad timescales, kinds and times', () => {
    const muxer = new Mp4Muxer();
    muxer.start();
    const entry = { kind: 'audio', format: 'mp4a', channels: 2, sampleRate: 48000, objectTypeIndication: 0x40 } as const;
    expect(() => muxer.addTrack('audio', 0, entry, 1024)).toThrow(TsrsError);
    expect(() => muxer.addTrack('video', 90000, entry, 1024)).toThrow(TsrsError);
    const id = muxer.addTrack('audio', 48000, entry, 1024);
    expect(() => muxer.writeSample(id, Uint8Array.of(1), Number.NaN, 0, true)).toThrow(TsrsError);
    expect(() => muxer.writeSample(id + 1, Uint8Array.of(1), 0, 0, true)).toThrow(TsrsError);
  });
});
