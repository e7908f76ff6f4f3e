/**
 * SRS-style traceable logs: `[2026-11-22 10:00:00.123][Trace][pid][cid] message`.
 * Each connection or session runs inside a context (AsyncLocalStorage) that carries its
 * id through every await and callback, so every line names the session it belongs to.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export type LogLevel = 'verbose' | 'info' | 'trace' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { verbose: 0, info: 1, trace: 2, warn: 3, error: 4 };
const LEVEL_LABEL: Record<LogLevel, string> = {
  verbose: 'Verb',
  info: 'Debug',
  trace: 'Trace',
  warn: 'Warn',
  error: 'Error',
};

/** Where formatted lines go; the server wires console or file tanks (app layer does the I/O). */
export interface LogTank {
  write(line: string, level: LogLevel): void;
}

const consoleTank: LogTank = {
  write(line, level) {
    (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line);
  },
};

const contextStore = new AsyncLocalStorage<string>();
let tank: LogTank = consoleTank;
let minimumRank = LEVEL_RANK.trace;

/** A new SRS-like context id: 8 lowercase base-36 characters. */
export function newContextId(): string {
  const bytes = randomBytes(8);
  let id = '';
  for (const b of bytes) id += 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36];
  return id;
}

/** Runs fn (and everything it starts) under a context id; returns fn's result. */
export function runWithContext<T>(contextId: string, fn: () => T): T {
  return contextStore.run(contextId, fn);
}

export function currentContextId(): string {
  return contextStore.getStore() ?? serverContextId;
}

/** The id lines carry outside any connection: the server's own. */
let serverContextId = newContextId();

export function setServerContextId(id: string): void {
  serverContextId = id;
}

export function setLogLevel(level: LogLevel): void {
  minimumRank = LEVEL_RANK[level];
}

export function setLogTank(next: LogTank): void {
  tank = next;
}

export function resetLogTank(): void {
  tank = consoleTank;
}

export function formatLogTime(date: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${p2(date.getMonth() + 1)}-${p2(date.getDate())} ` +
    `${p2(date.getHours())}:${p2(date.getMinutes())}:${p2(date.getSeconds())}.` +
    String(date.getMilliseconds()).padStart(3, '0')
  );
}

function emit(level: LogLevel, message: string, contextId?: string): void {
  if (LEVEL_RANK[level] < minimumRank) return;
  const cid = contextId ?? currentContextId();
  tank.write(`[${formatLogTime(new Date())}][${LEVEL_LABEL[level]}][${process.pid}][${cid}] ${message}\n`, level);
}

export const log = {
  verbose: (message: string) => emit('verbose', message),
  info: (message: string) => emit('info', message),
  trace: (message: string) => emit('trace', message),
  warn: (message: string) => emit('warn', message),
  error: (message: string) => emit('error', message),
  /** For callbacks that run outside the session's async chain (e.g. native events). */
  withContext: (contextId: string, level: LogLevel, message: string) => emit(level, message, contextId),
  enabled: (level: LogLevel) => LEVEL_RANK[level] >= minimumRank,
};
