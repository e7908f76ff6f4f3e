/**
 * FLV payloads to TS elementary streams, and whole streams through FlvToTsConverter + TsMuxer
 * judged by ffprobe/ffmpeg (required: a missing tool fails the test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { buildAvcDecoderConfigurationRecord } from '../../../src/kernel/codec/avc.js';
import { splitAnnexB } from '../../../src/kernel/codec/nalu.js';
import type { MediaPacket } from '../../../src/kernel/packet.js';
import { FlvToTsConverter } from '../../../src/protocol/mpegts/flv-to-ts.js';
import { TsDemuxer } from '../../../src/protocol/mpegts/ts-demuxer.js';
import { framesOfPes } from '../../../src/protocol/mpegts/ts-frames.js';
import { TsMuxer, type TsFrame } from '../../../src/protocol/mpegts/ts-muxer.js';
import { TsStreamType } from '../../../src/protocol/mpegts/ts-constants.js';

const SPAWN = { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 } as const;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, SPAWN);
  if (result.error) throw new Error(`${command} could not run (it is required): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

const video = (payload: Buffer, timestamp: number, isKeyframe = false, isSequenceHeader = false): MediaPacket => ({
  kind: 'video',
  timestamp,
  payload,
  isKeyframe,
  isSequenceHeader,
});
const audio = (payload: Buffer, timestamp: number, isSequenceHeader = false): MediaPacket => ({
  kind: 'audio',
  timestamp,
  payload,
  isKeyframe: false,
  isSequenceHeader,
});

function lengthPrefixed(nalus: Uint8Array[]): Buffer {
  return Buffer.concat(nalus.flatMap((n) => [Buffer.from([n.length >>> 24, (n.length >>> 16) & 0xff, (n.length >>> 8) & 0xff, n.length & 0xff]), Buffer.from(n)]));
}

/** Classic FLV AVC/HEVC video tag: frame type, codec id, packet type, composition time. */
function videoTag(codecId: number, key: boolean, packetType: number, cts: number, data: Uint8Array): Buffer {
  const header = Buffer.from([((key ? 1 : 2) << 4) | codecId, packetType, (cts >> 16) & 0xff, (cts >> 8) & 0xff, cts & 0xff]);
  return Buffer.concat([header, data]);
}

const SPS = Buffer.from('6742c01e95a0a0fd01', 'hex'); // a baseline SPS is all the converter copies
const PPS = Buffer.from('68ce3c80', 'hex');

describe('FlvToTsConverter', () => {
  it('H.264: AUD first, SPS/PPS before an IDR, length prefixes become start codes', () => {
    const converter = new FlvToTsConverter();
    const record = buildAvcDecoderConfigurationRecord([SPS], [PPS]);
    expect(converter.convert(video(videoTag(7, true, 0, 0, record), 0, false, true))).toBeUndefined();
    expect(converter.videoCodec).toBe('h264');
    const idr = Buffer.from([0x65, 0x88, 0x84, 0x21]);
    const sei = Buffer.from([0x06, 0x05, 0x01, 0x80]);
    const frame = converter.convert(video(videoTag(7, true, 1, 80, lengthPrefixed([sei, idr])), 1000, true));
    expect(frame?.kind).toBe('video');
    if (frame?.kind !== 'video') return;
    expect(frame.keyframe).toBe(true);
    expect(frame.dts).toBe(90_000);
    expect(frame.pts).toBe(97_200);
    const nalus = splitAnnexB(frame.data).map((n) => Buffer.from(n).toString('hex'));
    expect(nalus).toEqual(['09f0', SPS.toString('hex'), PPS.toString('hex'), sei.toString('hex'), idr.toString('hex')]);
    expect(frame.data.subarray(0, 6)).toEqual(Buffer.from([0, 0, 0, 1, 0x09, 0xf0]));

    const slice = Buffer.from([0x41, 0x9a, 0x02]);
    const inter = converter.convert(video(videoTag(7, false, 1, 0, lengthPrefixed([Buffer.from([0x09, 0x10]), slice])), 1040));
    if (inter?.kind !== 'video') throw new Error('no frame');
    expect(inter.keyframe).toBe(false);
    // The publisher's own AUD is replaced, not doubled; no parameter sets on a P frame.
    expect(splitAnnexB(inter.data).map((n) => Buffer.from(n).toString('hex'))).toEqual(['09f0', slice.toString('hex')]);
  });

  it('does not repeat parameter sets an IDR already carries', () => {
    const converter = new FlvToTsConverter();
    converter.convert(video(videoTag(7, true, 0, 0, buildAvcDecoderConfigurationRecord([SPS], [PPS])), 0, false, true));
    const idr = Buffer.from([0x65, 0x88]);
    const frame = converter.convert(video(videoTag(7, true, 1, 0, lengthPrefixed([SPS, PPS, idr])), 0, true));
    if (frame?.kind !== 'video') throw new Error('no frame');
    expect(splitAnnexB(frame.data)).toHaveLength(4);
  });

  it('drops frames before their sequence header and codecs TS cannot carry', () => {
    const converter = new FlvToTsConverter();
    expect(converter.convert(video(videoTag(7, true, 1, 0, lengthPrefixed([Buffer.from([0x65, 1])])), 0, true))).toBeUndefined();
    expect(converter.convert(video(Buffer.from([0x12, 0, 0, 0]), 0))).toBeUndefined(); // Sorenson H.263
    expect(converter.convert(audio(Buffer.from([0xaf, 0x01, 0x21]), 0))).toBeUndefined(); // AAC before its config
    expect(converter.convert(audio(Buffer.from([0x82, 0x00, 0x00]), 0))).toBeUndefined(); // Nellymoser
    expect(converter.convert({ kind: 'data', timestamp: 0, payload: Buffer.from([2]), isKeyframe: false, isSequenceHeader: false })).toBeUndefined();
  });

  it('AAC: raw frames get a 7-byte ADTS header from the AudioSpecificConfig', () => {
    const converter = new FlvToTsConverter();
    converter.convert(audio(Buffer.from([0xaf, 0x00, 0x12, 0x10]), 0, true)); // LC, 44.1 kHz, stereo
    const raw = Buffer.from([0x21, 0x00, 0x49, 0x90]);
    const frame = converter.convert(audio(Buffer.concat([Buffer.from([0xaf, 0x01]), raw]), 23));
    if (frame?.kind !== 'audio') throw new Error('no frame');
    expect(frame.codec).toBe('aac');
    expect(frame.pts).toBe(23 * 90);
        // LC (profile 1), rate index 4, 2 channels, frame length 11, fullness 0x7ff.
    expect(Buffer.from(frame.data).toString('hex')).toBe('fff15080017ffc' + raw.toString('hex'));
  });

  it('throws a TsrsError on malformed payloads', () => {
    const converter = new FlvToTsConverter();
    expect(() => converter.convert(video(videoTag(7, true, 0, 0, Buffer.from([1, 2])), 0, false, true))).toThrow(TsrsError);
    converter.convert(video(videoTag(7, true, 0, 0, buildAvcDecoderConfigurationRecord([SPS], [PPS])), 0, false, true));
    // A NAL length running past the payload.
    expect(() => converter.convert(video(videoTag(7, true, 1, 0, Buffer.from([0, 0, 0, 9, 0x65])), 0, true))).toThrow(TsrsError);
    expect(() => converter.convert(audio(Buffer.from([0xaf, 0x00, 0x00]), 0, true))).toThrow(TsrsError);
    expect(() => converter.convert(audio(Buffer.from([0x2f, 0x00, 0x01, 0x02, 0x03]), 0))).toThrow(TsrsError); // MP3 without sync
  });
});

describe('HEVC and MP3 through the muxer (ffprobe)', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tsrs-mpegts-'));
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  function mux(packets: MediaPacket[]): Buffer {
    const converter = new FlvToTsConverter();
    const muxer = new TsMuxer();
    const parts: Buffer[] = [];
    let tables = false;
    for (const packet of packets) {
      const frame: TsFrame | undefined = converter.convert(packet);
      if (!frame) continue;
      if (!tables) {
        muxer.setStreams(frame.kind === 'video' ? frame.codec : undefined, frame.kind === 'audio' ? frame.codec : undefined);
        parts.push(...muxer.writeTables());
        tables = true;
      }
      parts.push(...muxer.writeFrame(frame));
    }
    parts.push(...muxer.flushAudio());
    return Buffer.concat(parts);
  }

  it('HEVC (legacy FLV codec id 12): AUD, VPS/SPS/PPS before IRAP, stream type 0x24, decodable', () => {
    const raw = join(work, 'in.hevc');
    run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '2', '-c:v', 'libx265',
      '-x265-params', 'bframes=0:keyint=25:log-level=error', '-f', 'hevc', raw]);
    const nalus = splitAnnexB(readFileSync(raw));
    const typeOf = (n: Uint8Array) => (n[0]! >> 1) & 0x3f;
    const params = (t: number) => nalus.filter((n) => typeOf(n) === t);
    const record = hvcc(params(32)[0]!, params(33)[0]!, params(34)[0]!);
    // Access units: VCL NALs with first_slice_segment_in_pic_flag start a picture.
    const pictures: Uint8Array[][] = [];
    for (const n of nalus) {
      const t = typeOf(n);
      if (t < 32 && (n[2]! & 0x80) !== 0) pictures.push([]);
      if (t < 32 || t === 39) pictures.at(-1)?.push(n);
    }
    const packets: MediaPacket[] = [video(videoTag(12, true, 0, 0, record), 0, false, true)];
    pictures.forEach((au, i) => {
      const key = au.some((n) => typeOf(n) >= 16 && typeOf(n) <= 23);
      packets.push(video(videoTag(12, key, 1, 0, lengthPrefixed(au)), i * 40, key));
    });
    const ts = mux(packets);
    const file = join(work, 'hevc.ts');
    writeFileSync(file, ts);

    const demuxer = new TsDemuxer({ strict: true });
    const pes = [...demuxer.feed(ts), ...demuxer.flush()];
    expect(demuxer.pmt?.streams).toEqual([{ streamType: TsStreamType.Hevc, pid: 0x100 }]);
    expect(pes).toHaveLength(pictures.length);
    const first = framesOfPes(pes[0]!)[0]!;
    expect(first.keyframe).toBe(true);
    expect(splitAnnexB(first.data).map(typeOf).slice(0, 4)).toEqual([35, 32, 33, 34]);
    expect(pes.filter((p) => p.randomAccess)).toHaveLength(2);

    const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-count_frames', file]));
    expect(probe.streams[0].codec_name).toBe('hevc');
    expect(Number(probe.streams[0].nb_read_frames)).toBe(pictures.length);
    run('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
  });

  it('MP3 frames pass as they are, as MPEG-1 audio (stream type 3)', () => {
    const flvPath = join(work, 'mp3.flv');
    run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:a', 'libmp3lame', '-ar', '44100', '-f', 'flv', flvPath]);
    const packets = flvAudioTags(readFileSync(flvPath));
    const ts = mux(packets);
    const demuxer = new TsDemuxer({ strict: true });
    const pes = [...demuxer.feed(ts), ...demuxer.flush()];
    expect(demuxer.pmt?.streams).toEqual([{ streamType: TsStreamType.Mpeg1Audio, pid: 0x101 }]);
    expect(demuxer.pmt?.pcrPid).toBe(0x101);
    expect(pes.flatMap(framesOfPes)).toHaveLength(packets.length);
    const file = join(work, 'mp3.ts');
    writeFileSync(file, ts);
    const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', file]));
    expect(probe.streams[0].codec_name).toBe('mp3');
  });
});

/** A minimal HEVCDecoderConfigurationRecord holding one VPS, SPS and PPS (profile fields zero). */
function hvcc(vps: Uint8Array, sps: Uint8Array, pps: Uint8Array): Buffer {
  const header = Buffer.alloc(23);
  header[0] = 1;
  header[13] = 0xf0; // reserved + min_spatial_segmentation_idc
  header[15] = 0xfc;
  header[16] = 0xfd; // chroma 4:2:0
  header[17] = 0xf8;
  header[18] = 0xf8;
  header[21] = 0x0f; // lengthSizeMinusOne 3
  header[22] = 3;
  const array = (type: number, nalu: Uint8Array) =>
    Buffer.concat([Buffer.from([0x80 | type, 0, 1, nalu.length >> 8, nalu.length & 0xff]), Buffer.from(nalu)]);
  return Buffer.concat([header, array(32, vps), array(33, sps), array(34, pps)]);
}

/** Audio tags of an FLV file, with a tiny reader so this test stands alone. */
function flvAudioTags(file: Buffer): MediaPacket[] {
  const packets: MediaPacket[] = [];
  let at = 13;
  while (at + 11 <= file.length) {
    const type = file[at]!;
    const size = file.readUIntBE(at + 1, 3);
    const timestamp = file.readUIntBE(at + 4, 3) | (file[at + 7]! << 24);
    const body = file.subarray(at + 11, at + 11 + size);
    if (type === 8 && body.length > 1) packets.push(audio(Buffer.from(body), timestamp));
    at += 11 + size + 4;
  }
  return packets;
}
