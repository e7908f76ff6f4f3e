// The benchmark's test stream, generated once with ffmpeg: 60 s of
// 640x360 25 fps H.264 at a constant 536 kbit/s (filler NALs keep it CBR, so
// any window of the stream carries the same number of bytes) plus 64 kbit/s
// AAC: 600 kbit/s in total, a keyframe every 2 s.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

import { run, which } from './proc.mjs';

export const MEDIA_DESCRIPTION = '640x360 25 fps H.264 Main 536 kbit/s CBR + AAC-LC 64 kbit/s stereo, 60 s, keyframe every 2 s, FLV, looped';

/** Returns the path of the FLV, generating it into dir if missing. Throws if ffmpeg is missing or fails. */
export function ensureMedia(dir) {
  const file = path.join(dir, 'bench-600k-v1.flv');
  if (existsSync(file) && statSync(file).size > 1_000_000) return file;
  if (!which('ffmpeg')) throw new Error('ffmpeg is not installed (apt-get install -y ffmpeg)');
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp.flv`;
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '60',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', '536k', '-minrate', '536k', '-maxrate', '536k', '-bufsize', '536k',
    '-x264-params', 'nal-hrd=cbr:force-cfr=1',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
    '-f', 'flv', tmp,
  ];
  const r = run('ffmpeg', args);
  if (r.code !== 0) throw new Error(`ffmpeg failed to generate the test media:\n${r.stderr}`);
  renameSync(tmp, file);
  return file;
}
