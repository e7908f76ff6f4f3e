/**
 * HLS AES-128 segment encryption (RFC 8216 5.2): AES-128-CBC over the whole segment with
 * PKCS#7 padding; without an explicit IV the IV is the media sequence number as a 16-byte
 * big-endian integer.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TsrsError } from '../../core/errors.js';

export const HLS_KEY_SIZE = 16;

export function ivForSequence(sequence: number): Buffer {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new TsrsError('Unknown', `hls aes: sequence ${sequence} cannot make an IV`);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

export function newHlsKey(): Buffer {
  return randomBytes(HLS_KEY_SIZE);
}

function check(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== HLS_KEY_SIZE) throw new TsrsError('Unknown', `hls aes: key of ${key.length} bytes, expected 16`);
  if (iv.length !== 16) throw new TsrsError('Unknown', `hls aes: IV of ${iv.length} bytes, expected 16`);
}

export function encryptSegment(data: Uint8Array | readonly Uint8Array[], key: Uint8Array, iv: Uint8Array): Buffer {
  check(key, iv);
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const parts = data instanceof Uint8Array ? [data] : data;
  return Buffer.concat([...parts.map((part) => cipher.update(part)), cipher.final()]);
}

/** Throws a TsrsError when the data is not a whole number of blocks or the padding is wrong. */
export function decryptSegment(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  check(key, iv);
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (err) {
    throw new TsrsError('Unknown', `hls aes: cannot decrypt: ${(err as Error).message}`, { cause: err });
  }
}
