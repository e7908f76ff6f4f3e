/**
 * V8 heap tuning for a server whose heap is mostly long-lived per-connection objects.
 *
 * V8 doubles the young generation (up to 16 MiB per semi-space in Node 20) whenever many
 * young objects survive a scavenge. A burst of connections does exactly that: every
 * socket's objects survive, so the new space grows to ~34 MiB and stays resident, which
 * was half of tsrs's RSS growth for 3000 players. Those objects belong in the old
 * generation anyway, so the young generation keeps its initial size. `--max-semi-space-size`
 * cannot be changed after the isolate starts; the growth factor can.
 *
 * A user who passes their own `--max-semi-space-size` or `--semi-space-growth-factor`
 * to node keeps it.
 */
import v8 from 'node:v8';

export function keepYoungGenerationSmall(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--(max-semi-space-size|semi-space-growth-factor)/.test(arg))) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
