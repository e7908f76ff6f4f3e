/**
 * The demuxer on a golden ffmpeg stream (whole, split at every byte boundary, a byte at a
 * time) and on broken ones: garbage, lost sync, continuity gaps, oversize PES, truncation,
 * random mutations. Lenient mode must never throw; strict mode throws TsrsError.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { TsDemuxer, type TsPes } from '../../../src/protocol/mpegts/ts-demuxer.js';
import { framesOfPes } from '../../../src/protocol/mpegts/ts-frames.js';
import { parseTsPacket } from '../../../src/protocol/mpegts/ts-packet.js';
import { TsStreamType } from '../../../src/protocol/mpegts/ts-constants.js';

const SPAWN = { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 } as const;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, SPAWN);
  if (result.error) throw new Error(`${command} could not run (it is required): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** Deterministic bytes so a fuzz failure reproduces. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const summary = (pes: TsPes[]) => pes.map((p) => `${p.pid}:${p.pts}:${p.dts}:${p.randomAccess}:${p.data.length}:${p.data.readUInt32BE(p.data.length - 4)}`);

function demuxLenient(data: Uint8Array, chunks?: number[]) {
  const issues: string[] = [];
  const demuxer = new TsDemuxer({ onIssue: (e) => issues.push(e.message) });
  const pes: TsPes[] = [];
  if (!chunks) pes.push(...demuxer.feed(data));
  else {
    let at = 0;
    for (const size of chunks) {
      pes.push(...demuxer.feed(data.subarray(at, at + size)));
      at += size;
    }
    pes.push(...demuxer.feed(data.subarray(at)));
  }
  pes.push(...demuxer.flush());
  return { demuxer, pes, issues };
}

let work: string;
let golden: Buffer;
let clean: ReturnType<typeof demuxLenient>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tsrs-tsdemux-'));
  const file = join(work, 'golden.ts');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'mpegts', file]);
  golden = readFileSync(file);
  clean = demuxLenient(golden);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('TsDemuxer on a golden ffmpeg stream', () => {
  it('finds the program, and as many video and audio frames as ffprobe', () => {
    expect(clean.issues).toEqual([]);
    expect(clean.demuxer.pmt?.streams.map((s) => s.streamType)).toEqual([TsStreamType.H264, TsStreamType.AacAdts]);
    const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-print_format', 'json', '-count_packets', '-show_streams', join(work, 'golden.ts')]));
    const count = (type: string) => Number(probe.streams.find((s: { codec_type: string }) => s.codec_type === type).nb_read_packets);
    const frames = clean.pes.flatMap(framesOfPes);
    expect(frames.filter((f) => f.kind === 'video')).toHaveLength(count('video'));
    expect(frames.filter((f) => f.kind === 'audio')).toHaveLength(count('audio'));
    const keyframes = frames.filter((f) => f.kind === 'video' && f.keyframe);
    expect(keyframes).toHaveLength(2); // -g 25 over 2 s
    expect(frames[0]!.kind === 'video' ? frames[0]!.keyframe : true).toBe(true);
    // Audio frames are spaced by 1024 samples at 44.1 kHz.
    const audio = frames.filter((f) => f.kind === 'audio');
    expect(audio[1]!.pts - audio[0]!.pts).toBe(Math.round((1024 * 90000) / 44100));
  });

  it('gives the same PES whatever byte boundary the input is split at', () => {
    const head = golden.subarray(0, 40 * 188);
    const expected = summary(demuxLenient(head).pes);
    expect(expected.length).toBeGreaterThan(2);
    const mismatches: number[] = [];
    for (let k = 0; k <= head.length; k++) {
      if (summary(demuxLenient(head, [k]).pes).join() !== expected.join()) mismatches.push(k);
    }
    expect(mismatches).toEqual([]);
  });

  it('takes the stream a byte at a time', () => {
    const head = golden.subarray(0, 200 * 188);
    const chunks = new Array(head.length).fill(1);
    const result = demuxLenient(head, chunks);
    expect(summary(result.pes)).toEqual(summary(demuxLenient(head).pes));
  });

  it('ignores a duplicated packet, as the standard allows', () => {
    const packet = golden.subarray(50 * 188, 51 * 188);
    const data = Buffer.concat([golden.subarray(0, 51 * 188), packet, golden.subarray(51 * 188)]);
    const result = demuxLenient(data);
    expect(result.issues).toEqual([]);
    expect(summary(result.pes)).toEqual(summary(clean.pes));
  });
});

describe('TsDemuxer on broken input', () => {
  it('skips garbage before the stream and resynchronises', () => {
    const random = prng(7);
    const garbage = Buffer.alloc(1000, 0).map(() => Math.floor(random() * 256) & ~0x47 | 0x80);
    const result = demuxLenient(Buffer.concat([garbage, golden]));
    expect(result.demuxer.stats.skippedBytes).toBe(1000);
    expect(result.issues.length).toBeGreaterThan(0);
    expect(summary(result.pes)).toEqual(summary(clean.pes));
  });

  it('drops only the PES torn by a lost packet', () => {
    // Find a packet in the middle of a multi-packet video PES and corrupt its sync byte.
    let victim = -1;
    for (let i = 20; i < golden.length / 188 - 1; i++) {
      const p = parseTsPacket(golden.subarray(i * 188, (i + 1) * 188));
      const next = parseTsPacket(golden.subarray((i + 1) * 188, (i + 2) * 188));
      if (p.pid === 0x100 && !p.payloadUnitStart && next.pid === 0x100 && !next.payloadUnitStart) {
        victim = i;
        break;
      }
    }
    expect(victim).toBeGreaterThan(0);
    const broken = Buffer.from(golden);
    broken[victim * 188] = 0x00;
    const result = demuxLenient(broken);
    expect(result.issues.some((m) => m.includes('lost sync'))).toBe(true);
    expect(result.issues.some((m) => m.includes('continuity counter'))).toBe(true);
    expect(result.pes).toHaveLength(clean.pes.length - 1);
    const kept = new Set(summary(clean.pes));
    expect(summary(result.pes).every((s) => kept.has(s))).toBe(true);
  });

  it('reports trailing bytes that do not make a packet', () => {
    const result = demuxLenient(golden.subarray(0, golden.length - 100));
    expect(result.issues.some((m) => m.includes('do not make a packet'))).toBe(true);
  });

  it('drops PES over the size limit and keeps the others', () => {
    const audioMax = Math.max(...clean.pes.filter((p) => p.pid === 0x101).map((p) => p.data.length));
    const limit = audioMax + 100; // header room; keyframes are far bigger
    expect(clean.pes.some((p) => p.data.length > limit)).toBe(true);
    const issues: string[] = [];
    const demuxer = new TsDemuxer({ maxPesBytes: limit, onIssue: (e) => issues.push(e.message) });
    const pes = [...demuxer.feed(golden), ...demuxer.flush()];
    expect(issues.some((m) => m.includes(`exceeds ${limit} bytes`))).toBe(true);
    expect(pes.every((p) => p.data.length <= limit)).toBe(true);
    expect(pes.filter((p) => p.pid === 0x101).length).toBe(clean.pes.filter((p) => p.pid === 0x101).length);
  });

  it('finds nothing in a PAT with a bad CRC, and says why', () => {
    const broken = Buffer.from(golden);
    let pat = 0;
    while (parseTsPacket(golden.subarray(pat * 188, (pat + 1) * 188)).pid !== 0) pat++;
    broken[pat * 188 + 5 + 14]! ^= 0xff; // a CRC byte of the 16-byte PAT after the pointer field
    const result = demuxLenient(broken.subarray(0, (pat + 2) * 188));
    expect(result.issues.some((m) => m.includes('CRC'))).toBe(true);
    expect(result.demuxer.pmtPid).toBeUndefined();
  });

  it('drops packets with transport_error_indicator', () => {
    const broken = Buffer.from(golden);
    let marked = 0;
    for (let i = 0; i < golden.length / 188; i++) {
      const p = parseTsPacket(golden.subarray(i * 188, (i + 1) * 188));
      if (p.pid === 0x101 && p.payloadUnitStart && marked++ === 3) broken[i * 188 + 1]! |= 0x80;
    }
    const result = demuxLenient(broken);
    expect(result.issues.some((m) => m.includes('transport_error_indicator'))).toBe(true);
    expect(result.pes.length).toBe(clean.pes.length - 1);
  });

  it('never throws on noise or on randomly mutated streams, and holds less than a packet', () => {
    const random = prng(12345);
    const noise = Buffer.alloc(64 * 1024).map(() => Math.floor(random() * 256));
    expect(() => demuxLenient(noise)).not.toThrow();
    const head = golden.subarray(0, 120 * 188);
    for (let round = 0; round < 300; round++) {
      const mutated = Buffer.from(head);
      const flips = 1 + Math.floor(random() * 20);
      for (let i = 0; i < flips; i++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const demuxer = new TsDemuxer({ maxPesBytes: 64 * 1024 });
      const split = Math.floor(random() * mutated.length);
      const pes = [...demuxer.feed(mutated.subarray(0, split)), ...demuxer.feed(mutated.subarray(split))];
      pes.push(...demuxer.flush());
      for (const p of pes) {
        expect(p.data.length).toBeLessThanOrEqual(64 * 1024);
        try {
          framesOfPes(p);
        } catch (err) {
          expect(err).toBeInstanceOf(TsrsError);
        }
      }
    }
  });

  it('throws a TsrsError in strict mode', () => {
    const demuxer = new TsDemuxer({ strict: true });
    expect(() => demuxer.feed(Buffer.concat([Buffer.from([1, 2, 3]), golden.subarray(0, 376)]))).toThrow(TsrsError);
  });
});

describe('parseTsPacket', () => {
  const packet = (bytes: number[]) => {
    const out = Buffer.alloc(188, 0xff);
    Buffer.from(bytes).copy(out);
    return out;
  };

  it('reads header, adaptation field and PCR', () => {
    const p = parseTsPacket(packet([0x47, 0x41, 0x00, 0x35, 7, 0x50, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x00]));
    expect(p).toMatchObject({ pid: 0x100, payloadUnitStart: true, continuityCounter: 5, hasPayload: true });
    expect(p.adaptation).toEqual({ discontinuity: false, randomAccess: true, pcr: 3 });
    expect(p.payload.length).toBe(188 - 12);
  });

  it('rejects broken packets with a TsrsError', () => {
    const cases: Array<[string, Buffer]> = [
      ['short', Buffer.from([0x47, 0, 0, 0x10])],
      ['long', Buffer.alloc(189, 0x47)],
      ['sync', packet([0x46, 0, 0, 0x10])],
      ['reserved adaptation_field_control', packet([0x47, 0, 0, 0x00])],
      ['adaptation field filling a packet that has payload', packet([0x47, 0, 0, 0x30, 183])],
      ['adaptation only, not 183 bytes', packet([0x47, 0, 0, 0x20, 100])],
      ['PCR flag without room', packet([0x47, 0, 0, 0x30, 3, 0x10])],
    ];
    for (const [what, data] of cases) expect(() => parseTsPacket(data), what).toThrow(TsrsError);
  });
});
