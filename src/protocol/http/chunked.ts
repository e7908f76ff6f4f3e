/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1) for live bodies of unknown length.
 * A chunk's framing is computed once per stream message, so the same framed bytes serve
 * every player of the stream.
 */

/** The last-chunk and the empty trailer that end a chunked body. */
export const CHUNKED_END = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/** The size line of a chunk of `length` bytes; a zero length would end the body, so it is refused. */
export function chunkPrefix(length: number): Buffer {
  if (!Number.isInteger(length) || length <= 0) throw new RangeError(`chunk length ${length} must be a positive integer`);
  return Buffer.from(`${length.toString(16)}\r\n`, 'latin1');
}

/** The pieces of one chunk around `data` (not copied): size line, data, CRLF. Empty data frames to nothing. */
export function chunkParts(data: Uint8Array): Uint8Array[] {
  if (data.length === 0) return [];
  return [chunkPrefix(data.length), data, CRLF];
}

/** One chunk as a single buffer. */
export function encodeChunk(data: Uint8Array): Buffer {
  return Buffer.concat(chunkParts(data));
}
