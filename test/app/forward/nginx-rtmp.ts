/**
 * nginx with the RTMP module (Debian's libnginx-mod-rtmp) as a peer for forward tests: a
 * temp prefix, daemon off, one `live` application on 127.0.0.1:PORT. A machine without the
 * module fails the test that needs it, naming the package to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../helpers/process.js';

const MODULE_CONF = '/usr/share/nginx/modules-available/mod-rtmp.conf';
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules'];

export interface NginxRtmp {
  port: number;
  url(path: string): string;
  log(): string;
  stop(): Promise<void>;
}

function modulePath(): string {
  if (!existsSync(MODULE_CONF)) {
    throw new Error(`nginx-rtmp is not installed (${MODULE_CONF} missing): apt-get install nginx libnginx-mod-rtmp`);
  }
  for (const dir of MODULE_DIRS) {
    const path = join(dir, 'ngx_rtmp_module.so');
    if (existsSync(path)) return path;
  }
  throw new Error('ngx_rtmp_module.so not found: apt-get install libnginx-mod-rtmp');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startNginxRtmp(): Promise<NginxRtmp> {
  const module = modulePath();
  const prefix = mkdtempSync(join(tmpdir(), 'tsrs-nginx-'));
  const port = await freePort();
  const errorLog = join(prefix, 'error.log');
  writeFileSync(join(prefix, 'nginx.conf'), [
    'daemon off;',
    'master_process off;',
    `load_module ${module};`,
    `error_log ${errorLog} info;`,
    `pid ${join(prefix, 'nginx.pid')};`,
    'events { worker_connections 128; }',
    `rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { live on; } } }`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-e', errorLog, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const log = () => `${stderr}${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    if (await listening(port)) return { port, url: (path) => `rtmp://127.0.0.1:${port}/${path}`, log, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stop();
  throw new Error(`nginx-rtmp did not start on ${port}: ${log()}`);
}
