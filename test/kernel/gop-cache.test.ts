import { describe, expect, it } from 'vitest';
import { GopCache } from '../../src/kernel/gop-cache.js';

const on = { enabled: true, maxFrames: 2500 };
const items = (cache: GopCache<string>) => cache.snapshot().map((e) => e.item);

describe('GopCache', () => {
  it('keeps the messages since the latest random access point', () => {
    const cache = new GopCache<string>();
    cache.push('p0', false, on);
    expect(cache.size).toBe(0); // nothing decodable before the first keyframe
    cache.push('k1', true, on);
    cache.push('p1', false, on);
    cache.push('a1', false, on);
    expect(items(cache)).toEqual(['k1', 'p1', 'a1']);
    cache.push('k2', true, on);
    cache.push('p2', false, on);
    expect(items(cache)).toEqual(['k2', 'p2']);
    expect(cache.snapshot()[0]?.randomAccess).toBe(true);
    expect(cache.snapshot()[1]?.randomAccess).toBe(false);
  });

  it('drops a GOP that outgrows maxFrames until the next random access point', () => {
    const cache = new GopCache<string>();
    const small = { enabled: true, maxFrames: 3 };
    cache.push('k1', true, small);
    cache.push('p1', false, small);
    cache.push('p2', false, small);
    expect(cache.size).toBe(3);
    cache.push('p3', false, small);
    expect(cache.size).toBe(0);
    cache.push('p4', false, small);
    expect(cache.size).toBe(0);
    cache.push('k2', true, small);
    expect(items(cache)).toEqual(['k2']);
  });

  it('keeps nothing when disabled, and forgets what it had', () => {
    const cache = new GopCache<string>();
    cache.push('k1', true, on);
    cache.push('p1', false, { enabled: false, maxFrames: 2500 });
    expect(cache.size).toBe(0);
    cache.push('k2', true, { enabled: false, maxFrames: 2500 });
    expect(cache.size).toBe(0);
  });

  it('clears', () => {
    const cache = new GopCache<string>();
    cache.push('k1', true, on);
    cache.clear();
    expect(cache.size).toBe(0);
    cache.push('p1', false, on);
    expect(cache.size).toBe(0);
  });
});
