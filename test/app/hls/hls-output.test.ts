/**
 * HLS end to end: ffmpeg makes an FLV, its tags go through a LiveSource into HlsOutput as fast
 * as they can (the segmenter runs on media time), and ffprobe/ffmpeg judge the result.
 * ffmpeg and ffprobe are required: a missing one fails these tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { mediaFromFlv } from '../../../src/app/live/media-from-flv.js';
import { LiveSource } from '../../../src/app/live/source.js';
import { HlsOutput } from '../../../src/app/hls/hls-output.js';
import { DEFAULT_HLS_OPTIONS, type HlsOptions, type HlsSegmentInfo } from '../../../src/app/hls/options.js';
import type { MediaPacket } from '../../../src/kernel/packet.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { decryptSegment, ivForSequence } from '../../../src/protocol/hls/aes.js';
import { parseMediaPlaylist, type ParsedMediaPlaylist } from '../../../src/protocol/hls/m3u8.js';
import { TsDemuxer } from '../../../src/protocol/mpegts/ts-demuxer.js';
import { framesOfPes } from '../../../src/protocol/mpegts/ts-frames.js';
import { TsPid } from '../../../src/protocol/mpegts/ts-constants.js';

const SPAWN = { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 } as const;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, SPAWN);
  if (result.error) throw new Error(`${command} could not run (it is required): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout + result.stderr;
}

function probeJson(file: string, extra: string[] = []): { streams: Array<Record<string, unknown>>; format: Record<string, unknown>; frames?: Array<Record<string, unknown>> } {
  const out = spawnSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...extra, file], SPAWN);
  if (out.error) throw new Error(`ffprobe could not run (it is required): ${out.error.message}`);
  expect(out.status, `ffprobe ${file}: ${out.stderr}`).toBe(0);
  expect(out.stderr, `ffprobe ${file} complained`).toBe('');
  return JSON.parse(out.stdout);
}

function readFlvPackets(file: string): MediaPacket[] {
  const reader = new FlvReader();
  const packets: MediaPacket[] = [];
  for (const tag of reader.feed(readFileSync(file))) {
    const packet = mediaFromFlv(tag.type, tag.timestamp, tag.data);
    if (packet) packets.push(packet);
  }
  return packets;
}

const publisher = { clientId: 'test-publisher', kick: () => undefined };

function newSource(stream = 'livestream'): LiveSource {
  return new LiveSource(`__defaultVhost__/live/${stream}`, '__defaultVhost__', 'live', stream, { ...DEFAULT_LIVE_OPTIONS });
}

/** One publish session: every packet (copied, as the source rewrites timestamps) then unpublish. */
function publish(source: LiveSource, packets: readonly MediaPacket[], unpublish = true): void {
  source.publish(publisher);
  for (const p of packets) source.feed({ ...p });
  if (unpublish) source.unpublish(publisher);
}

interface Hls {
  output: HlsOutput;
  source: LiveSource;
  segments: HlsSegmentInfo[];
  m3u8: string;
}

function startHls(root: string, overrides: Partial<HlsOptions>, stream = 'livestream'): Hls {
  const segments: HlsSegmentInfo[] = [];
  const output = new HlsOutput({ ...DEFAULT_HLS_OPTIONS, path: root, dispose: 0, ...overrides, onSegment: (info) => segments.push(info) });
  const source = newSource(stream);
  source.addOutput(output);
  return { output, source, segments, m3u8: join(root, 'live', `${stream}.m3u8`) };
}

function playlistOf(hls: Hls): ParsedMediaPlaylist {
  return parseMediaPlaylist(readFileSync(hls.m3u8, 'utf8'));
}

/**
 * A live playlist (no ENDLIST, as SRS writes it) makes ffmpeg wait for more segments; the
 * tools judge a copy that says the list is complete.
 */
function endedCopy(m3u8: string): string {
  const copy = m3u8.replace(/\.m3u8$/, '-ended.m3u8');
  writeFileSync(copy, readFileSync(m3u8, 'utf8') + '#EXT-X-ENDLIST\n');
  return copy;
}

/** Every PES of a TS file, demuxed with our own demuxer, which must find nothing wrong. */
function demux(data: Buffer) {
  const issues: string[] = [];
  const demuxer = new TsDemuxer({ onIssue: (e) => issues.push(e.message) });
  const pes = [...demuxer.feed(data), ...demuxer.flush()];
  expect(issues).toEqual([]);
  return pes;
}

function firstVideoFrameIsKey(data: Buffer): boolean {
  const video = demux(data).find((p) => p.pid === TsPid.Video);
  if (!video) return false;
  return video.randomAccess && framesOfPes(video)[0]!.keyframe;
}

let work: string;
let avFlv: string;
let audioFlv: string;
let avPackets: MediaPacket[];
let audioPackets: MediaPacket[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tsrs-hls-'));
  avFlv = join(work, 'av.flv');
  audioFlv = join(work, 'audio.flv');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '12', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-c:a', 'aac', '-f', 'flv', avFlv]);
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '12', '-c:a', 'aac', '-f', 'flv', audioFlv]);
  avPackets = readFlvPackets(avFlv);
  audioPackets = readFlvPackets(audioFlv);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('HlsOutput with audio and video', () => {
  let root: string;
  let hls: Hls;

  beforeAll(async () => {
    root = join(work, 'av');
    hls = startHls(root, { fragment: 2, window: 60 });
    publish(hls.source, avPackets);
    await hls.output.flushed();
  });

  it('writes a playlist ffprobe reads, with segments cut at the 2 s keyframes', () => {
    const playlist = playlistOf(hls);
    expect(playlist.version).toBe(3);
    expect(playlist.mediaSequence).toBe(0);
    expect(playlist.segments.length).toBe(6);
    for (const segment of playlist.segments.slice(0, -1)) expect(segment.duration).toBeCloseTo(2, 3);
    expect(playlist.targetDuration).toBe(3); // ceil(2 * hls_td_ratio 1.5)
    const probe = probeJson(endedCopy(hls.m3u8));
    const codecs = probe.streams.map((s) => s.codec_name).sort();
    expect(codecs).toEqual(['aac', 'h264']);
    expect(Number(probe.format.duration)).toBeGreaterThan(11);
  });

  it('every segment is valid TS, starts with a keyframe and lasts what EXTINF says', () => {
    const playlist = playlistOf(hls);
    for (const segment of playlist.segments) {
      const file = join(dirname(hls.m3u8), segment.uri);
      const data = readFileSync(file);
      expect(data.length % 188).toBe(0);
      expect(firstVideoFrameIsKey(data), segment.uri).toBe(true);
      const probe = probeJson(file, ['-show_frames', '-select_streams', 'v', '-read_intervals', '%+#1']);
      expect(probe.frames![0]!.key_frame, segment.uri).toBe(1);
      const video = probe.streams.find((s) => s.codec_type === 'video')!;
      const duration = Number(video.duration);
      expect(Math.abs(duration - segment.duration) / segment.duration, `${segment.uri}: ${duration} vs ${segment.duration}`).toBeLessThan(0.1);
    }
  });

  it('reports each segment to onSegment with SRS hook fields', () => {
    expect(hls.segments.map((s) => s.seqNo)).toEqual([0, 1, 2, 3, 4, 5]);
    const first = hls.segments[0]!;
    expect(first.url).toBe('live/livestream-0.ts');
    expect(first.tsUrl).toBe('livestream-0.ts');
    expect(first.m3u8Url).toBe('live/livestream.m3u8');
    expect(first.file).toBe(join(root, 'live/livestream-0.ts'));
    expect(first.duration).toBeCloseTo(2, 3);
    expect(existsSync(first.file)).toBe(true);
  });

  it('ffmpeg decodes the whole playlist', () => {
    run('ffmpeg', ['-v', 'error', '-xerror', '-i', endedCopy(hls.m3u8), '-f', 'null', '-']);
  });

  it('leaves no temporary files behind', () => {
    expect(readdirSync(dirname(hls.m3u8)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(hls.m3u8, 'utf8')).not.toContain('#EXT-X-ENDLIST');
  });
});

function segmentFiles(hls: Hls): string[] {
  return readdirSync(dirname(hls.m3u8)).filter((f) => f.endsWith('.ts')).sort();
}

describe('HlsOutput window and cleanup', () => {
  it('keeps hls_window seconds of segments and deletes the rest with hls_cleanup', async () => {
    const hls = startHls(join(work, 'window'), { fragment: 2, window: 5 });
    publish(hls.source, avPackets);
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    // Newest first: 1.98 + 2 = 3.98 s, + 2 = 5.98 s crosses the window, so three stay.
    expect(playlist.mediaSequence).toBe(3);
    expect(playlist.segments.map((s) => s.uri)).toEqual(['livestream-3.ts', 'livestream-4.ts', 'livestream-5.ts']);
    expect(segmentFiles(hls)).toEqual(['livestream-3.ts', 'livestream-4.ts', 'livestream-5.ts']);
    probeJson(endedCopy(hls.m3u8));
  });

  it('keeps old files when hls_cleanup is off', async () => {
    const hls = startHls(join(work, 'nocleanup'), { fragment: 2, window: 5, cleanup: false });
    publish(hls.source, avPackets);
    await hls.output.flushed();
    expect(playlistOf(hls).mediaSequence).toBe(3);
    expect(segmentFiles(hls)).toHaveLength(6);
  });
});

describe('HlsOutput audio only', () => {
  it('cuts pure audio at hls_fragment * hls_aof_ratio into valid audio-only TS', async () => {
    const hls = startHls(join(work, 'audio'), { fragment: 2, aofRatio: 1.5 });
    publish(hls.source, audioPackets);
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    expect(playlist.segments.length).toBe(4); // 3 s each out of 12 s
    for (const segment of playlist.segments) {
      const file = join(dirname(hls.m3u8), segment.uri);
      const probe = probeJson(file);
      expect(probe.streams.map((s) => s.codec_name)).toEqual(['aac']);
      const duration = Number(probe.streams[0]!.duration);
      expect(Math.abs(duration - segment.duration) / segment.duration, segment.uri).toBeLessThan(0.1);
    }
    for (const segment of playlist.segments.slice(0, -1)) expect(segment.duration).toBeCloseTo(3, 1);
    run('ffmpeg', ['-v', 'error', '-xerror', '-i', endedCopy(hls.m3u8), '-f', 'null', '-']);
  });

  it('carries MP3 as MPEG audio', async () => {
    const flv = join(work, 'mp3.flv');
    run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '5', '-c:a', 'libmp3lame', '-ar', '44100', '-f', 'flv', flv]);
    const hls = startHls(join(work, 'mp3'), { fragment: 2, aofRatio: 1 });
    publish(hls.source, readFlvPackets(flv));
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    expect(playlist.segments.length).toBeGreaterThanOrEqual(2);
    const probe = probeJson(join(dirname(hls.m3u8), playlist.segments[0]!.uri));
    expect(probe.streams.map((s) => s.codec_name)).toEqual(['mp3']);
    run('ffmpeg', ['-v', 'error', '-xerror', '-i', endedCopy(hls.m3u8), '-f', 'null', '-']);
  });

  it("hls_vcodec vn turns an A/V stream into audio-only HLS, hls_acodec an into video-only", async () => {
    const vn = startHls(join(work, 'vn'), { fragment: 2, aofRatio: 1, vcodec: 'vn' });
    publish(vn.source, avPackets);
    await vn.output.flushed();
    const first = join(dirname(vn.m3u8), playlistOf(vn).segments[0]!.uri);
    expect(probeJson(first).streams.map((s) => s.codec_name)).toEqual(['aac']);

    const an = startHls(join(work, 'an'), { fragment: 2, acodec: 'an' });
    publish(an.source, avPackets);
    await an.output.flushed();
    const segments = playlistOf(an).segments;
    expect(segments).toHaveLength(6);
    expect(probeJson(join(dirname(an.m3u8), segments[1]!.uri)).streams.map((s) => s.codec_name)).toEqual(['h264']);
  });
});

describe('HlsOutput AES-128', () => {
  let hls: Hls;

  beforeAll(async () => {
    hls = startHls(join(work, 'aes'), { fragment: 2, keys: true, fragmentsPerKey: 4 });
    publish(hls.source, avPackets);
    await hls.output.flushed();
  });

  it('lists a key per hls_fragments_per_key segments, stored next to the playlist', () => {
    const text = readFileSync(hls.m3u8, 'utf8');
    const keyLines = text.split('\n').filter((l) => l.startsWith('#EXT-X-KEY'));
    expect(keyLines).toEqual(['#EXT-X-KEY:METHOD=AES-128,URI="livestream-0.key"', '#EXT-X-KEY:METHOD=AES-128,URI="livestream-4.key"']);
    const playlist = playlistOf(hls);
    expect(playlist.segments.map((s) => s.key?.uri)).toEqual([0, 0, 0, 0, 4, 4].map((n) => `livestream-${n}.key`));
    expect(readFileSync(join(dirname(hls.m3u8), 'livestream-0.key'))).toHaveLength(16);
  });

  it('segments are ciphertext that decrypts (IV = sequence number) into valid TS', () => {
    const playlist = playlistOf(hls);
    for (const segment of playlist.segments) {
      const dir = dirname(hls.m3u8);
      const encrypted = readFileSync(join(dir, segment.uri));
      // Plain TS has a 0x47 sync byte every 188 bytes; ciphertext keeps almost none of them
      // (a single byte is 0x47 by chance 1 time in 256, so count ten positions).
      const syncs = Array.from({ length: 10 }, (_, i) => encrypted[i * 188]).filter((b) => b === 0x47).length;
      expect(syncs).toBeLessThan(5);
      expect(encrypted.length % 16).toBe(0);
      const key = readFileSync(join(dir, segment.key!.uri!));
      const clear = decryptSegment(encrypted, key, ivForSequence(segment.sequence));
      expect(clear.length % 188).toBe(0);
      expect(firstVideoFrameIsKey(clear)).toBe(true);
      const decrypted = join(work, `aes-clear-${segment.sequence}.ts`);
      writeFileSync(decrypted, clear);
      probeJson(decrypted);
    }
  });

  it('openssl decrypts a segment the same way', () => {
    const dir = dirname(hls.m3u8);
    const segment = playlistOf(hls).segments[5]!;
    const key = readFileSync(join(dir, segment.key!.uri!)).toString('hex');
    const out = join(work, 'aes-openssl.ts');
    run('openssl', ['aes-128-cbc', '-d', '-K', key, '-iv', ivForSequence(5).toString('hex'), '-in', join(dir, segment.uri), '-out', out]);
    probeJson(out);
  });

  it('ffmpeg decodes the encrypted playlist', () => {
    run('ffmpeg', ['-v', 'error', '-xerror', '-allowed_extensions', 'ALL', '-i', endedCopy(hls.m3u8), '-f', 'null', '-']);
  });
});

/** Packets of a second publish: metadata and sequence headers, then from the keyframe at `fromMs` on. */
function resumeAt(packets: readonly MediaPacket[], fromMs: number): MediaPacket[] {
  const headers = packets.filter((p) => p.kind === 'data' || p.isSequenceHeader);
  const start = packets.findIndex((p) => p.isKeyframe && p.timestamp >= fromMs);
  return [...headers, ...packets.slice(start).filter((p) => !p.isSequenceHeader && p.kind !== 'data')];
}

describe('HlsOutput republish and dispose', () => {
  const firstHalf = () => avPackets.filter((p) => p.timestamp < 5000);

  it('continues the sequence behind EXT-X-DISCONTINUITY (hls_continuous on)', async () => {
    const hls = startHls(join(work, 'republish'), { fragment: 2 });
    publish(hls.source, firstHalf());
    publish(hls.source, resumeAt(avPackets, 6000));
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    const flags = playlist.segments.map((s) => Boolean(s.discontinuity));
    expect(playlist.segments.map((s) => s.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(flags).toEqual([false, false, false, true, false, false]);
    expect(readFileSync(hls.m3u8, 'utf8')).toContain('#EXT-X-DISCONTINUITY\n#EXTINF');
    run('ffmpeg', ['-v', 'error', '-i', endedCopy(hls.m3u8), '-f', 'null', '-']);
  });

  it('starts a fresh playlist from sequence 0 with hls_continuous off', async () => {
    const hls = startHls(join(work, 'fresh'), { fragment: 2, continuous: false });
    publish(hls.source, firstHalf());
    publish(hls.source, resumeAt(avPackets, 6000));
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    expect(playlist.mediaSequence).toBe(0);
    expect(playlist.segments.some((s) => s.discontinuity)).toBe(false);
    expect(playlist.segments).toHaveLength(3);
    expect(segmentFiles(hls)).toEqual(['livestream-0.ts', 'livestream-1.ts', 'livestream-2.ts']);
  });

  it('removes every file hls_dispose seconds after unpublish, and stays active until then', async () => {
    const hls = startHls(join(work, 'dispose'), { fragment: 2, dispose: 0.3 });
    publish(hls.source, firstHalf());
    await hls.output.flushed();
    expect(hls.output.isActive()).toBe(true);
    expect(hls.source.isIdle()).toBe(false);
    expect(existsSync(hls.m3u8)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    await hls.output.flushed();
    expect(hls.output.isActive()).toBe(false);
    expect(existsSync(hls.m3u8)).toBe(false);
    expect(segmentFiles(hls)).toEqual([]);
  });

  it('a republish before hls_dispose keeps the files', async () => {
    const hls = startHls(join(work, 'dispose-cancel'), { fragment: 2, dispose: 0.2 });
    publish(hls.source, firstHalf());
    publish(hls.source, resumeAt(avPackets, 6000), false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await hls.output.flushed();
    expect(existsSync(hls.m3u8)).toBe(true);
    expect(segmentFiles(hls).length).toBeGreaterThan(2);
  });
});

describe('HlsOutput cutting and naming options', () => {
  it('hls_wait_keyframe off cuts at hls_fragment between keyframes', async () => {
    const hls = startHls(join(work, 'nowait'), { fragment: 1, waitKeyframe: false });
    publish(hls.source, avPackets);
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    expect(playlist.segments.length).toBe(12);
    for (const segment of playlist.segments.slice(0, -1)) expect(segment.duration).toBeCloseTo(1, 1);
    const keyStarts = playlist.segments.map((s) => firstVideoFrameIsKey(readFileSync(join(dirname(hls.m3u8), s.uri))));
    expect(keyStarts.filter(Boolean).length).toBe(6);
  });

  it('hls_dts_directly off still makes a valid stream', async () => {
    const hls = startHls(join(work, 'smooth'), { fragment: 2, dtsDirectly: false });
    publish(hls.source, avPackets.filter((p) => p.timestamp < 4500));
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    expect(playlist.segments).toHaveLength(3);
    const probe = probeJson(join(dirname(hls.m3u8), playlist.segments[1]!.uri));
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  });

  it('renders hls_ts_file variables and applies hls_entry_prefix', async () => {
    const hls = startHls(join(work, 'names'), {
      fragment: 2,
      tsFile: '[vhost]/[app]/[stream]/[2006][01][02]-[seq]-[duration].ts',
      entryPrefix: 'http://cdn.example.com',
    });
    publish(hls.source, avPackets.filter((p) => p.timestamp < 4500));
    await hls.output.flushed();
    const playlist = playlistOf(hls);
    const now = new Date();
    const day = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
    expect(playlist.segments[0]!.uri).toBe(`http://cdn.example.com/live/../__defaultVhost__/live/livestream/${day}-0-2000.ts`);
    expect(hls.segments[0]!.url).toBe(`__defaultVhost__/live/livestream/${day}-0-2000.ts`);
    expect(existsSync(hls.segments[0]!.file)).toBe(true);
  });

  it('refuses a stream name that would write outside hls_path', async () => {
    const root = join(work, 'jail', 'root');
    const hls = startHls(root, { fragment: 2 }, '../../escaped');
    expect(() => publish(hls.source, avPackets.slice(0, 200))).not.toThrow();
    await hls.output.flushed();
    expect(existsSync(join(work, 'escaped.m3u8'))).toBe(false);
    expect(existsSync(join(work, 'jail'))).toBe(false);
  });

  it('joins a stream already publishing, using the cached sequence headers', async () => {
    const root = join(work, 'late');
    const segments: HlsSegmentInfo[] = [];
    const output = new HlsOutput({ ...DEFAULT_HLS_OPTIONS, path: root, dispose: 0, fragment: 2, onSegment: (i) => segments.push(i) });
    const source = newSource();
    source.publish(publisher);
    const packets = avPackets.map((p) => ({ ...p }));
    const cut = packets.findIndex((p) => p.timestamp > 1000);
    for (const p of packets.slice(0, cut)) source.feed(p);
    source.addOutput(output);
    for (const p of packets.slice(cut)) source.feed(p);
    source.unpublish(publisher);
    await output.flushed();
    expect(segments.map((s) => s.seqNo)).toEqual([0, 1, 2, 3, 4]);
    probeJson(endedCopy(join(root, 'live', 'livestream.m3u8')));
  });
});
