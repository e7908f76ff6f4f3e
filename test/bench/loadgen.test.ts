import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/process.js';

// The benchmark's numbers are only as good as its load generator's parsers: their
// self-test (every fmt, split at every byte, broken inputs, under ASan/UBSan) must pass.
describe('bench load generator', () => {
  it('builds rtmp-load and passes its parser self-test', async () => {
    const run = (args: string[]) =>
      new Promise<{ status: number | null; output: string }>((resolve, reject) => {
        const child = spawn('make', args, { cwd: join(ROOT, 'bench', 'loadgen') });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, output }));
      });
    const build = await run(['all']);
    expect(build.status, build.output).toBe(0);
    const test = await run(['test']);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toContain('all checks passed');
  }, 180_000);
});
