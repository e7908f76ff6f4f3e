import { describe, expect, it } from 'vitest';
import { parseConfigText, type ConfDirective } from '../../../src/core/config/index.js';
import { TsrsError } from '../../../src/core/errors.js';
import { configErrorOf, noFiles } from './helpers.js';

const parse = (text: string) => parseConfigText(text, 'test.conf', noFiles, { env: {} });

/** name + args + children, without file/line, for compact expectations. */
function shape(ds: readonly ConfDirective[]): unknown[] {
  return ds.map((d) => (d.children.length ? [d.name, ...d.args, shape(d.children)] : [d.name, ...d.args]));
}

describe('parseConfigText syntax', () => {
  it('reads simple directives with several arguments', () => {
    expect(shape(parse('listen 1935;\nmax_connections 1000;\nlisten 1936 [::]:1937;'))).toEqual([
      ['listen', '1935'],
      ['max_connections', '1000'],
      ['listen', '1936', '[::]:1937'],
    ]);
  });

  it('reads nested blocks with and without arguments', () => {
    const text = 'vhost a.com {\n  hls { enabled on; }\n  transcode live/s { engine ff { vcodec copy; } }\n}\n';
    expect(shape(parse(text))).toEqual([
      ['vhost', 'a.com', [['hls', [['enabled', 'on']]], ['transcode', 'live/s', [['engine', 'ff', [['vcodec', 'copy']]]]]]],
    ]);
  });

  it('keeps an empty block as a block with no children', () => {
    const [vhost] = parse('vhost x {}');
    expect(vhost).toMatchObject({ name: 'vhost', args: ['x'], children: [] });
  });

  it('records the file and the 1-based line of every directive', () => {
    const tree = parse('# comment\n\nlisten 1935;\nvhost v {\n\n  chunk_size\n    4096;\n}\n');
    expect(tree[0]).toMatchObject({ name: 'listen', file: 'test.conf', line: 3 });
    expect(tree[1]).toMatchObject({ name: 'vhost', line: 4 });
    expect(tree[1]!.children[0]).toMatchObject({ name: 'chunk_size', args: ['4096'], line: 6 });
  });

  it('skips comments to the end of the line, anywhere a word may start', () => {
    const text = '# top\nlisten 1935; # after\nvhost v { # open\n  # inside\n  enabled on; #x;y{z}\n} # end';
    expect(shape(parse(text))).toEqual([['listen', '1935'], ['vhost', 'v', [['enabled', 'on']]]]);
  });

  it('keeps a # inside a word or quotes; at a word start it is a comment (as SRS)', () => {
    expect(shape(parse('default_streamid "#!::r=live/a,m=publish";'))).toEqual([['default_streamid', '#!::r=live/a,m=publish']]);
    expect(configErrorOf(() => parse('default_streamid #!::r=live/a;'))).toMatch(/^test\.conf:1: directive "default_streamid" is missing ";"/);
    expect(shape(parse('default_streamid x#!::r=live/a;'))).toEqual([['default_streamid', 'x#!::r=live/a']]);
  });

  it('reads quoted strings with spaces, ;, {, } and #', () => {
    const text = `a "x y; {z} #w";\nb 'it''s';\nc 'say "hi"' "it's";\nd "";`;
    expect(() => parse(text)).toThrow(TsrsError);
    expect(shape(parse(`a "x y; {z} #w";\nc 'say "hi"' "it's";\nd "" '';`))).toEqual([
      ['a', 'x y; {z} #w'],
      ['c', 'say "hi"', "it's"],
      ['d', '', ''],
    ]);
  });

  it('lets a quoted string span lines and counts them', () => {
    const tree = parse('a "one\ntwo";\nb 1;');
    expect(tree[0]!.args).toEqual(['one\ntwo']);
    expect(tree[1]!.line).toBe(3);
  });

  it('accepts tabs, CRLF line ends and no trailing newline', () => {
    expect(shape(parse('listen\t1935;\r\nvhost v {\r\n\tenabled on;\r\n}'))).toEqual([
      ['listen', '1935'],
      ['vhost', 'v', [['enabled', 'on']]],
    ]);
  });

  it('accepts punctuation without spaces around it', () => {
    expect(shape(parse('a 1;b{c 2;d 3;}e;'))).toEqual([['a', '1'], ['b', [['c', '2'], ['d', '3']]], ['e']]);
  });

  it('parses an empty file and a comment-only file to nothing', () => {
    expect(parse('')).toEqual([]);
    expect(parse('# nothing\n   \n')).toEqual([]);
  });
});

describe('parseConfigText errors name FILE:LINE', () => {
  it.each([
    ['listen 1935;\n}\n', 'test.conf:2: unexpected "}"'],
    ['vhost v {\n  enabled on\n}', 'test.conf:2: directive "enabled" is missing ";" before "}"'],
    ['listen 1935', 'test.conf:1: directive "listen" is missing ";"'],
    ['a 1;\nvhost v {\n  enabled on;\n', 'test.conf:2: block "vhost" is not closed'],
    ['a 1;\nb "open;\n\n', 'test.conf:2: unterminated quoted string'],
    ["a 'x;", 'test.conf:1: unterminated quoted string'],
    ['a 1;\n;\n', 'test.conf:2: empty directive'],
    ['a 1;\n\n{ b 1; }', 'test.conf:3: block without a name'],
    ['a "x"y;', 'test.conf:1: unexpected "y" after quoted string'],
  ])('%j', (text, prefix) => {
    expect(configErrorOf(() => parse(text))).toMatch(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a missing ; swallows the next line as arguments and then fails at its end', () => {
    // As in SRS: `listen 1935\nmax_connections 10;` is one directive `listen 1935 max_connections 10`.
    expect(shape(parse('listen 1935\nmax_connections 10;'))).toEqual([['listen', '1935', 'max_connections', '10']]);
  });

  it('rejects blocks nested without bound instead of exhausting the stack', () => {
    const deep = 'a {'.repeat(10000) + '}'.repeat(10000);
    expect(configErrorOf(() => parse(deep))).toMatch(/^test\.conf:1: blocks nested deeper than/);
  });

  it('every truncation of a valid file either parses or fails with ConfigInvalid', () => {
    const text = 'listen 1935; # c\nvhost "a b" {\n  hls { enabled on; }\n  x \'q;\' "r{";\n}\n';
    for (let end = 0; end <= text.length; end++) {
      try {
        parse(text.slice(0, end));
      } catch (err) {
        expect(err, `prefix ${end}`).toBeInstanceOf(TsrsError);
        expect((err as TsrsError).codeName).toBe('ConfigInvalid');
        expect((err as TsrsError).message).toMatch(/^test\.conf:\d+: /);
      }
    }
  });
});
