// The servers under test. Each one knows how to make itself available
// (install or build check), write its config into a scratch directory and
// name the command that runs it in the foreground. Any RTMP server can be
// added with --server NAME=CMD (see customServer).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run, which } from './proc.mjs';

const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.join(benchDir, '..');
export const APP = 'live';

/**
 * @typedef {{ port: number, httpPort: number, dir: string, variant: string }} StartOptions
 * @typedef {{
 *   key: string, label: string, httpFlv: boolean,
 *   latencyVariants: { variant: string, label: string }[],
 *   publisherVariants?: { variant: string, label: string }[],
 *   prepare(opts: { install: boolean, scratch: string }): { ok: boolean, reason?: string },
 *   version(): string,
 *   command(o: StartOptions): { argv: string[], cwd?: string },
 * }} Server
 */

// ------------------------------------------------------------------ nginx-rtmp

const NGINX_MODULE_CANDIDATES = ['/usr/lib/nginx/modules/ngx_rtmp_module.so', '/usr/share/nginx/modules/ngx_rtmp_module.so'];

function nginxModulePath() {
  for (const p of NGINX_MODULE_CANDIDATES) if (existsSync(p)) return p;
  // Debian's modules-available snippet names the module relative to nginx's prefix.
  const snippet = '/usr/share/nginx/modules-available/mod-rtmp.conf';
  if (existsSync(snippet)) {
    const m = /load_module\s+([^;]+);/.exec(readFileSync(snippet, 'utf8'));
    if (m) {
      const p = path.isAbsolute(m[1]) ? m[1] : path.join('/usr/share/nginx', m[1]);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

function nginxHasStaticRtmp() {
  const r = run('nginx', ['-V']);
  return /rtmp/i.test(r.stderr);
}

function aptInstall(packages) {
  if (process.getuid?.() !== 0) return { ok: false, reason: `not root: install ${packages.join(' ')} by hand` };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = run('apt-get', ['install', '-y', '-q', ...packages], { env });
  if (r.code !== 0) {
    run('apt-get', ['update', '-q'], { env });
    r = run('apt-get', ['install', '-y', '-q', ...packages], { env });
  }
  return r.code === 0 ? { ok: true } : { ok: false, reason: `apt-get install ${packages.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` };
}

/** @type {Server} */
export const nginxRtmp = {
  key: 'nginx',
  label: 'nginx-rtmp',
  httpFlv: false,
  latencyVariants: [{ variant: 'default', label: 'nginx-rtmp' }],
  prepare({ install }) {
    const ready = () => which('nginx') && (nginxModulePath() || nginxHasStaticRtmp());
    if (!ready() && install) {
      const r = aptInstall(['nginx', 'libnginx-mod-rtmp']);
      if (!r.ok) return r;
    }
    if (!ready()) return { ok: false, reason: 'nginx with the rtmp module is not installed (apt-get install nginx libnginx-mod-rtmp)' };
    return { ok: true };
  },
  version() {
    const v = run('nginx', ['-v']).stderr.trim().split('\n')[0].replace(/^nginx version:\s*/, '');
    const mod = run('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-rtmp']).stdout.trim();
    return `${v}${mod ? `, libnginx-mod-rtmp ${mod}` : ''}`;
  },
  command({ port, dir }) {
    const template = readFileSync(path.join(benchDir, 'nginx', 'nginx.conf.template'), 'utf8');
    const module = nginxModulePath();
    const conf = template
      .replaceAll('{{LOAD_MODULE}}', module ? `load_module ${module};` : '# rtmp module built in')
      .replaceAll('{{USER}}', process.getuid?.() === 0 ? 'user root;' : '# not root: workers keep our user')
      .replaceAll('{{DIR}}', dir)
      .replaceAll('{{PORT}}', String(port))
      .replaceAll('{{APP}}', APP);
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, conf);
    // -e: nginx opens its default error log before reading the config; keep even that in dir.
    return { argv: ['nginx', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', file] };
  },
};

// ------------------------------------------------------------------ tsrs

/** The SRS-syntax config the benchmark runs tsrs with. */
export function tsrsConfig({ port, httpPort, variant, httpFlv }) {
  const lines = [
    `listen              ${port};`,
    'max_connections     20000;',
    'daemon              off;',
    'srs_log_tank        console;',
    'srs_log_level       warn;',
  ];
  if (httpFlv) lines.push('http_server {', '    enabled on;', `    listen ${httpPort};`, '}');
  lines.push('vhost __defaultVhost__ {');
  if (variant === 'min_latency') {
    // SRS's low-latency recipe (conf/realtime.conf): no merged writes, no Nagle.
    lines.push('    tcp_nodelay on;', '    min_latency on;', '    play {', '        mw_latency 0;', '    }');
  }
  if (variant === 'merged_read') {
    // SRS's merged read for publishers: fewer, larger reads, up to mr_latency later.
    lines.push('    publish {', '        mr on;', '        mr_latency 350;', '    }');
  }
  if (httpFlv) lines.push('    http_remux {', '        enabled on;', '        mount [vhost]/[app]/[stream].flv;', '    }');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** @type {Server} */
export const tsrs = {
  key: 'tsrs',
  label: 'tsrs',
  httpFlv: true,
  latencyVariants: [
    { variant: 'default', label: 'tsrs' },
    { variant: 'min_latency', label: 'tsrs min_latency' },
  ],
  publisherVariants: [
    { variant: 'default', label: 'tsrs' },
    { variant: 'merged_read', label: 'tsrs mr' },
  ],
  prepare() {
    if (!existsSync(path.join(repoRoot, 'bin', 'tsrs.js'))) return { ok: false, reason: 'bin/tsrs.js is missing' };
    return { ok: true }; // a missing build shows up as a start failure with node's error in the log
  },
  version() {
    try {
      const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
      return `${pkg.version}`;
    } catch {
      return 'unknown';
    }
  },
  command({ port, httpPort, dir, variant }) {
    const file = path.join(dir, 'tsrs.conf');
    writeFileSync(file, tsrsConfig({ port, httpPort, variant, httpFlv: true }));
    return { argv: [process.execPath, path.join(repoRoot, 'bin', 'tsrs.js'), '-c', file], cwd: repoRoot };
  },
};

// ------------------------------------------------------------------ node-media-server

const NMS_VERSION = '4.4.3';

/** @type {Server} */
export const nodeMediaServer = {
  key: 'nms',
  label: 'node-media-server',
  httpFlv: true,
  latencyVariants: [{ variant: 'default', label: 'node-media-server' }],
  nmsDir: '',
  prepare({ install, scratch }) {
    this.nmsDir = path.join(scratch, 'nms');
    const pkg = path.join(this.nmsDir, 'node_modules', 'node-media-server', 'package.json');
    if (!existsSync(pkg) && install) {
      mkdirSync(this.nmsDir, { recursive: true });
      const own = path.join(this.nmsDir, 'package.json');
      if (!existsSync(own)) writeFileSync(own, '{"name":"tsrs-bench-nms","private":true}\n');
      const r = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node-media-server@${NMS_VERSION}`], {
        cwd: this.nmsDir,
        timeout: 5 * 60 * 1000,
      });
      if (r.code !== 0) return { ok: false, reason: `npm install node-media-server failed: ${r.stderr.trim().slice(-300)}` };
    }
    if (!existsSync(pkg)) return { ok: false, reason: 'node-media-server is not installed' };
    return { ok: true };
  },
  version() {
    try {
      return JSON.parse(readFileSync(path.join(this.nmsDir, 'node_modules', 'node-media-server', 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  },
  command({ port, httpPort, dir }) {
    const config = {
      bind: '127.0.0.1',
      notify: { url: '' },
      store: { path: path.join(dir, 'data'), maxHistory: 100 },
      auth: { play: false, publish: false, secret: '' },
      rtmp: { port },
      http: { port: httpPort },
      webadmin: { enable: false },
      record: { auto: false, path: path.join(dir, 'record') },
    };
    writeFileSync(path.join(dir, 'nms.json'), JSON.stringify(config, null, 2));
    // NMS v4 forces its logger to "debug" and logs every session; warn is the fair comparison with the others.
    const launcher = `const NodeMediaServer = require('node-media-server');
const logger = require('node-media-server/src/core/logger.js');
const config = require(${JSON.stringify(path.join(dir, 'nms.json'))});
const nms = new NodeMediaServer(config, ${JSON.stringify(path.join(dir, 'nms.json'))});
logger.level = 'warn';
nms.run();
`;
    const file = path.join(dir, 'nms-launcher.cjs');
    writeFileSync(file, launcher);
    return { argv: [process.execPath, file], cwd: this.nmsDir, env: { ...process.env, NODE_PATH: path.join(this.nmsDir, 'node_modules') } };
  },
};

// ------------------------------------------------------------------ any RTMP server

/**
 * --server 'NAME=CMD' or 'NAME@PORT=CMD'. CMD runs under `sh -c`; {port},
 * {http_port} and {dir} are replaced. Without {port} the server must listen
 * on PORT (default 1935). The app is always "live".
 * @returns {Server}
 */
export function customServer(spec) {
  const m = /^([A-Za-z0-9_.-]+)(?:@(\d+))?=(.+)$/s.exec(spec);
  if (!m) throw new Error(`--server wants NAME=CMD or NAME@PORT=CMD, got: ${spec}`);
  const [, name, fixedPort, cmd] = m;
  return {
    key: name,
    label: name,
    httpFlv: cmd.includes('{http_port}'),
    fixedPort: cmd.includes('{port}') ? null : Number(fixedPort ?? 1935),
    latencyVariants: [{ variant: 'default', label: name }],
    prepare() {
      return { ok: true };
    },
    version() {
      return cmd;
    },
    command({ port, httpPort, dir }) {
      const line = cmd.replaceAll('{port}', String(port)).replaceAll('{http_port}', String(httpPort)).replaceAll('{dir}', dir);
      // exec keeps the server's pid equal to ours when the command is a single program.
      return { argv: ['sh', '-c', /[;&|]/.test(line) ? line : `exec ${line}`] };
    },
  };
}

export const builtinServers = { nginx: nginxRtmp, tsrs, nms: nodeMediaServer };
