// The four benchmark scenarios. Each starts a fresh server, drives it with
// rtmp-load step by step, and returns table rows. A server that does not
// start or dies marks its rows failed; the run goes on.
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';

import { runLoadgen } from './loadgen.mjs';
import { freePort, sleep, startGroup, startSampler, stopGroup, summarize, tailFile, waitForPort } from './proc.mjs';
import { APP } from './servers.mjs';

/**
 * @typedef {{
 *   media: string, scratch: string, serverCpu: number|null, loadCpu: number|null,
 *   players: number[], publishers: number[], stepS: number, windowS: number, baselineS: number,
 *   latencyS: number, nice: number, raw: (obj: object) => void, log: (msg: string) => void,
 * }} Ctx
 */

// A higher priority (root only) lets the server and rtmp-load win their cores from whatever else runs.
const niceArgs = (ctx) => (ctx.nice ? ['nice', '-n', String(ctx.nice)] : []);

const RAISE_NOFILE = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';

async function startServer(ctx, server, { variant = 'default', needHttp = false } = {}) {
  const port = server.fixedPort ?? (await freePort());
  // With a fixed port, something already listening would be mistaken for our server.
  if (server.fixedPort && (await waitForPort(port, 300))) return { error: `port ${port} is already in use` };
  const httpPort = await freePort();
  mkdirSync(path.join(ctx.scratch, 'runs'), { recursive: true });
  const dir = mkdtempSync(path.join(ctx.scratch, 'runs', `${server.key}-${variant}-`));
  let cmd;
  try {
    cmd = server.command({ port, httpPort, dir, variant });
  } catch (e) {
    return { error: `cannot prepare the command: ${e.message}` };
  }
  const pin = [...niceArgs(ctx), ...(ctx.serverCpu === null ? [] : ['taskset', '-c', String(ctx.serverCpu)])];
  const logFile = path.join(dir, 'server.log');
  const proc = startGroup(['sh', '-c', RAISE_NOFILE, 'sh', ...pin, ...cmd.argv], {
    cwd: cmd.cwd,
    env: cmd.env,
    stdoutFile: logFile,
    stderrFile: logFile,
  });
  let status = null;
  if (!(await waitForPort(port, 20000, proc.alive))) status = `RTMP port ${port} not listening after 20 s`;
  else if (needHttp && !(await waitForPort(httpPort, 5000, proc.alive))) status = `RTMP is up but the HTTP port ${httpPort} (http_server) is not listening after 5 s`;
  if (status) {
    if (!proc.alive()) status = `exited at start (${status})`;
    await stopGroup(proc, 1000);
    const tail = tailFile(logFile, 8);
    return { error: `${status}; log ${logFile}${tail ? `:\n${tail}` : ' is empty'}` };
  }
  ctx.log(`  ${server.label} (${variant}) pid ${proc.pid} on rtmp ${port}${needHttp ? ` http ${httpPort}` : ''}, log ${logFile}`);
  return { proc, port, httpPort, dir, logFile };
}

function deathReason(handle) {
  return `server died; log ${handle.logFile}:\n${tailFile(handle.logFile, 8)}`;
}

/** Runs one rtmp-load step while sampling the server. */
async function loadStep(ctx, handle, args, durationS, label) {
  const sampler = startSampler(handle.proc.pid, 500);
  const stderrFile = path.join(handle.dir, 'loadgen.err');
  const res = await runLoadgen(['--duration', String(durationS), ...args], {
    cpu: ctx.loadCpu,
    prefix: niceArgs(ctx),
    stderrFile,
    timeoutMs: (durationS + 30) * 1000,
  });
  const samples = sampler.stop();
  ctx.raw({ label, args, lines: res.lines, summary: res.summary, code: res.code });
  return { ...res, samples, serverAlive: handle.proc.alive(), loadgenError: res.code !== 0 ? `rtmp-load exited ${res.code}: ${tailFile(stderrFile, 5)}` : null };
}

const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * How busy the server's core was (the server plus the kernel work done
 * there), and how much CPU other programs took meanwhile: a row with much
 * "other" was measured on a busy machine.
 */
function machineLoad(ctx, stats) {
  if (!stats?.coreBusy?.length) return { coreBusy: null, otherPct: null, otherTop: [] };
  return {
    coreBusy: ctx.serverCpu === null ? null : stats.coreBusy[ctx.serverCpu],
    otherPct: stats.others.pct,
    otherTop: stats.others.top,
  };
}

/** Lines of the steady part: from `fromT` on, or the last two lines when there are none. */
function steadyLines(lines, fromT) {
  const steady = lines.filter((l) => l.t >= fromT);
  return steady.length ? steady : lines.slice(-2);
}

function serverStats(step, lines) {
  if (!lines.length) return null;
  return summarize(step.samples, step.startedAt + lines[0].t * 1000, step.startedAt + lines[lines.length - 1].t * 1000);
}

// ------------------------------------------------------------------ scenarios 1 and 3: players

/**
 * One 600 kbit/s stream published by rtmp-load, N players stepped up.
 * http: players use HTTP-FLV (scenario 3).
 */
export async function playersScenario(ctx, server, { http = false } = {}) {
  const scenario = http ? 3 : 1;
  const rows = [];
  const failAll = (from, reason) => {
    for (const n of ctx.players.slice(from)) rows.push({ server: server.label, n, failed: reason });
  };
  let handle = await startServer(ctx, server, { needHttp: http });
  if (handle.error) {
    failAll(0, handle.error);
    return rows;
  }
  try {
    const url = (name) => `rtmp://127.0.0.1:${handle.port}/${APP}/${name}`;
    // Baseline: the publisher alone. RSS per player is measured against it.
    const base = await loadStep(ctx, handle, ['--url', url(`s${scenario}base`), '--publish-file', ctx.media], ctx.baselineS, `s${scenario} ${server.key} baseline`);
    const baseStats = summarize(base.samples, base.startedAt + 1000, base.startedAt + ctx.baselineS * 1000);
    if (!base.serverAlive || !baseStats) {
      failAll(0, base.serverAlive ? 'no baseline sample' : deathReason(handle));
      return rows;
    }
    rows.push({ server: server.label, n: 0, cpuPct: baseStats.cpuPct, rssMb: baseStats.rssMb, baseline: true });
    let overloadedAt = null;
    for (let i = 0; i < ctx.players.length; i++) {
      const n = ctx.players[i];
      if (overloadedAt !== null) {
        rows.push({ server: server.label, n, skipped: `overloaded at ${overloadedAt}` });
        continue;
      }
      if (!handle.proc.alive()) {
        await stopGroup(handle.proc, 500);
        handle = await startServer(ctx, server, { needHttp: http });
        if (handle.error) {
          failAll(i, `restart failed: ${handle.error}`);
          return rows;
        }
      }
      ctx.log(`  scenario ${scenario} ${server.label}: ${n} players`);
      const args = ['--url', url(`s${scenario}n${n}`), '--publish-file', ctx.media, '--players', String(n), '--window', String(ctx.windowS)];
      if (http) args.push('--http-flv', String(handle.httpPort));
      const step = await loadStep(ctx, handle, args, ctx.stepS, `s${scenario} ${server.key} n=${n}`);
      if (!step.serverAlive) {
        rows.push({ server: server.label, n, failed: deathReason(handle) });
        continue;
      }
      if (step.loadgenError || !step.lines.length) {
        rows.push({ server: server.label, n, failed: step.loadgenError ?? 'rtmp-load printed nothing' });
        continue;
      }
      // Steady: every player opened, then one full window so each one is judged.
      const rampDone = step.lines.find((l) => l.opened >= n)?.t ?? step.lines[step.lines.length - 1].t;
      const steady = steadyLines(step.lines, rampDone + ctx.windowS + 1);
      const stats = serverStats(step, steady);
      const okPct = median(steady.map((l) => (100 * l.ok) / n));
      const loadCpu = mean(steady.map((l) => l.loadgen_cpu));
      rows.push({
        server: server.label,
        n,
        cpuPct: stats?.cpuPct ?? null,
        rssMb: stats?.rssMb ?? null,
        rssPerClientKb: stats ? ((stats.rssMb - baseStats.rssMb) * 1024) / n : null,
        okPct,
        p5Kbps: median(steady.map((l) => l.kbps_p5)),
        playing: median(steady.map((l) => l.playing)),
        loadCpu,
        ...machineLoad(ctx, stats),
        steadyS: stats?.seconds ?? 0,
        failures: step.summary?.failures ?? {},
      });
      if (okPct !== null && okPct < 50) overloadedAt = n;
    }
    return rows;
  } finally {
    await stopGroup(handle.proc);
  }
}

// ------------------------------------------------------------------ scenario 2: publishers

/** M publishers (one stream each), no players. */
export async function publishersScenario(ctx, server, variant = { variant: 'default', label: server.label }) {
  const label = variant.label;
  const rows = [];
  let handle = await startServer(ctx, server, { variant: variant.variant });
  if (handle.error) {
    for (const m of ctx.publishers) rows.push({ server: label, n: m, failed: handle.error });
    return rows;
  }
  try {
    await sleep(1500);
    const idle = summarize(await idleSamples(handle.proc.pid), 0, Infinity);
    rows.push({ server: label, n: 0, cpuPct: idle?.cpuPct ?? null, rssMb: idle?.rssMb ?? null, baseline: true });
    let overloadedAt = null;
    for (let i = 0; i < ctx.publishers.length; i++) {
      const m = ctx.publishers[i];
      if (overloadedAt !== null) {
        rows.push({ server: label, n: m, skipped: `overloaded at ${overloadedAt}` });
        continue;
      }
      if (!handle.proc.alive()) {
        await stopGroup(handle.proc, 500);
        handle = await startServer(ctx, server, { variant: variant.variant });
        if (handle.error) {
          for (const mm of ctx.publishers.slice(i)) rows.push({ server: label, n: mm, failed: `restart failed: ${handle.error}` });
          return rows;
        }
      }
      ctx.log(`  scenario 2 ${label}: ${m} publishers`);
      const url = `rtmp://127.0.0.1:${handle.port}/${APP}/s2m${m}`;
      const step = await loadStep(ctx, handle, ['--url', url, '--publish-file', ctx.media, '--streams', String(m), '--window', String(ctx.windowS)], ctx.stepS, `s2 ${server.key} ${variant.variant} m=${m}`);
      if (!step.serverAlive) {
        rows.push({ server: label, n: m, failed: deathReason(handle) });
        continue;
      }
      if (step.loadgenError || !step.lines.length) {
        rows.push({ server: label, n: m, failed: step.loadgenError ?? 'rtmp-load printed nothing' });
        continue;
      }
      const live = step.lines.find((l) => l.pub_live >= m)?.t ?? step.lines[step.lines.length - 1].t;
      const steady = steadyLines(step.lines, live + 2);
      const stats = serverStats(step, steady);
      rows.push({
        server: label,
        n: m,
        cpuPct: stats?.cpuPct ?? null,
        rssMb: stats?.rssMb ?? null,
        rssPerClientKb: stats && idle ? ((stats.rssMb - idle.rssMb) * 1024) / m : null,
        okPct: median(steady.map((l) => (100 * l.pub_live) / m)),
        maxLagMs: Math.max(...steady.map((l) => l.pub_lag_ms)),
        loadCpu: mean(steady.map((l) => l.loadgen_cpu)),
        ...machineLoad(ctx, stats),
        steadyS: stats?.seconds ?? 0,
        failures: step.summary?.failures ?? {},
      });
      const row = rows[rows.length - 1];
      // Past this, larger steps only take time: a server that held back publishers for
      // seconds or used the whole core cannot do more.
      if (row.okPct < 50 || row.maxLagMs > 5000 || (row.cpuPct ?? 0) >= 98) overloadedAt = m;
    }
    return rows;
  } finally {
    await stopGroup(handle.proc);
  }
}

async function idleSamples(pid) {
  const sampler = startSampler(pid, 500);
  await sleep(2000);
  return sampler.stop();
}

// ------------------------------------------------------------------ scenario 4: latency

/** One publisher and one player in the same rtmp-load: send-to-arrival time of every video message. */
export async function latencyScenario(ctx, server, variant) {
  const handle = await startServer(ctx, server, { variant: variant.variant });
  if (handle.error) return [{ server: variant.label, failed: handle.error }];
  try {
    ctx.log(`  scenario 4 ${variant.label}`);
    const url = `rtmp://127.0.0.1:${handle.port}/${APP}/s4lat`;
    const step = await loadStep(ctx, handle, ['--url', url, '--publish-file', ctx.media, '--players', '1', '--latency'], ctx.latencyS, `s4 ${server.key} ${variant.variant}`);
    if (!step.serverAlive) return [{ server: variant.label, failed: deathReason(handle) }];
    const lat = step.summary?.latency;
    if (step.loadgenError || !lat) return [{ server: variant.label, failed: step.loadgenError ?? 'no summary from rtmp-load' }];
    if (!lat.samples) return [{ server: variant.label, failed: `no latency samples (player got ${step.summary.video_msgs} video messages, ${lat.unmatched} unmatched)` }];
    return [{ server: variant.label, samples: lat.samples, p50: lat.p50_ms, p99: lat.p99_ms, max: lat.max_ms, unmatched: lat.unmatched }];
  } finally {
    await stopGroup(handle.proc);
  }
}
