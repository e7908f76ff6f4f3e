/**
 * Prebuilt binaries and cross-builds, end to end:
 * - `scripts/prebuild.sh` builds linux-x64/arm64/arm addons that need only glibc;
 * - `npm pack` carries them, and the tarball installs in a fresh folder with no compiler on
 *   PATH without node-gyp, then loads and relays RTMP (native-smoke.mjs);
 * - Debian's arm64 and armhf Node, under qemu-user, load the same installed package and
 *   pass the same smoke test (addon, chunking, fan-out, a publish/play round trip);
 * - the native core, cross-built by CMake for aarch64, armhf, mips (big-endian) and mipsel,
 *   passes its ctest suite under qemu-user.
 * Needs Debian's cross g++ packages and qemu-user-static; scripts/install-test-deps.sh
 * installs them. Sysroots and build folders are cached under build/ between runs.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

const SMOKE = join(ROOT, 'test', 'prebuild', 'native-smoke.mjs');

/** node-gyp-build's layout, as scripts/prebuild.sh writes it. */
const PREBUILDS = [
  { arch: 'x64', debArch: 'amd64', file: 'prebuilds/linux-x64/node.napi.glibc.node', machine: 'X86-64' },
  { arch: 'arm64', debArch: 'arm64', file: 'prebuilds/linux-arm64/node.napi.glibc.node', machine: 'AArch64' },
  { arch: 'arm', debArch: 'armhf', file: 'prebuilds/linux-arm/node.napi.armv7.glibc.node', machine: 'ARM' },
] as const;

/** CMake toolchain files and the ELF each must produce (machine, byte order). */
const TOOLCHAINS = [
  { triplet: 'aarch64-linux-gnu', machine: 'AArch64', endian: 'little' },
  { triplet: 'arm-linux-gnueabihf', machine: 'ARM', endian: 'little' },
  { triplet: 'mips-linux-gnu', machine: 'MIPS R3000', endian: 'big' },
  { triplet: 'mipsel-linux-gnu', machine: 'MIPS R3000', endian: 'little' },
] as const;

const timings: Record<string, number> = {};
const notes: string[] = [];

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Short commands only: a blocked worker cannot answer vitest's RPC (it times out after 60 s). */
function runQuick(what: string, cmd: string, args: string[], options: SpawnSyncOptions = {}): Result {
  const t0 = Date.now();
  const result = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, ...options });
  timings[what] = (timings[what] ?? 0) + (Date.now() - t0);
  if (result.error) throw new Error(`${what}: ${cmd} not runnable: ${result.error.message}`);
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Long commands (builds, installs, qemu) run without blocking the test worker. */
function run(what: string, cmd: string, args: string[], options: SpawnSyncOptions = {}): Promise<Result> {
  const t0 = Date.now();
  const { timeout = 300_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] } as Parameters<typeof spawn>[2]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${cmd} not runnable: ${err.message}`));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      timings[what] = (timings[what] ?? 0) + (Date.now() - t0);
      resolve({ status, stdout, stderr });
    });
  });
}

function expectOk(result: Result, what: string): Result {
  expect(result.status, `${what} failed:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`).toBe(0);
  return result;
}

/** The environment minus what an enclosing `npm test` exported (a nested npm must not inherit it). */
function cleanEnv(path?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  if (path !== undefined) env.PATH = path;
  return env;
}

/** npm's CLI script next to the running Node (/usr/bin/node -> /usr/lib/node_modules/npm). */
function npmCli(): string {
  const cli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm not found at ${cli}`);
  return cli;
}

function readelf(args: string[], file: string): string {
  return expectOk(runQuick('readelf', 'readelf', [...args, file]), `readelf ${args.join(' ')} ${file}`).stdout;
}

/** The newest GLIBC_x.y symbol version a binary needs: the oldest glibc it runs on. */
function glibcFloor(file: string): string {
  const versions = [...readelf(['-V', '-W'], file).matchAll(/Name: GLIBC_([0-9.]+)/g)].map((m) => m[1]!);
  const key = (v: string) => v.split('.').map((n) => Number(n));
  versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  return versions.at(-1) ?? '?';
}

/** A parsed `SMOKE OK {...}` line. */
interface Smoke {
  arch: string;
  node: string;
  loadedFrom: string;
  relayed: { sent: number; received: number };
  ms: Record<string, number>;
}

function smokeResult(result: Result, what: string): Smoke {
  expectOk(result, what);
  const line = result.stdout.split('\n').find((l) => l.startsWith('SMOKE OK '));
  expect(line, `${what}: no SMOKE OK line in\n${result.stdout}\n${result.stderr}`).toBeDefined();
  return JSON.parse(line!.slice('SMOKE OK '.length)) as Smoke;
}

let work = '';
let installedPackage = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsrs-prebuild-'));
  // Tools come from scripts/install-test-deps.sh: the test itself never runs apt-get install.
  expectOk(await run('prebuild', 'bash', ['scripts/prebuild.sh'], { env: { ...cleanEnv(), TSRS_NO_APT: '1' } }), 'scripts/prebuild.sh');
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  const seconds = Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`);
  console.log(`prebuild test timings: ${seconds.join(', ')}`);
  for (const note of notes) console.log(note);
});

describe('prebuilt addons (scripts/prebuild.sh)', () => {
  it.each(PREBUILDS)('$file is a $machine binary that needs only glibc', ({ file, machine }) => {
    const path = join(ROOT, file);
    expect(existsSync(path), `${file} missing`).toBe(true);
    expect(readelf(['-h'], path)).toMatch(new RegExp(`Machine:\\s+.*${machine}`));
    const needed = [...readelf(['-d'], path).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
    expect(needed).toContain('libc.so.6');
    // SRTP, SRT and OpenSSL are linked statically or taken from Node; C++ runtime linked in.
    for (const lib of needed) expect(lib).not.toMatch(/srtp|srt|ssl|crypto|stdc\+\+|gcc_s/);
    for (const lib of needed) expect(lib).toMatch(/^(libc|libm|libpthread|libdl|librt)\.so\.\d$|^ld-linux[-\w.]*\.so\.\d$/);
    notes.push(`${file}: ${statSync(path).size} bytes, NEEDED ${needed.join(' ')}, glibc >= ${glibcFloor(path)}`);
  });
});

describe('npm package', () => {
  it('packs the prebuilds and dist/, and installs with no compiler on PATH without node-gyp', async () => {
    const pack = expectOk(
      await run('npm pack', process.execPath, [npmCli(), 'pack', '--json', '--pack-destination', work], { env: cleanEnv() }),
      'npm pack',
    );
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);
    for (const { file } of PREBUILDS) expect(files).toContain(file);
    expect(files).toContain('dist/native/addon.js');
    expect(files).toContain('dist/server/cli.js');
    expect(files.filter((f) => f.startsWith('build/'))).toEqual([]);
    notes.push(`npm pack: ${info!.filename} ${info!.size} bytes`);

    // A PATH holding node, npm and sh only: no cc, gcc, g++, make or python.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npmCli(), join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const bare = cleanEnv(bin);
    const probe = runQuick('probe', '/bin/sh', ['-c', 'command -v cc gcc g++ c++ make python3 python || true'], { env: bare });
    expect(probe.stdout.trim()).toBe('');

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tsrs-install-test', private: true }));
    const install = expectOk(
      await run(
        'npm install',
        process.execPath,
        [npmCli(), 'install', join(work, info!.filename), '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'],
        { cwd: app, env: bare },
      ),
      'npm install of the tarball',
    );
    const output = install.stdout + install.stderr;
    // The install script ran (node-gyp-build), found the prebuild and built nothing.
    expect(output).toMatch(/> node-gyp-build/);
    expect(output).not.toMatch(/gyp (info|ERR!)|node-gyp rebuild/);
    installedPackage = join(app, 'node_modules', 'tsrs');
    expect(existsSync(join(installedPackage, 'build'))).toBe(false);
    expect(readdirSync(join(installedPackage, 'prebuilds')).sort()).toEqual(['linux-arm', 'linux-arm64', 'linux-x64']);

    const smoke = smokeResult(await run('smoke x64', process.execPath, [SMOKE, installedPackage], { env: bare, timeout: 60_000 }), 'x64 smoke');
    expect(smoke.loadedFrom).toBe(join(installedPackage, 'prebuilds', 'linux-x64', 'node.napi.glibc.node'));
    expect(smoke.relayed).toEqual({ sent: 10, received: 10 });
  }, 300_000);
});

describe("Debian's Node under qemu-user loads the installed prebuild", () => {
  it.each(PREBUILDS.filter((p) => p.arch !== 'x64'))('$debArch: addon, chunking, fan-out, RTMP publish/play', async ({ arch, debArch, file }) => {
    expect(installedPackage, 'needs the installed package from the npm package test').not.toBe('');
    const result = await run(`qemu ${debArch}`, 'bash', ['scripts/cross/qemu-node.sh', debArch, SMOKE, installedPackage], {
      env: cleanEnv(),
      timeout: 240_000,
    });
    const smoke = smokeResult(result, `qemu ${debArch} smoke`);
    expect(smoke.arch).toBe(arch);
    expect(smoke.loadedFrom).toBe(join(installedPackage, file));
    expect(smoke.relayed).toEqual({ sent: 10, received: 10 });
    notes.push(`qemu ${debArch}: Node ${smoke.node}, smoke ${JSON.stringify(smoke.ms)}`);
  }, 300_000);
});

describe('native core cross-built with CMake, ctest under qemu-user', () => {
  it.each(TOOLCHAINS)('$triplet', async ({ triplet, machine, endian }) => {
    const dir = join(ROOT, 'build', 'cross', triplet);
    const toolchain = join(ROOT, 'cmake', 'toolchains', `${triplet}.cmake`);
    expectOk(
      await run(`cmake ${triplet}`, 'cmake', ['-S', ROOT, '-B', dir, `-DCMAKE_TOOLCHAIN_FILE=${toolchain}`, '-DCMAKE_BUILD_TYPE=Release']),
      `configure ${triplet}`,
    );
    expectOk(await run(`cmake ${triplet}`, 'cmake', ['--build', dir, '-j', '2']), `build ${triplet}`);
    const ctest = expectOk(await run(`ctest ${triplet}`, 'ctest', ['--test-dir', dir, '--output-on-failure', '-V']), `ctest ${triplet}`);
    // Every test ran through qemu (the binaries are foreign), and each reported its counts.
    expect(ctest.stdout).toMatch(/100% tests passed, 0 tests failed out of [1-9]/);
    const commands = [...ctest.stdout.matchAll(/Test command: (\S+)/g)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(command).toMatch(/qemu-/);
    expect(ctest.stdout).toMatch(/\d+ passed, 0 failed/);
    const test = readdirSync(dir).find((f) => f.endsWith('_test'));
    const header = readelf(['-h'], join(dir, test!));
    expect(header).toMatch(new RegExp(`Machine:\\s+${machine}`));
    expect(header).toMatch(new RegExp(`Data:.*${endian} endian`));
  }, 300_000);
});
