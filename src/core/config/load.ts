/** Parse and load in one call, for the CLI (`tsrs -t -c FILE`) and the server's start and reload. */
import type { ConfDirective, ReadFile } from './directive.js';
import { loadConfig, type ServerConfig } from './model.js';
import { parseConfigFile, parseConfigText, type ParseOptions } from './parser.js';

export interface ConfigFileResult {
  readonly config: ServerConfig;
  readonly warnings: string[];
  readonly tree: ConfDirective[];
}

/** Reads FILE (and its includes) through readFile, e.g. `(p) => readFileSync(p, 'utf8')`. */
export function loadConfigFromFile(path: string, readFile: ReadFile, options: ParseOptions = {}): ConfigFileResult {
  const tree = parseConfigFile(path, readFile, options);
  return { ...loadConfig(tree), tree };
}

export function loadConfigFromText(text: string, fileName: string, readFile: ReadFile, options: ParseOptions = {}): ConfigFileResult {
  const tree = parseConfigText(text, fileName, readFile, options);
  return { ...loadConfig(tree), tree };
}
