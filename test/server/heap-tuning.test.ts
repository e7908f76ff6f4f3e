import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

import { keepYoungGenerationSmall } from '../../src/server/heap-tuning.js';

const run = promisify(execFile);
const tuningModule = fileURLToPath(new URL('../../dist/server/heap-tuning.js', import.meta.url));

/** A burst of long-lived objects, like a ramp of connections; prints the new space's resident MB. */
function burstScript(tune: boolean): string {
  return `
    import v8 from 'node:v8';
    import { keepYoungGenerationSmall } from ${JSON.stringify(tuningModule)};
    if (${tune}) keepYoungGenerationSmall([]);
    const kept = [];
    for (let i = 0; i < 2e6; i++) { kept.push({ id: i, list: [i], name: 'c' + i }); if (kept.length > 6e5) kept.splice(0, 3e5); }
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.physical_space_size / 1048576);
  `;
}

async function newSpaceMbAfterBurst(tune: boolean): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', burstScript(tune)]);
  return Number(stdout.trim());
}

describe('heap tuning', () => {
  it('keeps the young generation at its initial size through a burst of survivors', async () => {
    const untuned = await newSpaceMbAfterBurst(false);
    const tuned = await newSpaceMbAfterBurst(true);
    expect(untuned).toBeGreaterThan(16);
    expect(tuned).toBeLessThan(4);
  });

  it("leaves the user's own semi-space flags alone", () => {
    expect(keepYoungGenerationSmall(['--max-semi-space-size=8'])).toBe(false);
    expect(keepYoungGenerationSmall(['--semi-space-growth-factor=2'])).toBe(false);
  });
});
