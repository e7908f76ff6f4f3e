/** Reads a config file from disk for the CLI, start and reload (core's loader has no I/O). */
import { readFileSync } from 'node:fs';
import { loadConfigFromFile, type ConfigFileResult } from '../core/config/index.js';

export function readConfigFile(path: string): ConfigFileResult {
  return loadConfigFromFile(path, (p) => readFileSync(p, 'utf8'));
}
