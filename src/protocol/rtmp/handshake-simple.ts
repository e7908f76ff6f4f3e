/**
 * The plain RTMP handshake (RTMP spec 5.2): C1/S1 = time(4) zero(4) random(1528), and each
 * side's second packet echoes the other's first. SRS, which tsrs mirrors, also copies C1's
 * time into S1's second field.
 */
import { HANDSHAKE_PACKET_SIZE } from './handshake-complex.js';

/** A C1 (or S1 when `peerTime` is given): time, zero or the peer's time, random bytes. */
export function createSimplePacket(time: number, random: Uint8Array, peerTime = 0): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  packet.writeUInt32BE(time >>> 0, 0);
  packet.writeUInt32BE(peerTime >>> 0, 4);
  packet.set(random.subarray(0, HANDSHAKE_PACKET_SIZE - 8), 8);
  return packet;
}

/** S1 for a simple handshake: our time, C1's time, random. */
export function createSimpleS1(c1: Uint8Array, time: number, random: Uint8Array): Buffer {
  return createSimplePacket(time, random, Buffer.from(c1.buffer, c1.byteOffset, 4).readUInt32BE(0));
}

/** S2 (or C2): an exact echo of the peer's C1 (S1). */
export function createEcho(peerPacket: Uint8Array): Buffer {
  return Buffer.from(peerPacket.subarray(0, HANDSHAKE_PACKET_SIZE));
}
