/**
 * Child processes never outlive the server. Three layers:
 * - Normal quit (SIGTERM, SIGINT, reload removal, unpublish): the owner stops its children
 *   (SIGTERM, then SIGKILL after a grace period).
 * - Any exit of the Node process that still runs 'exit' handlers (process.exit, an uncaught
 *   exception, a signal Node turns into an exit): every child still alive is SIGKILLed
 *   synchronously from the handler.
 * - SIGKILL of the server (or a native crash), where no handler runs: on Linux every child is
 *   started through `setpriv --pdeathsig KILL`, so the kernel kills it when the server dies
 *   (prctl(PR_SET_PDEATHSIG) is not reachable from Node; setpriv sets it and execs the command,
 *   so the pid, signals and exit status are the command's own). Without setpriv (non-Linux,
 *   minimal images) this last layer is missing and the log says so once.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { log } from '../../core/logger.js';

const live = new Set<ChildProcess>();
let exitHooked = false;
let deathSignalPrefix: string[] | undefined;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** The command prefix that makes the kernel kill a child when the server dies, or [] where unavailable. */
export function parentDeathPrefix(): string[] {
  if (deathSignalPrefix) return deathSignalPrefix;
  deathSignalPrefix = [];
  if (process.platform === 'linux') {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status === 0) deathSignalPrefix = ['setpriv', '--pdeathsig', 'KILL', '--'];
  }
  if (deathSignalPrefix.length === 0) {
    log.warn('ffmpeg: setpriv --pdeathsig is unavailable; child processes survive a SIGKILL of the server');
  }
  return deathSignalPrefix;
}

/** Spawns `bin args` guarded by the three layers above; `detached` is always off. */
export function spawnGuarded(bin: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', killAllNow);
  }
  const prefix = parentDeathPrefix();
  const child =
    prefix.length > 0
      ? spawn(prefix[0]!, [...prefix.slice(1), bin, ...args], { ...options, detached: false })
      : spawn(bin, [...args], { ...options, detached: false });
  live.add(child);
  const forget = () => live.delete(child);
  child.once('exit', forget);
  child.once('error', forget);
  return child;
}

/** Pids of the guarded children still running (tests, API). */
export function guardedPids(): number[] {
  return [...live].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}
