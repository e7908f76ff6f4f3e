import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TSRS_VERSION } from '../../src/core/version.js';

describe('version', () => {
  it('is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(TSRS_VERSION).toBe(pkg.version);
  });
});
