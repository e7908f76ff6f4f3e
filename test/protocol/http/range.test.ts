import { describe, expect, it } from 'vitest';
import { contentRange, parseRangeHeader } from '../../../src/protocol/http/range.js';

describe('parseRangeHeader', () => {
  it('reads a closed, an open and a suffix range', () => {
    expect(parseRangeHeader('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRangeHeader('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRangeHeader('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
    expect(parseRangeHeader('Bytes = 1 - 2', 100)).toEqual({ kind: 'partial', start: 1, end: 2 });
  });

  it('says unsatisfiable for a start past the end or an empty suffix', () => {
    expect(parseRangeHeader('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=200-300', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it cannot use: no header, other units, several ranges, junk, reversed, huge numbers', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=a-b', 'bytes=-', 'bytes=5-1', 'bytes=0-1x', 'bytes=1234567890123456-', '']) {
      expect(parseRangeHeader(header, 100)).toEqual({ kind: 'full' });
    }
  });

  it('formats Content-Range', () => {
    expect(contentRange({ kind: 'partial', start: 0, end: 9 }, 100)).toBe('bytes 0-9/100');
    expect(contentRange({ kind: 'unsatisfiable' }, 100)).toBe('bytes */100');
    expect(contentRange({ kind: 'full' }, 100)).toBeUndefined();
  });
});
