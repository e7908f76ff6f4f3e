/**
 * The pid file: written at start, removed at exit. Like SRS's lock on it, a live
 * process already named in the file stops a second server from starting.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TsrsError } from '../core/errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writePidFile(path: string): void {
  let existing = NaN;
  try {
    existing = Number(readFileSync(path, 'utf8').trim());
  } catch {
    // no pid file yet
  }
  if (Number.isInteger(existing) && existing > 0 && existing !== process.pid && isAlive(existing)) {
    throw new TsrsError('SystemStreamBusy', `pid file ${path}: another tsrs (pid ${existing}) is running`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${process.pid}\n`);
}

export function removePidFile(path: string): void {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path);
  } catch {
    // already gone
  }
}
