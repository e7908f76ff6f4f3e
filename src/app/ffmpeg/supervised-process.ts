/**
 * One external command kept running while wanted: FFmpeg for ingest and transcode, any
 * command for exec. Its stdout and stderr go straight into a log file (the child writes the
 * file itself: no bytes pass through JavaScript). When it exits while still wanted it is
 * started again after a back-off of 1 s, doubling up to 30 s while it keeps dying young; a run
 * that lasted `healthyRunMs` resets the back-off (a file ingest that ends and restarts is not
 * failing). `stop()` sends SIGTERM (FFmpeg finishes its output) and SIGKILL after a grace period.
 */
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { spawnGuarded } from './child-guard.js';

/** SRS treats this log path as "no log". */
export const NULL_LOG = '/dev/null';

export interface ProcessSpec {
  /** Who this is in logs, e.g. "transcode __defaultVhost__/live/s engine ff". */
  name: string;
  bin: string;
  args: readonly string[];
  /** stdout and stderr, appended; '' or /dev/null discards them. */
  logFile: string;
  /** A separate file for stdout (exec's `1>FILE`); defaults to logFile. */
  stdoutFile?: string;
  cwd?: string;
}

export interface SuperviseOptions {
  /** Start again when it exits while wanted. */
  restart: boolean;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** A run at least this long resets the back-off. */
  healthyRunMs: number;
  /** SIGTERM to SIGKILL. */
  stopGraceMs: number;
}

export const DEFAULT_SUPERVISE: SuperviseOptions = {
  restart: true,
  minBackoffMs: 1000,
  maxBackoffMs: 30_000,
  healthyRunMs: 5000,
  stopGraceMs: 3000,
};

export type ProcessState = 'idle' | 'running' | 'backoff' | 'stopping' | 'stopped';

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private wanted = false;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private exited: Promise<void> = Promise.resolve();
  private _state: ProcessState = 'idle';
  /** How many times it was started. */
  starts = 0;
  /** Exit code (or signal) of the last run. */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly options: SuperviseOptions;

  constructor(
    readonly spec: ProcessSpec,
    options: Partial<SuperviseOptions> = {},
  ) {
    this.options = { ...DEFAULT_SUPERVISE, ...options };
    this.backoffMs = this.options.minBackoffMs;
  }

  get state(): ProcessState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.launch();
  }

  /** Resolves once the command is gone (at once when it was not running). */
  stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) {
      this._state = 'stopped';
      return Promise.resolve();
    }
    this._state = 'stopping';
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      log.warn(`${this.spec.name}: pid ${child.pid} ignored SIGTERM for ${this.options.stopGraceMs} ms, killing`);
      child.kill('SIGKILL');
    }, this.options.stopGraceMs);
    return this.exited.finally(() => clearTimeout(killer));
  }

  private launch(): void {
    this.restartTimer = undefined;
    if (!this.wanted) return;
    const { spec } = this;
    const fds: number[] = [];
    const fdFor = (file: string | undefined): number | 'ignore' => {
      if (!file || file === NULL_LOG) return 'ignore';
      try {
        mkdirSync(dirname(file), { recursive: true });
        const fd = openSync(file, 'a');
        fds.push(fd);
        return fd;
      } catch (err) {
        log.warn(`${spec.name}: cannot open log ${file}: ${describeError(err)}`);
        return 'ignore';
      }
    };
    const err = fdFor(spec.logFile);
    const out = spec.stdoutFile !== undefined && spec.stdoutFile !== spec.logFile ? fdFor(spec.stdoutFile) : err;
    let child: ChildProcess;
    try {
      child = spawnGuarded(spec.bin, spec.args, { stdio: ['ignore', out, err], cwd: spec.cwd });
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      log.error(`${spec.name}: cannot start ${spec.bin}: ${describeError(e)}`);
      this.scheduleRestart();
      return;
    }
    // The child holds its own copies of the descriptors.
    for (const fd of fds) closeSync(fd);
    this.child = child;
    this.starts++;
    this.startedAt = Date.now();
    this._state = 'running';
    log.trace(`${spec.name}: started pid ${child.pid ?? '?'}: ${spec.bin} ${spec.args.join(' ')}`);
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const gone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (done) return;
        done = true;
        this.onGone(child, code, signal, error);
        resolve();
      };
      child.once('exit', (code, signal) => gone(code, signal));
      child.once('error', (e) => gone(null, null, e));
    });
  }

  private onGone(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.lastExit = { code, signal };
    const ranMs = Date.now() - this.startedAt;
    const why = error ? describeError(error) : signal ? `signal ${signal}` : `code ${code}`;
    if (!this.wanted) {
      this._state = 'stopped';
      log.trace(`${this.spec.name}: pid ${child.pid ?? '?'} stopped (${why})`);
      return;
    }
    if (ranMs >= this.options.healthyRunMs) this.backoffMs = this.options.minBackoffMs;
    const where = this.spec.logFile && this.spec.logFile !== NULL_LOG ? `, see ${this.spec.logFile}` : '';
    log.warn(`${this.spec.name}: pid ${child.pid ?? '?'} exited after ${ranMs} ms (${why})${where}`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.wanted || !this.options.restart) {
      this._state = 'stopped';
      this.wanted = false;
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
    this._state = 'backoff';
    this.restartTimer = setTimeout(() => this.launch(), delay);
    this.restartTimer.unref();
  }
}
