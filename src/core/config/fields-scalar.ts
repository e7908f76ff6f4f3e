/**
 * Fields for one-value directives (`name value;`) and argument lists (`name a b c;`).
 * A bad value is a ConfigInvalid error naming FILE:LINE, the directive path and what was
 * expected; extra arguments are a warning, as SRS ignores them.
 */
import { directiveError, type ConfDirective } from './directive.js';
import { warn, type Field, type LoadContext } from './schema.js';
import { ANY_HOST, parseDecimal, parseEndpoint, parseSwitch, type Endpoint } from './values.js';

function invalid(d: ConfDirective, ctx: LoadContext, value: string, expected: string): Error {
  return directiveError(d, `invalid value "${value}" for ${ctx.path}: expected ${expected}`);
}

function noBlock(d: ConfDirective, ctx: LoadContext): void {
  if (d.children.length > 0) throw directiveError(d, `${ctx.path} takes a value, not a block`);
}

/** A `name value;` field: the first directive's single argument, parsed. */
export function single<T>(fallback: T, expected: string, parse: (arg: string) => T | undefined): Field<T> {
  return {
    load(found, ctx) {
      const d = found[0];
      if (!d) return fallback;
      noBlock(d, ctx);
      const arg = d.args[0];
      if (arg === undefined) throw directiveError(d, `${ctx.path} needs a value: ${expected}`);
      if (d.args.length > 1) warn(ctx, d, `${ctx.path} takes one value, extra arguments ignored`);
      const value = parse(arg);
      if (value === undefined) throw invalid(d, ctx, arg, expected);
      return value;
    },
  };
}

export function flag(fallback: boolean): Field<boolean> {
  return single(fallback, 'on or off', parseSwitch);
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** A number in the unit SRS documents for the directive (ms, seconds, bytes...). */
export function num(fallback: number, range: NumberRange = {}): Field<number> {
  const { min, max, integer } = range;
  const parts = [integer ? 'an integer' : 'a number'];
  if (min !== undefined) parts.push(`>= ${min}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  return single(fallback, parts.join(' '), (arg) => {
    const n = parseDecimal(arg);
    if (n === undefined || (integer && !Number.isInteger(n))) return undefined;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) return undefined;
    return n;
  });
}

export function int(fallback: number, range: Omit<NumberRange, 'integer'> = {}): Field<number> {
  return num(fallback, { ...range, integer: true });
}

/** Free text; `emptyMeansDefault` for SRS directives where an unset `$VAR` means "use the default". */
export function str(fallback: string, options: { emptyMeansDefault?: boolean } = {}): Field<string> {
  return single(fallback, 'a value', (arg) => (arg === '' && options.emptyMeansDefault ? fallback : arg));
}

export function oneOf<const V extends readonly string[]>(values: V, fallback: V[number]): Field<V[number]> {
  return single(fallback, values.join(' | '), (arg) => values.find((v) => v === arg));
}

/** `name a b c;` (and repeated `name d;` lines, appended in order): a list of arguments. */
export function list(fallback: readonly string[] = []): Field<readonly string[]> {
  return {
    repeats: true,
    load(found, ctx) {
      if (found.length === 0) return fallback;
      for (const d of found) noBlock(d, ctx);
      return found.flatMap((d) => d.args);
    },
  };
}

/** `listen 1935 [::]:1935;`: one or more endpoints; a bad port is an error. */
export function listen(...fallbackPorts: number[]): Field<readonly Endpoint[]> {
  const fallback = fallbackPorts.map((port) => ({ host: ANY_HOST, port }));
  return {
    repeats: true,
    load(found, ctx) {
      if (found.length === 0) return fallback;
      return found.flatMap((d) => {
        noBlock(d, ctx);
        if (d.args.length === 0) throw directiveError(d, `${ctx.path} needs a port`);
        return d.args.map((arg) => {
          const endpoint = parseEndpoint(arg);
          if (!endpoint) throw invalid(d, ctx, arg, 'a port 0-65535, HOST:PORT or [IPV6]:PORT');
          return endpoint;
        });
      });
    },
  };
}

/** A field whose absence falls back to the same directive at top level (vhost chunk_size). */
export function orTopLevel<T>(field: Field<T>, topLevelName: string): Field<T> {
  return {
    ...field,
    load(found, ctx) {
      if (found.length > 0) return field.load(found, ctx);
      return field.load(ctx.root.filter((d) => d.name === topLevelName).slice(0, 1), { ...ctx, path: topLevelName });
    },
  };
}
