/**
 * Loads the native addon: a prebuild from prebuilds/<platform>-<arch>/ when one matches,
 * else the source build in build/Release. The only module that touches the addon binary;
 * everything else imports the typed facades beside it.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const loadBinding = require('node-gyp-build') as (dir: string) => unknown;

/** The package root: two levels above dist/native or src/native. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const addon = loadBinding(packageRoot) as any;
