import { describe, expect, it } from 'vitest';
import { CHUNKED_END, chunkParts, chunkPrefix, encodeChunk } from '../../../src/protocol/http/chunked.js';

describe('chunked framing', () => {
  it('frames data as hex size line, data, CRLF', () => {
    expect(encodeChunk(Buffer.from('hello')).toString('latin1')).toBe('5\r\nhello\r\n');
    expect(encodeChunk(Buffer.alloc(300, 0x61)).subarray(0, 5).toString('latin1')).toBe('12c\r\n');
    expect(CHUNKED_END.toString('latin1')).toBe('0\r\n\r\n');
  });

  it('never frames an empty chunk, which would end the body', () => {
    expect(chunkParts(Buffer.alloc(0))).toEqual([]);
    expect(() => chunkPrefix(0)).toThrow(RangeError);
    expect(() => chunkPrefix(-1)).toThrow(RangeError);
    expect(() => chunkPrefix(1.5)).toThrow(RangeError);
  });

  it('keeps the payload uncopied in the parts', () => {
    const data = Buffer.from('abc');
    expect(chunkParts(data)[1]).toBe(data);
  });
});
