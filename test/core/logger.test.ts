import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  formatLogTime,
  log,
  newContextId,
  resetLogTank,
  runWithContext,
  setLogLevel,
  setLogTank,
  setServerContextId,
} from '../../src/core/logger.js';

function capture(): string[] {
  const lines: string[] = [];
  setLogTank({ write: (line) => lines.push(line) });
  return lines;
}

afterEach(() => {
  resetLogTank();
  setLogLevel('trace');
});

describe('logger', () => {
  it('formats lines the SRS way: time, level, pid, context id', () => {
    const lines = capture();
    runWithContext('abc12345', () => log.trace('hello'));
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[Trace\]\[\d+\]\[abc12345\] hello\n$/);
    expect(lines[0]).toContain(`[${process.pid}]`);
  });

  it('carries each context id through awaits and timers of its own session', async () => {
    const lines = capture();
    const session = (id: string, delay: number) =>
      runWithContext(id, async () => {
        await sleep(delay);
        log.trace(`after ${delay}`);
        await new Promise<void>((resolve) => setImmediate(() => { log.warn('immediate'); resolve(); }));
      });
    await Promise.all([session('aaaa0001', 20), session('bbbb0002', 5)]);
    const byId = (id: string) => lines.filter((l) => l.includes(`[${id}]`));
    expect(byId('aaaa0001')).toHaveLength(2);
    expect(byId('bbbb0002')).toHaveLength(2);
    expect(byId('aaaa0001')[0]).toContain('after 20');
  });

  it('uses the server context id outside any session', () => {
    const lines = capture();
    setServerContextId('server01');
    log.trace('boot');
    expect(lines[0]).toContain('[server01] boot');
  });

  it('drops lines below the configured level', () => {
    const lines = capture();
    setLogLevel('warn');
    log.trace('hidden');
    log.info('hidden');
    log.warn('shown');
    log.error('shown too');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('[Error]');
  });

  it('makes distinct 8-character ids and pads times', () => {
    const ids = new Set(Array.from({ length: 200 }, newContextId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{8}$/);
    expect(formatLogTime(new Date(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02 03:04:05.006');
  });
});
