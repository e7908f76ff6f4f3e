/**
 * The `file` log tank: appends lines to srs_log_file. SIGUSR1 reopens the file so
 * logrotate can move the old one away (SRS's behaviour).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogTank } from '../core/logger.js';

export class LogFileTank implements LogTank {
  private fd: number;

  constructor(private readonly path: string) {
    this.fd = LogFileTank.open(path);
  }

  private static open(path: string): number {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a');
  }

  write(line: string): void {
    // Synchronous appends keep lines whole and ordered, and nothing is lost on exit.
    writeSync(this.fd, line);
  }

  reopen(): void {
    const next = LogFileTank.open(this.path);
    closeSync(this.fd);
    this.fd = next;
  }

  close(): void {
    closeSync(this.fd);
  }
}
