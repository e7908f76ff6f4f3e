import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

// The design's downward-only DAG: a layer imports only layers of a lower rank.
// src/native (the addon facade) sits beside protocol: app and protocol may use it.
const RANK: Record<string, number> = { core: 0, kernel: 1, native: 1, protocol: 2, app: 3, server: 4 };
const SRC = resolve(__dirname, '..', 'src');
const IO_MODULES = /^(node:)?(fs|net|dgram|http|https|child_process|tls|fs\/promises)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0]!;

describe('layers', () => {
  const files = sourceFiles(SRC);

  it('every source file lives in a known layer', () => {
    for (const file of files) expect(RANK, file).toHaveProperty(layerOf(file));
  });

  it('imports only point down the layer list', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const to = layerOf(resolve(dirname(file), spec));
        if (to !== from && !(RANK[to]! < RANK[from]!)) violations.push(`${relative(SRC, file)} -> ${spec}`);
        if (to === 'native' && from === 'kernel') violations.push(`${relative(SRC, file)} -> ${spec} (kernel stays native-free)`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('core does no I/O and only src/native loads the addon', () => {
    for (const file of files) {
      const specs = imports(file);
      if (layerOf(file) === 'core') expect(specs.filter((s) => IO_MODULES.test(s)), file).toEqual([]);
      if (layerOf(file) !== 'native') expect(readFileSync(file, 'utf8'), file).not.toMatch(/node-gyp-build|\.node['"]/);
    }
  });
});
