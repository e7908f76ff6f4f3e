/**
 * SRS config syntax into a ConfDirective tree: `name args;`, `name args { ... }`, comments,
 * quotes, `$VAR`/`${VAR}` in arguments, and `include FILE...;` at any depth (the included
 * directives take the include's place, as in SRS). Included paths are relative to the
 * including file's directory. The file text comes from the caller's reader: core does no I/O.
 */
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { configError, type ConfDirective, type ReadFile } from './directive.js';
import { substituteEnv, type Env } from './env.js';
import { tokenize, type Token } from './lexer.js';

export interface ParseOptions {
  /** Where `$VAR` values come from; process.env when absent. */
  readonly env?: Env;
}

/** Bounds a fan-out of includes (a file included many times by many files) to a sane amount of work. */
const MAX_INCLUDED_FILES = 1000;
/** Blocks nest a few levels in real configs; a cap keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 64;

type WordToken = Extract<Token, { kind: 'word' }>;

interface ParseState {
  readonly readFile: ReadFile;
  readonly env: Env;
  /** Files being parsed, outermost first: an include of one of them is a cycle. */
  readonly stack: string[];
  included: number;
}

export function parseConfigText(text: string, fileName: string, readFile: ReadFile, options: ParseOptions = {}): ConfDirective[] {
  const state: ParseState = { readFile, env: options.env ?? process.env, stack: [normalize(fileName)], included: 0 };
  return parseFileText(text, fileName, state);
}

/** Reads and parses a config file through the caller's reader. */
export function parseConfigFile(path: string, readFile: ReadFile, options: ParseOptions = {}): ConfDirective[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw configError(path, 0, `cannot read config file: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseConfigText(text, path, readFile, options);
}

function parseFileText(text: string, file: string, state: ParseState): ConfDirective[] {
  const tokens = tokenize(text, file);
  const cursor = { index: 0 };
  return parseBlockBody(tokens, cursor, file, state, undefined);
}

/** Parses directives until the `}` closing `opener` (or end of file at top level). */
function parseBlockBody(
  tokens: Token[],
  cursor: { index: number },
  file: string,
  state: ParseState,
  opener: { name: string; line: number; depth: number } | undefined,
): ConfDirective[] {
  const out: ConfDirective[] = [];
  for (;;) {
    const words: WordToken[] = [];
    let token = tokens[cursor.index++]!;
    while (token.kind === 'word') {
      words.push(token);
      token = tokens[cursor.index++]!;
    }
    const first = words[0];
    switch (token.kind) {
      case 'eof':
        if (first) throw configError(file, first.line, `directive "${first.text}" is missing ";"`);
        if (opener) throw configError(file, opener.line, `block "${opener.name}" is not closed (missing "}")`);
        return out;
      case '}':
        if (first) throw configError(file, first.line, `directive "${first.text}" is missing ";" before "}"`);
        if (!opener) throw configError(file, token.line, 'unexpected "}"');
        return out;
      case ';': {
        if (!first) throw configError(file, token.line, 'empty directive (a lone ";")');
        const args = argumentsOf(words, state);
        if (first.text === 'include') out.push(...parseIncludes(args, file, first.line, state));
        else out.push({ name: first.text, args, children: [], file, line: first.line });
        break;
      }
      case '{': {
        if (!first) throw configError(file, token.line, 'block without a name');
        if (first.text === 'include') throw configError(file, first.line, 'include takes file names, not a block');
        const args = argumentsOf(words, state);
        const depth = (opener?.depth ?? 0) + 1;
        if (depth > MAX_DEPTH) throw configError(file, first.line, `blocks nested deeper than ${MAX_DEPTH}`);
        const children = parseBlockBody(tokens, cursor, file, state, { name: first.text, line: first.line, depth });
        out.push({ name: first.text, args, children, file, line: first.line });
        break;
      }
    }
  }
}

/** The words after the name, with $VAR substituted except in single quotes (a shell's rule). */
function argumentsOf(words: readonly WordToken[], state: ParseState): string[] {
  return words.slice(1).map((w) => (w.quote === "'" ? w.text : substituteEnv(w.text, state.env)));
}

function parseIncludes(paths: string[], file: string, line: number, state: ParseState): ConfDirective[] {
  if (paths.length === 0) throw configError(file, line, 'include needs a file name');
  const out: ConfDirective[] = [];
  for (const path of paths) {
    if (path === '') throw configError(file, line, 'include of an empty file name');
    const target = isAbsolute(path) ? path : join(dirname(file), path);
    const key = normalize(target);
    if (state.stack.includes(key)) {
      const chain = [...state.stack.slice(state.stack.indexOf(key)), key].join(' -> ');
      throw configError(file, line, `include cycle: ${chain}`);
    }
    if (state.stack.length >= MAX_DEPTH) throw configError(file, line, `includes nested deeper than ${MAX_DEPTH}`);
    if (++state.included > MAX_INCLUDED_FILES) throw configError(file, line, `more than ${MAX_INCLUDED_FILES} included files`);
    let text: string;
    try {
      text = state.readFile(target);
    } catch (err) {
      throw configError(file, line, `cannot read include file "${target}": ${err instanceof Error ? err.message : String(err)}`);
    }
    state.stack.push(key);
    out.push(...parseFileText(text, target, state));
    state.stack.pop();
  }
  return out;
}
