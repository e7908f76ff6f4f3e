/** Shared helpers for the config tests: an in-memory file system and error capture. */
import { TsrsError } from '../../../src/core/errors.js';

/** A reader over a map of path -> text; a missing path throws like fs does. */
export function memoryFiles(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };
}

export const noFiles = memoryFiles({});

/** Runs fn, expecting a ConfigInvalid TsrsError; returns its message. */
export function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof TsrsError)) throw new Error(`expected a TsrsError, got ${String(err)}`);
    if (err.codeName !== 'ConfigInvalid') throw new Error(`expected ConfigInvalid, got ${err.codeName}: ${err.message}`);
    return err.message;
  }
  throw new Error('expected a ConfigInvalid error, got none');
}
