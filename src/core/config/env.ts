/**
 * `$VAR` and `${VAR}` in a config argument, replaced from the environment.
 * As SRS's srs_getenv, an unset variable becomes the empty string (no error): a field that
 * cannot be empty then fails validation with FILE:LINE, and `candidate $CANDIDATE` with no
 * CANDIDATE set falls back to `*` as in SRS. A `$` not followed by a name stays literal.
 * Single-quoted arguments are not substituted (as in a shell), which is how to write a `$`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function substituteEnv(arg: string, env: Env): string {
  if (!arg.includes('$')) return arg;
  return arg.replace(VARIABLE, (_match, braced: string | undefined, bare: string | undefined) => env[(braced ?? bare)!] ?? '');
}
