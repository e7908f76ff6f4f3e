/**
 * `daemon on`: the foreground process starts a detached copy of itself and exits 0,
 * as SRS forks and its parent exits. The copy knows it is the daemon by an env flag.
 */
import { spawn } from 'node:child_process';

const DAEMON_CHILD_FLAG = 'TSRS_DAEMON_CHILD';

export function isDaemonChild(): boolean {
  return process.env[DAEMON_CHILD_FLAG] === '1';
}

export function detachIntoDaemon(argv: string[]): void {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [DAEMON_CHILD_FLAG]: '1' },
  });
  child.unref();
}
