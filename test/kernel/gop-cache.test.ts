import { describe, expect, it } from 'vitest';
import { GopCache } from '../../src/kernel/gop-cache.js';
import { PackedMediaGopStore } from '../../src/kernel/packed-media-gop.js';
import type { MediaPacket } from '../../src/kernel/packet.js';

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

describe('GopCache over PackedMediaGopStore', () => {
  const packet = (kind: MediaPacket['kind'], timestamp: number, size: number, isKeyframe = false): MediaPacket => ({
    kind,
    timestamp,
    payload: Buffer.alloc(size, timestamp % 251),
    isKeyframe,
    isSequenceHeader: kind === 'data',
  });

  it('gives back equal packets: kind, time past 2^32, flags, random access and bytes', () => {
    const cache = new GopCache<MediaPacket>(new PackedMediaGopStore());
    const sent = [packet('video', 2 ** 32 + 5, 40_000, true), packet('audio', 2 ** 32 + 6, 300), packet('data', 7, 10)];
    // Enough small packets to fill several segments and grow the index past its first size.
    for (let i = 0; i < 200; i++) sent.push(packet(i % 2 ? 'audio' : 'video', 100 + i, 1_000 + i));
    for (const [i, p] of sent.entries()) cache.push(p, i === 0, on);
    const got = cache.snapshot();
    expect(got.map((e) => e.item)).toEqual(sent);
    expect(got.map((e) => e.randomAccess)).toEqual(sent.map((_, i) => i === 0));
  });

  it('copies the bytes: a payload changed after the push does not change the cache', () => {
    const cache = new GopCache<MediaPacket>(new PackedMediaGopStore());
    const keyframe = packet('video', 0, 100, true);
    cache.push(keyframe, true, on);
    keyframe.payload.fill(0xee);
    expect(cache.snapshot()[0]?.item.payload.every((b) => b === 0)).toBe(true);
  });

  it('starts each GOP afresh, reusing the bytes of the last one', () => {
    const cache = new GopCache<MediaPacket>(new PackedMediaGopStore());
    for (let gop = 0; gop < 3; gop++) {
      cache.push(packet('video', gop * 1000, 20_000, true), true, on);
      for (let i = 1; i < 50; i++) cache.push(packet('audio', gop * 1000 + i, 500), false, on);
      const got = cache.snapshot();
      expect(got).toHaveLength(50);
      expect(got[0]?.item.timestamp).toBe(gop * 1000);
      expect(got[49]?.item.payload.every((b) => b === (gop * 1000 + 49) % 251)).toBe(true);
    }
  });
});
