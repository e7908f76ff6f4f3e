/**
 * The parsed config tree, as SRS keeps it: every directive is a name, its arguments and
 * (for blocks) its children, plus where it was written so every message can name FILE:LINE.
 */
import { TsrsError } from '../errors.js';

export interface ConfDirective {
  readonly name: string;
  readonly args: readonly string[];
  readonly children: readonly ConfDirective[];
  /** The file the directive was written in (an included file names itself, not the includer). */
  readonly file: string;
  /** 1-based line of the directive's name. */
  readonly line: number;
}

/** Reads a config file's text; the caller owns the I/O (core does none). Throws if unreadable. */
export type ReadFile = (path: string) => string;

export function at(file: string, line: number): string {
  return `${file}:${line}`;
}

/** `FILE:LINE: reason` as a ConfigInvalid error: the one shape every config failure takes. */
export function configError(file: string, line: number, reason: string): TsrsError {
  return new TsrsError('ConfigInvalid', `${at(file, line)}: ${reason}`);
}

export function directiveError(d: ConfDirective, reason: string): TsrsError {
  return configError(d.file, d.line, reason);
}
