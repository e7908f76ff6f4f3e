/**
 * One 188-byte transport packet: header, adaptation field (PCR, random access and discontinuity
 * indicators) and where its payload lies. Throws a TsrsError for anything a conforming muxer
 * would not write; the demuxer decides whether that skips the packet or fails the stream.
 */
import { TS_PACKET_SIZE, TS_SYNC_BYTE } from './ts-constants.js';
import { tsError } from './ts-error.js';

export interface TsAdaptationField {
  discontinuity: boolean;
  randomAccess: boolean;
  /** PCR base in 90 kHz units, when present. */
  pcr?: number;
}

export interface TsPacket {
  pid: number;
  transportError: boolean;
  payloadUnitStart: boolean;
  scrambled: boolean;
  continuityCounter: number;
  hasPayload: boolean;
  adaptation?: TsAdaptationField;
  /** A view into the packet; empty when the packet has no payload. */
  payload: Uint8Array;
}

export function parseTsPacket(packet: Uint8Array): TsPacket {
  if (packet.length !== TS_PACKET_SIZE) throw tsError(`packet of ${packet.length} bytes, expected ${TS_PACKET_SIZE}`);
  if (packet[0] !== TS_SYNC_BYTE) throw tsError(`sync byte 0x${packet[0]!.toString(16)}, expected 0x47`);
  const pid = ((packet[1]! & 0x1f) << 8) | packet[2]!;
  const afControl = (packet[3]! >> 4) & 0x03;
  if (afControl === 0) throw tsError(`pid ${pid}: adaptation_field_control 00 is reserved`);
  const result: TsPacket = {
    pid,
    transportError: (packet[1]! & 0x80) !== 0,
    payloadUnitStart: (packet[1]! & 0x40) !== 0,
    scrambled: (packet[3]! & 0xc0) !== 0,
    continuityCounter: packet[3]! & 0x0f,
    hasPayload: (afControl & 0x01) !== 0,
    payload: packet.subarray(TS_PACKET_SIZE),
  };
  let payloadStart = 4;
  if (afControl & 0x02) {
    const length = packet[4]!;
    // Without payload the field fills the packet (183); with payload it leaves at least a byte.
    const max = result.hasPayload ? 182 : 183;
    if (length > max || (!result.hasPayload && length !== 183)) {
      throw tsError(`pid ${pid}: adaptation_field_length ${length} is invalid`);
    }
    result.adaptation = parseAdaptationField(packet.subarray(5, 5 + length), pid);
    payloadStart = 5 + length;
  }
  if (result.hasPayload) result.payload = packet.subarray(payloadStart);
  return result;
}

function parseAdaptationField(field: Uint8Array, pid: number): TsAdaptationField {
  if (field.length === 0) return { discontinuity: false, randomAccess: false };
  const flags = field[0]!;
  const out: TsAdaptationField = { discontinuity: (flags & 0x80) !== 0, randomAccess: (flags & 0x40) !== 0 };
  if (flags & 0x10) {
    if (field.length < 7) throw tsError(`pid ${pid}: adaptation field too short for its PCR`);
    out.pcr = field[1]! * 2 ** 25 + ((field[2]! << 17) | (field[3]! << 9) | (field[4]! << 1) | (field[5]! >> 7));
  }
  return out;
}
