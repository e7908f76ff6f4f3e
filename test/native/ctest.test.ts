import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/process.js';

// The native core builds standalone with CMake from the same source list as the addon,
// and its C tests pass: the suite CI and cross-builds rely on.
describe('native core (CMake + ctest)', () => {
  it('builds and passes its ctest suite', () => {
    const build = join(ROOT, 'build', 'cmake-test');
    const run = (cmd: string, args: string[]) => {
      const result = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      if (result.error) throw new Error(`${cmd} not runnable (install cmake and g++): ${result.error.message}`);
      return result;
    };
    const configure = run('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
    expect(configure.status, configure.stderr).toBe(0);
    const compile = run('cmake', ['--build', build, '-j', '2']);
    expect(compile.status, compile.stdout + compile.stderr).toBe(0);
    const ctest = run('ctest', ['--test-dir', build, '--output-on-failure']);
    expect(ctest.status, ctest.stdout).toBe(0);
    expect(ctest.stdout).toMatch(/100% tests passed, 0 tests failed out of [1-9]/);
  }, 300_000);
});
