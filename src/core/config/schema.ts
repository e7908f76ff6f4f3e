/**
 * A config section is described once, as a schema of fields keyed by model property name;
 * the same description validates the tree, fills SRS defaults, names unknown directives and
 * gives the TypeScript type (Loaded<S>), so model and checker cannot drift apart.
 */
import { at, type ConfDirective } from './directive.js';

export interface ConfWarning {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface LoadContext {
  /** Where warnings go (unknown directives, duplicates, ignored arguments). */
  readonly warnings: ConfWarning[];
  /** Dotted directive path, e.g. "vhost.play.queue_length"; "" at top level. */
  readonly path: string;
  /** The whole top level, for vhost settings that fall back to a global directive. */
  readonly root: readonly ConfDirective[];
}

export interface Field<T> {
  /** The directive's name in the config, when the model key differs (model `vhosts` <- `vhost`). */
  readonly directive?: string;
  /** A block's own schema, so tests and docs can walk every known directive. */
  readonly children?: Schema;
  /** Several directives of this name are expected (lists, named blocks): no duplicate warning. */
  readonly repeats?: boolean;
  /** Builds the value from every directive of this name in the block (none: the default). */
  load(found: readonly ConfDirective[], ctx: LoadContext): T;
}

export type Schema = { readonly [key: string]: Field<unknown> };

export type Loaded<S extends Schema> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export function directiveName(key: string, field: Field<unknown>): string {
  return field.directive ?? key;
}

export function childContext(ctx: LoadContext, name: string): LoadContext {
  return { ...ctx, path: ctx.path ? `${ctx.path}.${name}` : name };
}

export function warn(ctx: LoadContext, d: ConfDirective, message: string): void {
  ctx.warnings.push({ file: d.file, line: d.line, message });
}

/** Loads one block's children against a schema; ctx.path names the block itself. */
export function loadBlock<S extends Schema>(schema: S, children: readonly ConfDirective[], ctx: LoadContext): Loaded<S> {
  const byName = new Map<string, ConfDirective[]>();
  for (const d of children) {
    const list = byName.get(d.name);
    if (list) list.push(d);
    else byName.set(d.name, [d]);
  }
  const known = new Set(Object.entries(schema).map(([key, field]) => directiveName(key, field)));
  for (const d of children) {
    if (!known.has(d.name)) warn(ctx, d, `unknown directive "${d.name}"${ctx.path ? ` in ${ctx.path}` : ' at top level'}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const name = directiveName(key, field);
    const found = byName.get(name) ?? [];
    const fieldCtx = childContext(ctx, name);
    if (!field.repeats && found.length > 1) {
      warn(ctx, found[1]!, `duplicate directive "${name}" in ${ctx.path || 'top level'}, the first one (${at(found[0]!.file, found[0]!.line)}) is used`);
    }
    out[key] = field.load(field.repeats ? found : found.slice(0, 1), fieldCtx);
  }
  return out as Loaded<S>;
}
