import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/process.js';

/** Runs a command without blocking the test worker (vitest's RPC must keep answering). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => reject(new Error(`${cmd} not runnable (install cmake and g++): ${err.message}`)));
    child.on('close', (status) => resolve({ status, output }));
  });
}

// The native core builds standalone with CMake from the same source list as the addon,
// and its C tests pass: the suite CI and cross-builds rely on.
describe('native core (CMake + ctest)', () => {
  it('builds and passes its ctest suite', async () => {
    const build = join(ROOT, 'build', 'cmake-test');
    const configure = await run('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
    expect(configure.status, configure.output).toBe(0);
    const compile = await run('cmake', ['--build', build, '-j', '2']);
    expect(compile.status, compile.output).toBe(0);
    const ctest = await run('ctest', ['--test-dir', build, '--output-on-failure']);
    expect(ctest.status, ctest.output).toBe(0);
    expect(ctest.output).toMatch(/100% tests passed, 0 tests failed out of [1-9]/);
  }, 300_000);
});
