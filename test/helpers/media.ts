/**
 * Test media made with FFmpeg (a hard requirement of the suite: a missing ffmpeg fails the
 * tests that need it, loudly). Files are cached per process in a temp folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tsrs-media-'));

export function requireFfmpeg(): void {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('ffmpeg/ffprobe not found: run scripts/install-test-deps.sh (the suite needs FFmpeg)');
  }
}

/** An H.264 + AAC FLV: 320x240 25 fps, keyframe every `gop` frames, `seconds` long. */
export function makeFlv(seconds = 6, gop = 25, extra: string[] = []): string {
  requireFfmpeg();
  const out = join(dir, `av-${seconds}-${gop}-${extra.join('_').replace(/[^a-z0-9]/gi, '')}.flv`);
  if (!existsSync(out)) {
    execFileSync('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(gop), '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '64k', ...extra, '-f', 'flv', out,
    ]);
  }
  return out;
}

/** Publishes a file to an RTMP URL in real time (`-re`), copying the streams. */
export function publishWithFfmpeg(file: string, url: string, loop = false): ChildProcess {
  const args = ['-v', 'error', '-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', file, '-c', 'copy', '-f', 'flv', url];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface ProbedPacket {
  codec_type: 'video' | 'audio';
  pts_time?: string;
  dts_time?: string;
  flags?: string;
}

/** Reads `seconds` of a live URL with ffprobe and returns its packets (and stderr). */
export function probePackets(url: string, seconds: number): Promise<{ packets: ProbedPacket[]; streams: Record<string, unknown>[]; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('ffprobe', [
      '-v', 'error', '-rw_timeout', '10000000', '-read_intervals', `%+${seconds}`,
      '-show_packets', '-show_streams', '-of', 'json', url,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      let parsed: { packets?: ProbedPacket[]; streams?: Record<string, unknown>[] } = {};
      try {
        parsed = JSON.parse(out || '{}');
      } catch {
        // leave empty: the assertions will say so
      }
      resolve({ packets: parsed.packets ?? [], streams: parsed.streams ?? [], stderr: err, code });
    });
  });
}
