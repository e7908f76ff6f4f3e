import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecCommand, rtmpUrlOf, type ExecVars } from '../../../src/app/exec/exec-command.js';
import { createExecFactory, type ExecFactory } from '../../../src/app/exec/exec-output.js';
import { makeFlv, publishWithFfmpeg, requireFfmpeg } from '../../helpers/media.js';
import { alive, startTestServer, waitFor, type TestServer } from '../dvr/harness.js';

const vars: ExecVars = {
  vhost: 'v.test',
  app: 'live',
  stream: 's',
  host: 'example.com',
  port: 1936,
  tcUrl: 'rtmp://example.com:1936/live',
  swfUrl: '',
  pageUrl: 'http://page',
  param: '?token=1',
};

describe('exec command lines', () => {
  it('substitutes SRS variables and takes out redirections', () => {
    const cmd = buildExecCommand(
      ['./ffmpeg', '-i', '[url]', '-f', 'flv', '[vhost]-[app]-[stream]-[port]-[2006].flv', '1>/tmp/o', '2>', '/tmp/e', '[unknown]'],
      vars,
      new Date(2024, 0, 2),
    );
    expect(cmd).toEqual({
      bin: './ffmpeg',
      args: ['-i', 'rtmp://example.com:1936/live/s?token=1&vhost=v.test', '-f', 'flv', 'v.test-live-s-1936-2024.flv', '[unknown]'],
      stdoutFile: '/tmp/o',
      stderrFile: '/tmp/e',
      stderrToStdout: false,
    });
    expect(buildExecCommand(['sh', '>out', '2>&1'], vars)).toMatchObject({ args: [], stdoutFile: 'out', stderrToStdout: true });
    expect(rtmpUrlOf({ ...vars, vhost: '__defaultVhost__', param: '' })).toBe('rtmp://example.com:1936/live/s');
    expect(rtmpUrlOf({ ...vars, param: '?vhost=v.test' })).toBe('rtmp://example.com:1936/live/s?vhost=v.test');
  });
});

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('exec on publish', () => {
  let dir: string;
  let server: TestServer;
  let exec: ExecFactory;

  beforeAll(async () => {
    requireFfmpeg();
    dir = mkdtempSync(join(tmpdir(), 'tsrs-exec-'));
    const script = join(dir, 'record-args.sh');
    writeFileSync(script, `#!/bin/sh\necho "$$ $*" >> ${dir}/args.txt\necho to-stdout\necho to-stderr >&2\nexec sleep 60\n`);
    chmodSync(script, 0o755);
    server = await startTestServer(`
ff_log_dir ${dir}/logs;
vhost exec.test {
  exec {
    enabled on;
    publish ${script} [vhost] [app] [stream] [tcUrl] [param] [url];
    publish ${script} second 1>${dir}/second.out 2>${dir}/second.err;
  }
}
vhost quiet.test { exec { enabled off; publish ${script} never; } }
`);
    exec = createExecFactory(server.config, { clients: server.ctx.clients });
    server.sources.addOutputFactory(exec);
  });
  afterAll(async () => {
    await server?.close();
    await exec?.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every publish command with the stream variables, and kills them at unpublish', async () => {
    const quiet = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=quiet.test/q'), true);
    const publisher = publishWithFfmpeg(makeFlv(4, 25), server.url('live?vhost=exec.test/cam1'), true);
    try {
      const lines = await waitFor('both commands', () => {
        const text = existsSync(join(dir, 'args.txt')) ? readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n') : [];
        return text.length >= 2 && text;
      });
      const first = lines.find((l) => !l.endsWith(' second'))!;
      const [pid, ...args] = first.split(' ');
      expect(args.slice(0, 3)).toEqual(['exec.test', 'live', 'cam1']);
      expect(args[3]).toBe(`rtmp://127.0.0.1:${server.port}/live?vhost=exec.test`);
      expect(args[4]).toBe('?vhost=exec.test');
      expect(args[5]).toBe(`rtmp://127.0.0.1:${server.port}/live/cam1?vhost=exec.test`);
      const second = Number(lines.find((l) => l.endsWith(' second'))!.split(' ')[0]);
      const pids = [Number(pid), second];
      for (const p of pids) expect(alive(p)).toBe(true);

      // Output went to the per-stream log, or where the command line redirected it.
      await waitFor('outputs', () => existsSync(join(dir, 'second.err')) && readFileSync(join(dir, 'second.err'), 'utf8').includes('to-stderr'));
      expect(readFileSync(join(dir, 'second.out'), 'utf8')).toBe('to-stdout\n');
      const log = readFileSync(join(dir, 'logs', 'exec-exec.test-live-cam1-0.log'), 'utf8');
      expect(log).toContain('to-stdout');
      expect(log).toContain('to-stderr');

      publisher.kill('SIGKILL');
      await exited(publisher);
      await waitFor('commands killed', () => pids.every((p) => !alive(p)));
      await exec.idle();
      // The disabled vhost ran nothing.
      expect(lines.some((l) => l.includes('never'))).toBe(false);
    } finally {
      publisher.kill('SIGKILL');
      quiet.kill('SIGKILL');
      await Promise.all([exited(publisher), exited(quiet)]);
    }
  });
});
