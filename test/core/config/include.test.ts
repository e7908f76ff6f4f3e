import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFromFile, parseConfigFile, parseConfigText } from '../../../src/core/config/index.js';
import { configErrorOf, memoryFiles } from './helpers.js';

const FIXTURES = resolve(__dirname, '../../fixtures/conf');

describe('include', () => {
  it('inlines a file at the top level, relative to the including file', () => {
    const read = memoryFiles({ 'conf/main.conf': 'include other.conf;\nb 2;', 'conf/other.conf': 'a 1;' });
    const tree = parseConfigFile('conf/main.conf', read, { env: {} });
    expect(tree.map((d) => [d.name, d.args[0], d.file, d.line])).toEqual([
      ['a', '1', 'conf/other.conf', 1],
      ['b', '2', 'conf/main.conf', 2],
    ]);
  });

  it('inlines inside a block and nests includes relative to each file', () => {
    const read = memoryFiles({
      'c/main.conf': 'vhost v {\n  include parts/body.conf;\n  enabled on;\n}',
      'c/parts/body.conf': 'hls {\n include ../deeper/hls.conf;\n}',
      'c/deeper/hls.conf': 'enabled on;\nhls_fragment 3;',
    });
    const [vhost] = parseConfigFile('c/main.conf', read, { env: {} });
    expect(vhost!.children.map((d) => d.name)).toEqual(['hls', 'enabled']);
    expect(vhost!.children[0]!.children.map((d) => [d.name, d.file, d.line])).toEqual([
      ['enabled', 'c/deeper/hls.conf', 1],
      ['hls_fragment', 'c/deeper/hls.conf', 2],
    ]);
  });

  it('takes several files in one include, and absolute paths as they are', () => {
    const read = memoryFiles({ '/etc/a.conf': 'a 1;', 'x/b.conf': 'b 2;' });
    const tree = parseConfigText('include /etc/a.conf b.conf;', 'x/main.conf', read, { env: {} });
    expect(tree.map((d) => d.name)).toEqual(['a', 'b']);
  });

  it('substitutes environment variables in the include path', () => {
    const read = memoryFiles({ 'site/prod.conf': 'a 1;' });
    const tree = parseConfigText('include ${STAGE}.conf;', 'site/main.conf', read, { env: { STAGE: 'prod' } });
    expect(tree.map((d) => d.name)).toEqual(['a']);
  });

  it('allows the same file twice when it is not a cycle', () => {
    const read = memoryFiles({ 'm.conf': 'include a.conf a.conf;', 'a.conf': 'x 1;' });
    expect(parseConfigFile('m.conf', read, { env: {} }).length).toBe(2);
  });

  it('reports a missing include file at the include line', () => {
    const read = memoryFiles({ 'conf/main.conf': 'a 1;\n\ninclude nope.conf;' });
    expect(configErrorOf(() => parseConfigFile('conf/main.conf', read))).toMatch(
      /^conf\/main\.conf:3: cannot read include file "conf\/nope\.conf": ENOENT/,
    );
  });

  it('reports an include cycle with the chain', () => {
    const read = memoryFiles({ 'a.conf': 'include b.conf;', 'b.conf': 'x 1;\ninclude ./a.conf;' });
    expect(configErrorOf(() => parseConfigFile('a.conf', read))).toBe('b.conf:2: include cycle: a.conf -> b.conf -> a.conf');
  });

  it('reports a file including itself', () => {
    const read = memoryFiles({ 'd/self.conf': 'vhost v {\n  include self.conf;\n}' });
    expect(configErrorOf(() => parseConfigFile('d/self.conf', read))).toBe('d/self.conf:2: include cycle: d/self.conf -> d/self.conf');
  });

  it('names the included file and its line for an error inside it', () => {
    const read = memoryFiles({ 'main.conf': 'a 1;\ninclude sub/x.conf;', 'sub/x.conf': 'b 1;\n\nc 2\n' });
    expect(configErrorOf(() => parseConfigFile('main.conf', read))).toBe('sub/x.conf:3: directive "c" is missing ";"');
  });

  it('requires balanced braces inside an included file', () => {
    const read = memoryFiles({ 'main.conf': 'vhost v {\n include x.conf;\n}', 'x.conf': 'a 1;\n}' });
    expect(configErrorOf(() => parseConfigFile('main.conf', read))).toBe('x.conf:2: unexpected "}"');
  });

  it('rejects include without a file or with a block', () => {
    expect(configErrorOf(() => parseConfigText('include;', 'm.conf', memoryFiles({})))).toBe('m.conf:1: include needs a file name');
    expect(configErrorOf(() => parseConfigText('\ninclude a { }', 'm.conf', memoryFiles({})))).toMatch(/^m\.conf:2: include takes file names/);
  });

  it('reports an unreadable top-level file', () => {
    expect(configErrorOf(() => parseConfigFile('gone.conf', memoryFiles({})))).toMatch(/^gone\.conf:0: cannot read config file/);
  });

  it('loads the on-disk include fixture through a real reader', () => {
    const { config, warnings } = loadConfigFromFile(join(FIXTURES, 'include/main.conf'), (p) => readFileSync(p, 'utf8'), { env: {} });
    expect(warnings).toEqual([]);
    expect(config.listen).toEqual([{ host: '0.0.0.0', port: 19350 }]);
    expect(config.srs_log_tank).toBe('console');
    const byName = new Map(config.vhosts.map((v) => [v.name, v]));
    expect(byName.get('__defaultVhost__')!.hls).toMatchObject({ enabled: true, hls_fragment: 2 });
    expect(byName.get('hooks.example.com')!.http_hooks).toMatchObject({ enabled: true, on_publish: ['http://127.0.0.1:8085/api/v1/streams'] });
  });

  it('warns about an unknown directive with the included file and line', () => {
    const read = memoryFiles({ 'm.conf': 'vhost v {\n  include p.conf;\n}', 'p.conf': 'play {\n\n  bogus 1;\n}' });
    const { warnings } = loadConfigFromFile('m.conf', read, { env: {} });
    expect(warnings).toEqual(['p.conf:3: unknown directive "bogus" in vhost.play']);
  });
});
