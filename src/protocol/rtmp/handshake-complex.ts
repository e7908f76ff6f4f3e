/**
 * The "complex" (digest) RTMP handshake that Flash Player and FMS use: C1/S1 carry an
 * HMAC-SHA256 digest at a position derived from the packet itself, and S2/C2 prove the peer
 * saw that digest. Layout, per 1536-byte C1/S1:
 *
 *   time(4) version(4) block(764) block(764)
 *   schema 0: key block, then digest block
 *   schema 1: digest block, then key block
 *   digest block: offset(4) random(offset) digest(32) random(728 - offset), offset = sum(4 bytes) % 728
 *   key block:    random(offset) key(128) random(632 - offset) offset(4),    offset = sum(4 bytes) % 632
 *
 * The keys are Adobe's published constants; only the first 30 (player) or 36 (server) bytes
 * sign C1/S1, the full keys derive the S2/C2 signing key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HANDSHAKE_PACKET_SIZE = 1536;
export const RTMP_PLAIN_VERSION = 3;
const DIGEST_SIZE = 32;
const BLOCK_SIZE = 764;
const DIGEST_OFFSET_MODULO = 728;
const KEY_SIZE = 128;
const KEY_OFFSET_MODULO = 632;

const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57, 0x6e, 0xec, 0x5d,
  0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];

/** "Genuine Adobe Flash Player 001" + 32 constant bytes (62). */
export const GENUINE_FP_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001', 'ascii'), Buffer.from(KEY_TAIL)]);
/** "Genuine Adobe Flash Media Server 001" + the same 32 bytes (68). */
export const GENUINE_FMS_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001', 'ascii'),
  Buffer.from(KEY_TAIL),
]);
/** The parts that sign C1 (player) and S1 (server). */
export const FP_KEY_C1 = GENUINE_FP_KEY.subarray(0, 30);
export const FMS_KEY_S1 = GENUINE_FMS_KEY.subarray(0, 36);

/** Version fields: what SRS puts in S1, what FFmpeg puts in C1 (9.0.124.2, its "LNX 9,0,124,2"). */
export const SERVER_COMPLEX_VERSION = 0x01000504;
export const CLIENT_COMPLEX_VERSION = 0x09007c02;

export type ComplexSchema = 0 | 1;

function sum4(packet: Uint8Array, at: number): number {
  return packet[at]! + packet[at + 1]! + packet[at + 2]! + packet[at + 3]!;
}

function digestBlockStart(schema: ComplexSchema): number {
  return schema === 0 ? 8 + BLOCK_SIZE : 8;
}

/** Absolute position of the 32-byte digest in a C1/S1 laid out with `schema`. */
export function digestPosition(packet: Uint8Array, schema: ComplexSchema): number {
  const block = digestBlockStart(schema);
  return block + 4 + (sum4(packet, block) % DIGEST_OFFSET_MODULO);
}

/** Absolute position of the 128-byte key in a C1/S1 laid out with `schema`. */
export function keyPosition(packet: Uint8Array, schema: ComplexSchema): number {
  const block = schema === 0 ? 8 : 8 + BLOCK_SIZE;
  return block + (sum4(packet, block + BLOCK_SIZE - 4) % KEY_OFFSET_MODULO);
}

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** HMAC-SHA256 of the packet without its 32 digest bytes at `position`. */
export function computePacketDigest(packet: Uint8Array, position: number, key: Uint8Array): Buffer {
  return hmac(key, packet.subarray(0, position), packet.subarray(position + DIGEST_SIZE, HANDSHAKE_PACKET_SIZE));
}

export interface ValidDigest {
  schema: ComplexSchema;
  position: number;
  digest: Buffer;
}

/** Finds which schema the packet's digest validates under (schema 0 tried first, as SRS does). */
export function findPacketDigest(packet: Uint8Array, key: Uint8Array): ValidDigest | undefined {
  if (packet.length < HANDSHAKE_PACKET_SIZE) return undefined;
  for (const schema of [0, 1] as const) {
    const position = digestPosition(packet, schema);
    const expected = computePacketDigest(packet, position, key);
    const actual = packet.subarray(position, position + DIGEST_SIZE);
    if (timingSafeEqual(expected, actual)) return { schema, position, digest: Buffer.from(actual) };
  }
  return undefined;
}

export interface DigestedPacket {
  packet: Buffer;
  digest: Buffer;
  position: number;
}

/**
 * A C1 (player key) or S1 (server key): time, version, then `random` bytes (1528 of them)
 * with the digest written over them at the schema's position.
 */
export function createDigestedPacket(
  time: number,
  version: number,
  schema: ComplexSchema,
  key: Uint8Array,
  random: Uint8Array,
): DigestedPacket {
  const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  packet.writeUInt32BE(time >>> 0, 0);
  packet.writeUInt32BE(version >>> 0, 4);
  packet.set(random.subarray(0, HANDSHAKE_PACKET_SIZE - 8), 8);
  const position = digestPosition(packet, schema);
  const digest = computePacketDigest(packet, position, key);
  digest.copy(packet, position);
  return { packet, digest, position };
}

/**
 * S2 (fullKey = FMS key, peerDigest = C1's digest) or C2 (FP key, S1's digest): 1504 random
 * bytes, then HMAC-SHA256 of them keyed by HMAC-SHA256(peerDigest, fullKey).
 */
export function createResponsePacket(peerDigest: Uint8Array, fullKey: Uint8Array, random: Uint8Array): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  const bodySize = HANDSHAKE_PACKET_SIZE - DIGEST_SIZE;
  packet.set(random.subarray(0, bodySize), 0);
  hmac(hmac(fullKey, peerDigest), packet.subarray(0, bodySize)).copy(packet, bodySize);
  return packet;
}

/** Checks an S2/C2 against the digest we sent in C1/S1. */
export function verifyResponsePacket(packet: Uint8Array, ownDigest: Uint8Array, fullKey: Uint8Array): boolean {
  if (packet.length < HANDSHAKE_PACKET_SIZE) return false;
  const bodySize = HANDSHAKE_PACKET_SIZE - DIGEST_SIZE;
  const expected = hmac(hmac(fullKey, ownDigest), packet.subarray(0, bodySize));
  return timingSafeEqual(expected, packet.subarray(bodySize, HANDSHAKE_PACKET_SIZE));
}

export { DIGEST_SIZE as HANDSHAKE_DIGEST_SIZE, KEY_SIZE as HANDSHAKE_KEY_SIZE };
