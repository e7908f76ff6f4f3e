/** Compares a tsrs answer with a captured SRS 6 sample: same keys, same value types, recursively. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Responses captured from SRS 6.0.157 (a copy of shared/srs-samples; see its README.md). */
export const SAMPLES = join(__dirname, 'srs-samples');

export function sample(path: string): any {
  return JSON.parse(readFileSync(join(SAMPLES, path), 'utf8'));
}

/**
 * Differences between `actual` and `expected` in shape: missing or extra keys, or a value of
 * another type. A null in the sample accepts anything (SRS writes null where it has nothing);
 * arrays compare their first elements. `allowExtra` lists paths that may carry more keys.
 */
export function shapeDiff(actual: unknown, expected: unknown, path = '$', allowExtra: string[] = []): string[] {
  if (expected === null) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (expected.length === 0 || actual.length === 0) return [];
    return shapeDiff(actual[0], expected[0], `${path}[0]`, allowExtra);
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const out: string[] = [];
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push(`${path}.${key}: missing`);
      else out.push(...shapeDiff(a[key], e[key], `${path}.${key}`, allowExtra));
    }
    if (!allowExtra.includes(path)) for (const key of Object.keys(a)) if (!(key in e)) out.push(`${path}.${key}: not in the SRS sample`);
    return out;
  }
  return typeof actual === typeof expected ? [] : [`${path}: expected ${typeof expected}, got ${JSON.stringify(actual)}`];
}
