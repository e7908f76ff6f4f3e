// Child processes and /proc sampling for the benchmark runner. Every process
// the runner starts is a process-group leader registered here, so one call
// (also run on exit and on signals) kills everything that is still alive.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

const groups = new Set();

/** Kills every registered process group (SIGKILL, synchronous: safe in an exit handler). */
export function killAllGroups() {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

let cleanupInstalled = false;
/** Makes sure no server or load generator outlives the runner. */
export function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllGroups);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAllGroups();
      process.exit(130);
    });
  }
}

/**
 * Starts `argv` in its own process group with stdout/stderr to files.
 * Returns { pid, child, exited: Promise<{code, signal}>, alive() }.
 */
export function startGroup(argv, { cwd, env, stdoutFile, stderrFile, stdoutPipe = false } = {}) {
  const out = stdoutPipe ? 'pipe' : openSync(stdoutFile ?? '/dev/null', 'a');
  const err = openSync(stderrFile ?? '/dev/null', 'a');
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    env: env ?? process.env,
    detached: true, // own process group: kill(-pid) reaches workers and children too
    stdio: ['ignore', out, err],
  });
  if (!stdoutPipe) closeSync(out);
  closeSync(err);
  let done = false;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.on('error', (e) => {
      done = true;
      resolve({ code: -1, signal: null, error: e.message });
    });
  });
  if (child.pid) groups.add(child.pid);
  return {
    pid: child.pid,
    child,
    exited,
    alive: () => !done,
  };
}

/** SIGTERM the group, wait up to graceMs, then SIGKILL. Always resolves. */
export async function stopGroup(proc, graceMs = 3000) {
  if (!proc?.pid) return;
  const signal = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // gone
    }
  };
  if (proc.alive()) {
    signal('SIGTERM');
    await Promise.race([proc.exited, sleep(graceMs)]);
  }
  signal('SIGKILL'); // stragglers in the group (workers, children)
  await Promise.race([proc.exited, sleep(1000)]);
  groups.delete(proc.pid);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves true once something accepts TCP connections on port, false after timeoutMs or if stillAlive() turns false. */
export async function waitForPort(port, timeoutMs, stillAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!stillAlive()) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      const done = (v) => {
        s.destroy();
        resolve(v);
      };
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
      s.setTimeout(500, () => done(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number.parseInt(r.stdout, 10);
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { comm, ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

function readRssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every process of the machine: pid -> { comm, ppid, ticks }. */
function scanProcesses() {
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (st) procs.set(Number(name), st);
  }
  return procs;
}

/** rootPid and all its descendants (nginx master + worker, node + helpers). */
function treeOf(rootPid, procs) {
  const children = new Map();
  for (const [pid, st] of procs) {
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(pid);
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length && out.length < 10000) {
    const pid = stack.pop();
    if (procs.has(pid)) out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

export function processTree(rootPid) {
  return treeOf(rootPid, scanProcesses());
}

/** Per-CPU [busy, total] jiffies from /proc/stat (busy = everything but idle and iowait). */
export function readCpuTimes() {
  const out = [];
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest is already inside user)
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out[Number(m[1])] = { busy: total - v[3] - v[4], total };
    }
  } catch {
    // not Linux: no per-CPU numbers
  }
  return out;
}

/** Busy % of every CPU between two readCpuTimes() snapshots. */
export function cpuBusyPct(a, b) {
  return b.map((x, i) => {
    const dt = x.total - (a[i]?.total ?? 0);
    return dt > 0 ? (100 * (x.busy - a[i].busy)) / dt : 0;
  });
}

/**
 * One sample: CPU ticks (utime+stime, all threads) and RSS summed over the
 * process tree, per-CPU times, and the ticks of every other process so that
 * whatever else ran during a step can be named.
 */
export function sampleTree(rootPid) {
  const procs = scanProcesses();
  const tree = new Set(treeOf(rootPid, procs));
  let ticks = 0;
  let rssKb = 0;
  const others = new Map();
  for (const [pid, st] of procs) {
    if (tree.has(pid)) {
      ticks += st.ticks;
      rssKb += readRssKb(pid);
    } else {
      others.set(pid, st);
    }
  }
  return { t: performance.now(), ticks, rssKb, alive: tree.size, cpus: readCpuTimes(), others };
}

/**
 * CPU of the user-space processes outside the tree between two samples (not
 * kernel threads: their work, softirq and socket freeing, is part of the
 * load), as { pct, top: [{ name, pct }] } in % of one core. This runner and
 * the processes named in skipComm do not count.
 */
function otherProcesses(a, b, secs, skipComm) {
  const byName = new Map();
  let total = 0;
  for (const [pid, st] of b.others) {
    if (pid === process.pid || st.ppid === 2 || pid === 2 || skipComm.has(st.comm)) continue;
    const before = a.others.get(pid);
    // A process missing from the first sample started in between: all its time counts.
    const dt = st.ticks - (before && before.comm === st.comm ? before.ticks : 0);
    if (dt <= 0) continue;
    total += dt;
    byName.set(st.comm, (byName.get(st.comm) ?? 0) + dt);
  }
  const pct = (dt) => (dt / CLK_TCK / secs) * 100;
  const top = [...byName.entries()]
    .map(([name, dt]) => ({ name, pct: pct(dt) }))
    .filter((x) => x.pct >= 2)
    .sort((x, y) => y.pct - x.pct)
    .slice(0, 4);
  return { pct: pct(total), top };
}

/**
 * Samples a process tree every intervalMs until stop() is called; stop()
 * returns the samples. Bounded: at most maxSamples are kept.
 */
export function startSampler(rootPid, intervalMs = 1000, maxSamples = 7200) {
  const samples = [sampleTree(rootPid)];
  const timer = setInterval(() => {
    if (samples.length < maxSamples) samples.push(sampleTree(rootPid));
  }, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      samples.push(sampleTree(rootPid));
      return samples;
    },
  };
}

/**
 * Between performance.now() times t0 and t1: the tree's CPU % (100 = one
 * core), its max RSS MB, the busy % of every CPU of the machine, and the
 * CPU of other processes.
 */
export function summarize(samples, t0, t1, skipComm = new Set(['rtmp-load'])) {
  const inside = samples.filter((s) => s.t >= t0 - 250 && s.t <= t1 + 250 && s.alive > 0);
  if (inside.length < 2) return null;
  const a = inside[0];
  const b = inside[inside.length - 1];
  const secs = (b.t - a.t) / 1000;
  if (secs <= 0) return null;
  return {
    cpuPct: ((b.ticks - a.ticks) / CLK_TCK / secs) * 100,
    rssMb: Math.max(...inside.map((s) => s.rssKb)) / 1024,
    coreBusy: cpuBusyPct(a.cpus, b.cpus),
    others: otherProcesses(a, b, secs, skipComm),
    seconds: secs,
  };
}

/** Runs a command to completion, returns { code, stdout, stderr } (never throws). */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15 * 60 * 1000, ...opts });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error?.message };
}

export function which(cmd) {
  return run('sh', ['-c', `command -v ${cmd}`]).stdout.trim() || null;
}

export function tailFile(path, lines = 15) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
