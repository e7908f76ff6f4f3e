import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';
import { freePort, runCli, startServer, tempDir, writeConf, type RunningServer } from '../helpers/process.js';

const running: RunningServer[] = [];
afterEach(() => {
  for (const server of running.splice(0)) server.kill();
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function minimalConf(port: number, extra = ''): string {
  return `listen ${port};\ndaemon off;\nsrs_log_tank console;\npid ./tsrs.pid;\ngrace_final_wait 100;\n${extra}\nvhost __defaultVhost__ {\n}\n`;
}

describe('tsrs command line', () => {
  it('prints the version and the help', () => {
    expect(runCli(['-v']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = runCli(['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('-t');
  });

  it('checks the shipped configs: exit 0', () => {
    for (const conf of ['conf/srs.conf', 'conf/full.conf', 'conf/rtmp.conf']) {
      const result = runCli(['-t', '-c', conf]);
      expect(result.code, `${conf}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain('test is successful');
    }
  });

  it('a typo exits 1 naming the file and the line', () => {
    const dir = tempDir();
    const conf = writeConf(dir, 'typo.conf', 'listen 1935;\nvhost __defaultVhost__ {\n    play {\n        gop_cache onn;\n    }\n}\n');
    const result = runCli(['-t', '-c', conf]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${conf}:4:`);
  });

  it('an unknown directive is a warning with file:line, not an error', () => {
    const dir = tempDir();
    const conf = writeConf(dir, 'unknown.conf', 'listen 1935;\nno_such_thing on;\n');
    const result = runCli(['-t', '-c', conf]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${conf}:2: unknown directive "no_such_thing"`);
  });

  it('a missing config file exits 1 and starts nothing', () => {
    const result = runCli(['-c', '/nonexistent/tsrs.conf']);
    expect(result.code).toBe(1);
  });
});

describe('server lifecycle and signals', () => {
  it('serves, keeps running on SIGHUP with a broken config, applies a good one, and quits on SIGTERM with 0', async () => {
    const dir = tempDir();
    const [port, port2] = [await freePort(), await freePort()];
    const conf = writeConf(dir, 'srs.conf', minimalConf(port));
    const server = startServer(conf, dir);
    running.push(server);
    await server.waitFor(/ready/);
    expect(await canConnect(port)).toBe(true);
    expect(readFileSync(join(dir, 'tsrs.pid'), 'utf8').trim()).toBe(String(server.child.pid));

    writeFileSync(conf, 'listen 1935\nvhost {{{\n');
    server.kill('SIGHUP');
    await server.waitFor(/keeping the running config/);
    expect(await canConnect(port)).toBe(true);

    writeFileSync(conf, minimalConf(port2));
    server.kill('SIGHUP');
    await server.waitFor(/reload: applied/);
    await sleep(100);
    expect(await canConnect(port2)).toBe(true);
    expect(await canConnect(port)).toBe(false);

    server.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
    expect(existsSync(join(dir, 'tsrs.pid'))).toBe(false);
  });

  it('quits at once on SIGINT', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server = startServer(writeConf(dir, 'srs.conf', minimalConf(port, 'grace_final_wait 60000;')), dir);
    running.push(server);
    await server.waitFor(/ready/);
    const started = Date.now();
    server.kill('SIGINT');
    expect(await server.exited()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('logs to a file with context ids and reopens it on SIGUSR1', async () => {
    const dir = tempDir();
    const port = await freePort();
    const conf = writeConf(dir, 'srs.conf', `listen ${port};\ndaemon off;\nsrs_log_tank file;\nsrs_log_file ./srs.log;\npid ./tsrs.pid;\n`);
    const server = startServer(conf, dir);
    running.push(server);
    const logPath = join(dir, 'srs.log');
    const deadline = Date.now() + 10_000;
    while (!(existsSync(logPath) && readFileSync(logPath, 'utf8').includes('ready')) && Date.now() < deadline) await sleep(50);
    expect(readFileSync(logPath, 'utf8')).toMatch(/\[Trace\]\[\d+\]\[[a-z0-9]{8}\] .*ready/);
    // logrotate: move the file away, then SIGUSR1 makes the server write a new one.
    const { renameSync } = await import('node:fs');
    renameSync(logPath, `${logPath}.1`);
    server.kill('SIGUSR1');
    while (!existsSync(logPath) && Date.now() < deadline + 5000) await sleep(50);
    expect(readFileSync(logPath, 'utf8')).toContain('log file reopened');
    server.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
  });

  it('daemon on detaches, writes the pid file and keeps serving', async () => {
    const dir = tempDir();
    const port = await freePort();
    const conf = writeConf(dir, 'srs.conf', `listen ${port};\ndaemon on;\nsrs_log_tank file;\nsrs_log_file ./srs.log;\npid ./tsrs.pid;\ngrace_final_wait 100;\n`);
    const launcher = runCli(['-c', conf], dir);
    expect(launcher.code).toBe(0);
    const pidPath = join(dir, 'tsrs.pid');
    const deadline = Date.now() + 10_000;
    while (!existsSync(pidPath) && Date.now() < deadline) await sleep(50);
    const pid = Number(readFileSync(pidPath, 'utf8'));
    try {
      expect(pid).toBeGreaterThan(0);
      while (!(await canConnect(port)) && Date.now() < deadline) await sleep(50);
      expect(await canConnect(port)).toBe(true);
    } finally {
      process.kill(pid, 'SIGTERM');
    }
    while (existsSync(pidPath) && Date.now() < deadline + 5000) await sleep(50);
    expect(existsSync(pidPath)).toBe(false);
  });
});
