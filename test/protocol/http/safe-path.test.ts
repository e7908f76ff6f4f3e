import { describe, expect, it } from 'vitest';
import { resolveSafePath, splitRequestTarget } from '../../../src/protocol/http/safe-path.js';

describe('resolveSafePath', () => {
  it('decodes segments and drops empty and . ones', () => {
    expect(resolveSafePath('/live/s.flv')).toEqual({ ok: true, segments: ['live', 's.flv'], relative: 'live/s.flv', trailingSlash: false });
    expect(resolveSafePath('/a%20b//./c/')).toEqual({ ok: true, segments: ['a b', 'c'], relative: 'a b/c', trailingSlash: true });
    expect(resolveSafePath('/')).toEqual({ ok: true, segments: [], relative: '', trailingSlash: true });
    expect(resolveSafePath('/..a/b..')).toMatchObject({ ok: true, relative: '..a/b..' });
  });

  it.each([
    ['/../etc/passwd', 403],
    ['/live/../../etc/passwd', 403],
    ['/%2e%2e/etc/passwd', 403],
    ['/%2E%2E/etc/passwd', 403],
    ['/.%2e/etc/passwd', 403],
    ['/a%2f..%2f..%2fetc/passwd', 403],
    ['/a%2F..', 403],
    ['/a%5c..%5cb', 403],
    ['/a\\..\\b', 403],
    ['/a%00.m3u8', 403],
    ['/a\0b', 403],
    ['/a%zz', 400],
    ['/a%', 400],
    ['/%e0%a4%a', 400],
    ['relative/path', 400],
    [`/${'a'.repeat(5000)}`, 400],
  ])('refuses %s with %i', (path, status) => {
    const result = resolveSafePath(path);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(status);
      expect(result.reason.length).toBeGreaterThan(3);
    }
  });
});

describe('splitRequestTarget', () => {
  it('splits path and query, accepts absolute-form, drops fragments', () => {
    expect(splitRequestTarget('/live/s.flv?vhost=a&k=v')).toEqual({ path: '/live/s.flv', query: '?vhost=a&k=v' });
    expect(splitRequestTarget('/x')).toEqual({ path: '/x', query: '' });
    expect(splitRequestTarget('http://host:8080/live/s.flv?a=1')).toEqual({ path: '/live/s.flv', query: '?a=1' });
    expect(splitRequestTarget('http://host')).toEqual({ path: '/', query: '' });
    expect(splitRequestTarget('/a#frag')).toEqual({ path: '/a', query: '' });
    expect(splitRequestTarget('*')).toBeUndefined();
    expect(splitRequestTarget('')).toBeUndefined();
  });
});
