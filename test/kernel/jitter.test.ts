import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FRAME_TIME_MS,
  isJitterMode,
  TimestampJitter,
  Uint32Unwrapper,
  type MessageKind,
} from '../../src/kernel/jitter.js';

const TWO_32 = 2 ** 32;

function run(mode: 'full' | 'zero' | 'off', input: Array<[number, MessageKind]>): number[] {
  const jitter = new TimestampJitter(mode);
  return input.map(([ts, kind]) => jitter.correct(ts, kind));
}
const av = (...ts: number[]): Array<[number, MessageKind]> => ts.map((t, i) => [t, i % 2 ? 'audio' : 'video']);

describe('jitter full', () => {
  it('starts at zero and keeps normal deltas', () => {
    expect(run('full', av(5000, 5023, 5040, 5046, 5080))).toEqual([0, 23, 40, 46, 80]);
  });

  it('keeps small negative deltas (A/V interleave) so tracks stay in sync, never below 0', () => {
    expect(run('full', av(1000, 990, 1040, 1030, 1080))).toEqual([0, 0, 50, 40, 90]);
    expect(run('full', av(1000, 1040, 1030))).toEqual([0, 40, 30]);
  });

  it('replaces a jump beyond +-250 ms with 10 ms (publisher restart, encoder clock jump)', () => {
    expect(run('full', av(1000, 1040, 90_000, 90_040, 500, 540))).toEqual([0, 40, 50, 90, 100, 140]);
    // Exactly 250 is still a valid delta; 251 is not; -250 is valid; -251 is not.
    expect(run('full', av(0, 250, 501))).toEqual([0, 250, 250 + DEFAULT_FRAME_TIME_MS]);
    expect(run('full', av(1000, 750, 499))).toEqual([0, 0, 10]);
  });

  it('sets script data to 0 without disturbing the audio/video timeline', () => {
    expect(run('full', [[100, 'video'], [0, 'data'], [140, 'audio'], [99999, 'data'], [180, 'video']])).toEqual([0, 0, 40, 0, 80]);
  });

  it('stays monotonic across the 32-bit wrap of the incoming timestamp', () => {
    const start = TWO_32 - 100;
    const input = av(start, start + 40, start + 80, 20, 60, 100);
    expect(run('full', input)).toEqual([0, 40, 80, 120, 160, 200]);
  });
});

describe('jitter zero', () => {
  it('only rebases to the first audio/video message, keeping jumps and reorderings', () => {
    expect(run('zero', av(5000, 5040, 4990, 90_000))).toEqual([0, 40, 0, 85_000]);
    expect(run('zero', [[0, 'data'], [3000, 'video'], [3040, 'audio'], [0, 'data']])).toEqual([0, 0, 40, 0]);
  });

  it('counts past 2^32 ms instead of wrapping (publishing longer than 49.7 days)', () => {
    const base = 1000;
    const out = run('zero', av(base, TWO_32 - 10, 30, 100));
    expect(out).toEqual([0, TWO_32 - 10 - base, TWO_32 + 30 - base, TWO_32 + 100 - base]);
    expect(out[3]! % TWO_32).toBe(100 - base + TWO_32); // what a writer puts on the wire
  });
});

describe('jitter off', () => {
  it('passes timestamps through (unwrapped beyond 2^32, the same value modulo 2^32)', () => {
    expect(run('off', av(5000, 4000, 9_000_000))).toEqual([5000, 4000, 9_000_000]);
    const out = run('off', av(TWO_32 - 1, 5));
    expect(out).toEqual([TWO_32 - 1, TWO_32 + 5]);
    expect(out.map((t) => t % TWO_32)).toEqual([TWO_32 - 1, 5]);
  });

  it('knows its mode names', () => {
    expect(['full', 'zero', 'off'].every(isJitterMode)).toBe(true);
    expect(isJitterMode('mix')).toBe(false);
  });
});

describe('uint32 unwrapping', () => {
  it('moves up an epoch on each wrap, through several wraps', () => {
    const u = new Uint32Unwrapper();
    const out: number[] = [];
    for (let i = 0; i < 10; i++) out.push(u.unwrap(((i * 0x60000000) % TWO_32) >>> 0));
    for (let i = 0; i < 10; i++) expect(out[i]).toBe(i * 0x60000000);
  });

  it('puts a late message from before the wrap back in the old epoch without losing the new one', () => {
    const u = new Uint32Unwrapper();
    expect(u.unwrap(TWO_32 - 20)).toBe(TWO_32 - 20);
    expect(u.unwrap(10)).toBe(TWO_32 + 10);
    expect(u.unwrap(TWO_32 - 5)).toBe(TWO_32 - 5);
    expect(u.unwrap(30)).toBe(TWO_32 + 30);
  });

  it('never goes below zero and resets', () => {
    const u = new Uint32Unwrapper();
    expect(u.unwrap(5)).toBe(5);
    expect(u.unwrap(TWO_32 - 5)).toBe(TWO_32 - 5); // a backward step past 0 cannot be a negative time
    u.reset();
    expect(u.unwrap(7)).toBe(7);
  });

  it('full mode after reset starts again at zero', () => {
    const jitter = new TimestampJitter('full');
    jitter.correct(100, 'video');
    jitter.correct(140, 'video');
    jitter.reset();
    expect(jitter.correct(90_000, 'video')).toBe(0);
    expect(jitter.correct(90_033, 'video')).toBe(33);
  });
});
