// Builds and runs bench/loadgen's rtmp-load, collecting its JSON lines.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run, sleep, startGroup, stopGroup, which } from './proc.mjs';

const loadgenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'loadgen');
export const loadgenBinary = path.join(loadgenDir, 'build', 'rtmp-load');

/** Builds rtmp-load with make (or g++ directly without make) if missing or out of date. Throws on failure. */
export function buildLoadgen() {
  if (which('make')) {
    const r = run('make', ['-s', '-C', loadgenDir]);
    if (r.code !== 0) throw new Error(`building rtmp-load failed:\n${r.stdout}${r.stderr}`);
  } else {
    const srcs = ['main', 'options', 'loadgen', 'rtmp_session', 'publisher', 'stats', 'flv_file'].map((s) =>
      path.join(loadgenDir, `${s}.cpp`),
    );
    run('mkdir', ['-p', path.dirname(loadgenBinary)]);
    const r = run('g++', ['-O2', '-std=c++17', '-o', loadgenBinary, ...srcs]);
    if (r.code !== 0) throw new Error(`building rtmp-load failed:\n${r.stderr}`);
  }
  if (!existsSync(loadgenBinary)) throw new Error('rtmp-load was not built');
  return loadgenBinary;
}

/**
 * Runs rtmp-load pinned to `cpu` with the given arguments. Resolves to
 * { lines, summary, startedAt, code, stderrFile } where startedAt is the
 * performance.now() of the spawn, the origin of every line's `t`.
 * onLine(obj) is called for each per-second line as it arrives.
 */
export async function runLoadgen(args, { cpu, prefix = [], stderrFile, onLine, timeoutMs }) {
  const pin = cpu === null || cpu === undefined ? [] : ['taskset', '-c', String(cpu)];
  const argv = [...prefix, ...pin, loadgenBinary, ...args];
  const startedAt = performance.now();
  const proc = startGroup(argv, { stdoutPipe: true, stderrFile });
  const lines = [];
  let summary = null;
  const rl = createInterface({ input: proc.child.stdout });
  const drained = new Promise((resolve) => rl.once('close', resolve));
  rl.on('line', (line) => {
    let obj;
    try {
      obj = JSON.parse(line);
    } catch {
      return;
    }
    if (obj.summary) summary = obj;
    else {
      lines.push(obj);
      onLine?.(obj);
    }
  });
  // rtmp-load stops itself after --duration; the timer only guards against a hang.
  const timer = setTimeout(() => stopGroup(proc, 1000), timeoutMs);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  await Promise.race([drained, sleep(2000)]); // 'exit' can come before the last stdout lines
  await stopGroup(proc, 100);
  rl.close();
  return { lines, summary, startedAt, code: code ?? (signal ? 128 : -1), signal, stderrFile };
}
