#!/usr/bin/env node
// tsrs benchmark: tsrs against nginx-rtmp (and node-media-server, and any
// RTMP server given with --server) on the same machine, the server pinned to
// one CPU and the load generator to another. See bench/README.md.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildLoadgen } from './lib/loadgen.mjs';
import { ensureMedia, MEDIA_DESCRIPTION } from './lib/media.mjs';
import { cpuBusyPct, installCleanup, killAllGroups, readCpuTimes, run, sleep, which } from './lib/proc.mjs';
import { anyFailed, headerSection, latencySection, playersSection, publishersSection } from './lib/report.mjs';
import { latencyScenario, playersScenario, publishersScenario } from './lib/scenarios.mjs';
import { builtinServers, customServer, repoRoot } from './lib/servers.mjs';

const USAGE = `usage: node bench/run.mjs [options]
  --quick                 smoke run (~2 min): few clients, short steps; report goes to /tmp/tsrs-bench/results
  --servers LIST          built-in servers to run: nginx,tsrs,nms (default nginx,tsrs,nms; quick: nginx,tsrs)
  --server NAME=CMD       also run any RTMP server; CMD may use {port} {http_port} {dir} (repeatable);
                          NAME@PORT=CMD when CMD cannot take a port; app is "live"
  --scenarios LIST        1 players, 2 publishers, 3 HTTP-FLV players, 4 latency (default 1,2,3,4)
  --players LIST          scenario 1/3 steps (default 1000,2000,4000,6000,9000,12000)
  --publishers LIST       scenario 2 steps (default 200,800,1600,3200,4800)
  --step-seconds S        length of each step (default 25)
  --window S              receive-rate window of rtmp-load (default 10)
  --latency-seconds S     length of each latency run (default 30)
  --out DIR               where the report goes (default bench/results; quick: /tmp/tsrs-bench/results)
  --no-install            never apt-get/npm install anything
Environment: BENCH_SERVERS, BENCH_SCENARIOS, BENCH_PLAYERS, BENCH_PUBLISHERS, BENCH_STEP_SECONDS.
Exit status: 0, or 1 when any step failed (a server did not start or died, the load generator failed).`;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const SCRATCH = '/tmp/tsrs-bench';

function parseList(s, what) {
  const xs = String(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (what === 'number') {
    const ns = xs.map(Number);
    if (ns.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`expected positive integers, got ${s}`);
    return ns;
  }
  return xs;
}

function parseArgs(argv) {
  const env = process.env;
  const o = {
    quick: false,
    servers: env.BENCH_SERVERS ? parseList(env.BENCH_SERVERS) : null,
    custom: [],
    scenarios: env.BENCH_SCENARIOS ? parseList(env.BENCH_SCENARIOS, 'number') : [1, 2, 3, 4],
    players: env.BENCH_PLAYERS ? parseList(env.BENCH_PLAYERS, 'number') : null,
    publishers: env.BENCH_PUBLISHERS ? parseList(env.BENCH_PUBLISHERS, 'number') : null,
    stepS: env.BENCH_STEP_SECONDS ? Number(env.BENCH_STEP_SECONDS) : null,
    windowS: null,
    latencyS: null,
    out: null,
    install: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--servers') o.servers = parseList(val());
    else if (a === '--server') o.custom.push(customServer(val()));
    else if (a === '--scenarios') o.scenarios = parseList(val(), 'number');
    else if (a === '--players') o.players = parseList(val(), 'number');
    else if (a === '--publishers') o.publishers = parseList(val(), 'number');
    else if (a === '--step-seconds') o.stepS = Number(val());
    else if (a === '--window') o.windowS = Number(val());
    else if (a === '--latency-seconds') o.latencyS = Number(val());
    else if (a === '--out') o.out = val();
    else if (a === '--no-install') o.install = false;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  const q = o.quick;
  o.servers ??= q ? ['nginx', 'tsrs'] : ['nginx', 'tsrs', 'nms'];
  o.players ??= q ? [20, 100] : [1000, 2000, 4000, 6000, 9000, 12000];
  o.publishers ??= q ? [5, 20] : [200, 800, 1600, 3200, 4800];
  o.stepS ??= q ? 8 : 25;
  o.windowS ??= q ? 3 : 10;
  o.latencyS ??= q ? 6 : 30;
  o.baselineS = q ? 3 : 4;
  o.out ??= q ? path.join(SCRATCH, 'results') : path.join(benchDir, 'results');
  for (const s of o.servers) if (!builtinServers[s]) throw new Error(`unknown server ${s} (built in: ${Object.keys(builtinServers).join(', ')})`);
  for (const s of o.scenarios) if (![1, 2, 3, 4].includes(s)) throw new Error(`unknown scenario ${s}`);
  if (!(o.stepS >= o.windowS + 4)) throw new Error(`--step-seconds must be at least --window + 4 (${o.windowS + 4})`);
  if (o.windowS < 1 || o.windowS > 30) throw new Error('--window must be 1..30');
  return o;
}

function machineInfo() {
  const lscpu = run('lscpu', []).stdout;
  const model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const nofile = run('sh', ['-c', 'ulimit -Hn']).stdout.trim();
  return { cpuModel: model, cores: os.cpus().length, memGb: (os.totalmem() / 2 ** 30).toFixed(0), kernel: os.release(), nofile };
}

function gitCommit() {
  const r = run('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}

function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${e.message}\n${USAGE}`);
    return 2;
  }
  installCleanup();
  const started = new Date();
  const log = (msg) => console.error(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
  mkdirSync(SCRATCH, { recursive: true });
  mkdirSync(opts.out, { recursive: true });

  // Benchmarks on a shared machine lie: note how busy it was before we started.
  const cpuBefore = readCpuTimes();
  await sleep(2000);
  const busy = cpuBusyPct(cpuBefore, readCpuTimes());
  const background = busy.length ? `${busy.map((b, i) => `CPU ${i} ${b.toFixed(0)}%`).join(', ')} busy over 2 s${busy.some((b) => b > 10) ? ' ⚠ (something else is running)' : ''}` : 'unknown';
  log(`machine load: ${background}`);
  log('building rtmp-load');
  buildLoadgen();
  log('test media');
  const media = ensureMedia(path.join(SCRATCH, 'media'));

  const cores = os.cpus().length;
  const canPin = cores >= 2 && which('taskset');
  const niceNote = process.getuid?.() === 0 ? ', both at nice -10' : '';
  const pinning = canPin ? `server on CPU 0, rtmp-load on CPU 1 (taskset)${niceNote}` : 'none (needs 2 CPUs and taskset): numbers are not comparable';

  const servers = [];
  const skipped = [];
  const prepareFailures = [];
  for (const key of opts.servers) {
    const s = builtinServers[key];
    log(`preparing ${s.label}`);
    const r = s.prepare({ install: opts.install, scratch: SCRATCH });
    if (r.ok) servers.push(s);
    else if (key === 'tsrs') {
      servers.push(s); // tsrs must run: its rows fail with the reason
      prepareFailures.push(r.reason);
    } else skipped.push(`${s.label}: ${r.reason}`);
  }
  servers.push(...opts.custom);

  const stamped = stamp(started);
  const rawFile = path.join(opts.out, `${stamped}.raw`);
  const raw = createWriteStream(rawFile);
  const ctx = {
    media,
    scratch: SCRATCH,
    serverCpu: canPin ? 0 : null,
    loadCpu: canPin ? 1 : null,
    nice: process.getuid?.() === 0 && which('nice') ? -10 : 0,
    players: opts.players,
    publishers: opts.publishers,
    stepS: opts.stepS,
    windowS: opts.windowS,
    baselineS: opts.baselineS,
    latencyS: opts.latencyS,
    raw: (obj) => raw.write(`${JSON.stringify(obj)}\n`),
    log,
  };

  const results = { 1: [], 2: [], 3: [], 4: [] };
  for (const scenario of opts.scenarios) {
    for (const s of servers) {
      if (scenario === 3 && !s.httpFlv) continue;
      log(`scenario ${scenario}: ${s.label}`);
      try {
        if (scenario === 1) results[1].push(...(await playersScenario(ctx, s)));
        else if (scenario === 3) results[3].push(...(await playersScenario(ctx, s, { http: true })));
        else if (scenario === 2) {
          for (const v of s.publisherVariants ?? [{ variant: 'default', label: s.label }]) results[2].push(...(await publishersScenario(ctx, s, v)));
        }
        else for (const v of s.latencyVariants) results[4].push(...(await latencyScenario(ctx, s, v)));
      } catch (e) {
        results[scenario].push({ server: s.label, n: 0, failed: `runner error: ${e.stack ?? e}` });
      }
    }
  }
  raw.end();

  const versions = servers.map((s) => `${s.label} ${s.version()}`);
  versions.push(`node ${process.version}`, `tsrs commit ${gitCommit()}`);
  const info = {
    when: started.toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    quick: opts.quick,
    ...machineInfo(),
    pinning,
    versions,
    media: MEDIA_DESCRIPTION,
    stepS: opts.stepS,
    windowS: opts.windowS,
    command: ['node', 'bench/run.mjs', ...process.argv.slice(2)].join(' '),
    skipped: [...skipped, ...prepareFailures.map((r) => `tsrs: ${r}`)],
    background,
  };
  const md = [
    ...headerSection(info),
    ...(opts.scenarios.includes(1)
      ? playersSection(
          'Scenario 1: RTMP players of one stream',
          results[1],
          'One 600 kbit/s stream published by rtmp-load; N RTMP players (ramped 200 per 100 ms) play it. "players ≥ 95% bitrate" counts every requested player, so players that failed to connect count against it; p5 is the 5th percentile of the players\' receive rate.',
        )
      : []),
    ...(opts.scenarios.includes(2) ? publishersSection(results[2]) : []),
    ...(opts.scenarios.includes(3)
      ? playersSection(
          'Scenario 3: HTTP-FLV players of one stream',
          results[3],
          'As scenario 1, but the players use HTTP-FLV (GET /live/STREAM.flv); only servers that serve HTTP-FLV.',
        )
      : []),
    ...(opts.scenarios.includes(4) ? latencySection(results[4]) : []),
    `Raw per-second load-generator lines: \`${rawFile.startsWith(repoRoot) ? path.relative(repoRoot, rawFile) : rawFile}\``,
    '',
  ].join('\n');
  const mdFile = path.join(opts.out, `${stamped}.md`);
  writeFileSync(mdFile, md);
  console.log(md);
  log(`report: ${mdFile}`);
  const failed = anyFailed(Object.values(results));
  if (failed) log('some steps failed: see the report');
  return failed ? 1 : 0;
}

main()
  .then((code) => {
    killAllGroups();
    process.exitCode = code;
  })
  .catch((e) => {
    console.error(`bench: ${e.stack ?? e}`);
    killAllGroups();
    process.exitCode = 1;
  });
