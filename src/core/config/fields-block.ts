/**
 * Fields for blocks: `name { ... }` once, `name ARG { ... }` many times (vhost, ingest,
 * engine), anonymous repeated blocks (stream_caster), and free-form parameter blocks
 * whose entries pass straight to ffmpeg (vfilter, vparams, aparams, perfile).
 */
import { directiveError, type ConfDirective } from './directive.js';
import { loadBlock, warn, type Field, type LoadContext, type Loaded, type Schema } from './schema.js';

/** Loads a block directive's children; `hls;` with no braces is an empty block. */
function loadOne<S extends Schema>(schema: S, d: ConfDirective | undefined, ctx: LoadContext): Loaded<S> {
  return loadBlock(schema, d?.children ?? [], ctx);
}

/** `name { ... }`: absent means every default. */
export function block<S extends Schema>(schema: S): Field<Loaded<S>> {
  return {
    children: schema,
    load(found, ctx) {
      const d = found[0];
      if (d && d.args.length > 0) warn(ctx, d, `${ctx.path} takes no arguments, "${d.args.join(' ')}" ignored`);
      return loadOne(schema, d, ctx);
    },
  };
}

export type Named<T> = T & { readonly name: string };

/**
 * `name ARG { ... }` any number of times, in config order. `nameRequired` rejects a missing
 * ARG (vhost, ingest); a repeated ARG keeps the first block and warns, as SRS looks up the first.
 */
export function named<S extends Schema>(
  schema: S,
  options: { directive?: string; nameRequired: boolean },
): Field<readonly Named<Loaded<S>>[]> {
  return {
    children: schema,
    repeats: true,
    ...(options.directive ? { directive: options.directive } : {}),
    load(found, ctx) {
      const out: Named<Loaded<S>>[] = [];
      for (const d of found) {
        const name = d.args[0] ?? '';
        if (options.nameRequired && name === '') throw directiveError(d, `${ctx.path} needs a name`);
        if (d.args.length > 1) warn(ctx, d, `${ctx.path} takes one name, extra arguments ignored`);
        if (out.some((o) => o.name === name)) {
          warn(ctx, d, `duplicate ${ctx.path} "${name}", the first one is used`);
          continue;
        }
        out.push({ name, ...loadOne(schema, d, ctx) });
      }
      return out;
    },
  };
}

/** `name { ... }` any number of times without a name (stream_caster). */
export function repeated<S extends Schema>(schema: S, options: { directive?: string } = {}): Field<readonly Loaded<S>[]> {
  return {
    children: schema,
    repeats: true,
    ...(options.directive ? { directive: options.directive } : {}),
    load: (found, ctx) => found.map((d) => loadOne(schema, d, ctx)),
  };
}

export interface Param {
  readonly name: string;
  readonly args: readonly string[];
}

/** A block of free-form `key value...;` entries, kept in order (ffmpeg options). */
export function params(): Field<readonly Param[]> {
  return {
    load(found, ctx) {
      const d = found[0];
      if (!d) return [];
      return d.children.map((p) => {
        if (p.children.length > 0) throw directiveError(p, `${ctx.path}.${p.name} takes values, not a block`);
        return { name: p.name, args: p.args };
      });
    },
  };
}

/** `name arg arg...;` repeated, each one a command line of its own (exec publish). */
export function commands(): Field<readonly (readonly string[])[]> {
  return {
    repeats: true,
    load(found, ctx) {
      return found.map((d) => {
        if (d.children.length > 0) throw directiveError(d, `${ctx.path} takes a command line, not a block`);
        if (d.args.length === 0) throw directiveError(d, `${ctx.path} needs a command line`);
        return d.args;
      });
    },
  };
}

/** Post-processes a field's value (fill a default from a sibling, derive a port from a mode). */
export function mapped<T, U>(field: Field<T>, map: (value: T) => U): Field<U> {
  return { ...field, load: (found, ctx) => map(field.load(found, ctx)) };
}
