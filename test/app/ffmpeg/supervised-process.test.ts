import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentDeathPrefix } from '../../../src/app/ffmpeg/child-guard.js';
import { SupervisedProcess } from '../../../src/app/ffmpeg/supervised-process.js';
import { fillTemplate, safeName } from '../../../src/app/ffmpeg/template.js';
import { streamKeyOfUrl } from '../../../src/app/ffmpeg/rtmp-url.js';
import { alive, waitFor } from '../dvr/harness.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsrs-ff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SupervisedProcess', () => {
  it('restarts a dying command with a doubling back-off, logging its output to the file', async () => {
    const runs = join(dir, 'runs.txt');
    const log = join(dir, 'logs', 'dying.log');
    const process = new SupervisedProcess(
      { name: 'dying', bin: 'sh', args: ['-c', `date +%s%N >> ${runs}; echo oops >&2; exit 3`], logFile: log },
      { minBackoffMs: 100, maxBackoffMs: 400, healthyRunMs: 60_000 },
    );
    process.start();
    await waitFor('5 runs', () => process.starts >= 5, 10_000);
    await process.stop();
    expect(process.state).toBe('stopped');
    const times = readFileSync(runs, 'utf8').trim().split('\n').map((t) => Number(BigInt(t) / 1_000_000n));
    const gaps = times.slice(1, 5).map((t, i) => t - times[i]!);
    // 100, 200, 400, 400 ms (plus process start time).
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(gaps[3]).toBeGreaterThanOrEqual(395);
    expect(gaps[3]).toBeLessThan(800);
    expect(process.lastExit).toEqual({ code: 3, signal: null });
    expect(readFileSync(log, 'utf8')).toContain('oops');
    const count = process.starts;
    await new Promise((r) => setTimeout(r, 500));
    expect(process.starts).toBe(count); // stopped means stopped
  });

  it('stop() sends SIGTERM, and SIGKILL to a command that ignores it', async () => {
    const polite = new SupervisedProcess({ name: 'polite', bin: 'sleep', args: ['30'], logFile: '/dev/null' });
    polite.start();
    const politePid = await waitFor('pid', () => polite.pid);
    await polite.stop();
    expect(polite.lastExit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(alive(politePid)).toBe(false);

    const stubborn = new SupervisedProcess(
      { name: 'stubborn', bin: process.execPath, args: ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], logFile: join(dir, 'stubborn.log') },
      { stopGraceMs: 300 },
    );
    stubborn.start();
    await waitFor('ready', () => {
      try {
        return readFileSync(join(dir, 'stubborn.log'), 'utf8').includes('ready');
      } catch {
        return false;
      }
    });
    const started = Date.now();
    await stubborn.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(stubborn.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('a missing binary is retried while wanted, and stop() works during the back-off', async () => {
    const missing = new SupervisedProcess({ name: 'missing', bin: join(dir, 'no-such-ffmpeg'), args: [], logFile: join(dir, 'missing.log') }, { minBackoffMs: 50 });
    missing.start();
    await waitFor('a retry', () => missing.starts >= 2, 5000);
    await missing.stop();
    expect(missing.state).toBe('stopped');
    const once = new SupervisedProcess({ name: 'once', bin: 'true', args: [], logFile: '' }, { restart: false });
    once.start();
    await waitFor('exit', () => once.state === 'stopped');
    expect(once.starts).toBe(1);
  });
});

describe('children never outlive the server', () => {
  const script = resolve(__dirname, 'guard-script.ts');
  const viteNode = resolve(__dirname, '..', '..', '..', 'node_modules', '.bin', 'vite-node');

  async function standIn(mode: 'throw' | 'wait') {
    const child = spawn(viteNode, [script, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const pid = Number(await waitFor('the guarded child pid', () => /^\d+\n/.test(out) && out.trim(), 20_000));
    return { child, pid };
  }

  it('uses setpriv --pdeathsig on this Linux machine', () => {
    expect(parentDeathPrefix()).toEqual(['setpriv', '--pdeathsig', 'KILL', '--']);
  });

  it('an uncaught exception in the server kills its children', async () => {
    const { child, pid } = await standIn('throw');
    await new Promise((r) => child.once('exit', r));
    await waitFor('the child killed', () => !alive(pid), 5000);
  });

  it('SIGKILL of the server kills its children (parent-death signal)', async () => {
    const { child, pid } = await standIn('wait');
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor('the child killed', () => !alive(pid), 5000);
  });
});

describe('templates and URLs', () => {
  it('fills SRS variables and time fields, keeps unknown ones', () => {
    const t = new Date(2024, 1, 3, 4, 5, 6, 7);
    expect(fillTemplate('[vhost]/[app]/[stream]_[engine]:[port] [2006]-[01]-[02] [15]:[04]:[05].[999] [timestamp] [nope]', { vhost: 'v', app: 'a', stream: 's', engine: 'e', port: 1935 }, t)).toBe(
      `v/a/s_e:1935 2024-02-03 04:05:06.007 ${t.getTime()} [nope]`,
    );
    expect(safeName('../a b/c')).toBe('__a_b_c');
  });

  it('finds the stream an output URL publishes', () => {
    const known = (name: string) => name === 'v.test';
    expect(streamKeyOfUrl('rtmp://127.0.0.1:1935/live?vhost=v.test/s_sd', known)).toBe('v.test/live/s_sd');
    expect(streamKeyOfUrl('rtmp://127.0.0.1/live/s?vhost=v.test', known)).toBe('v.test/live/s');
    expect(streamKeyOfUrl('rtmp://127.0.0.1/live/s?vhost=other', known)).toBe('__defaultVhost__/live/s');
    expect(streamKeyOfUrl('rtmp://127.0.0.1/live', known)).toBeUndefined();
    expect(streamKeyOfUrl('/tmp/out.flv', known)).toBeUndefined();
  });
});
