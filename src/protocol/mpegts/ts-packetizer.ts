/**
 * Cuts PSI sections and PES packets into 188-byte transport packets: continuity counters per
 * PID, an adaptation field carrying the PCR and random_access_indicator on the first packet
 * where asked, and adaptation-field stuffing (never payload padding) so a PES ends exactly at
 * the end of its last packet.
 */
import { TS_HEADER_SIZE, TS_MAX_PAYLOAD, TS_PACKET_SIZE, TS_SYNC_BYTE } from './ts-constants.js';

export interface PesPacketOptions {
  /** PCR base (90 kHz) to carry in the first packet. */
  pcr?: number;
  randomAccess?: boolean;
  discontinuity?: boolean;
}

const PCR_FIELD = 6;
const AF_FLAGS = 0x30; // adaptation field followed by payload
const PAYLOAD_ONLY = 0x10;

export class TsPacketizer {
  private readonly counters = new Map<number, number>();

  /** One section (e.g. PAT or PMT) in as many packets as it needs, pointer_field 0 first. */
  packetizeSection(pid: number, section: Uint8Array): Buffer {
    const data = Buffer.alloc(section.length + 1);
    data.set(section, 1);
    const count = Math.ceil(data.length / TS_MAX_PAYLOAD);
    const out = Buffer.alloc(count * TS_PACKET_SIZE, 0xff); // PSI pads with 0xff after the section
    for (let i = 0; i < count; i++) {
      const at = i * TS_PACKET_SIZE;
      this.writeHeader(out, at, pid, i === 0, PAYLOAD_ONLY);
      data.copy(out, at + TS_HEADER_SIZE, i * TS_MAX_PAYLOAD, (i + 1) * TS_MAX_PAYLOAD);
    }
    return out;
  }

  /** A whole PES (header and payload, as pieces to avoid a concat) in transport packets. */
  packetizePes(pid: number, pieces: readonly Uint8Array[], options: PesPacketOptions = {}): Buffer {
    let length = 0;
    for (const piece of pieces) length += piece.length;
    const firstAf = firstAdaptationSize(options);
    const count = packetCount(length, firstAf);
    const out = Buffer.allocUnsafe(count * TS_PACKET_SIZE);
    const reader = new PieceReader(pieces);
    let remaining = length;
    for (let i = 0; i < count; i++) {
      const at = i * TS_PACKET_SIZE;
      const first = i === 0;
      const minAf = first ? firstAf : 0;
      const room = TS_MAX_PAYLOAD - minAf;
      const payload = Math.min(room, remaining);
      // The last packet grows its adaptation field to swallow the unused room.
      const afSize = minAf + (room - payload);
      this.writeHeader(out, at, pid, first, afSize > 0 ? AF_FLAGS : PAYLOAD_ONLY);
      if (afSize > 0) writeAdaptationField(out, at + TS_HEADER_SIZE, afSize, first ? options : {});
      reader.copyTo(out, at + TS_HEADER_SIZE + afSize, payload);
      remaining -= payload;
    }
    return out;
  }

  /** Continuity counters restart (a new stream, or a reset after a discontinuity). */
  reset(): void {
    this.counters.clear();
  }

  private writeHeader(out: Buffer, at: number, pid: number, unitStart: boolean, afControl: number): void {
    const cc = this.counters.get(pid) ?? 0;
    this.counters.set(pid, (cc + 1) & 0x0f);
    out[at] = TS_SYNC_BYTE;
    out[at + 1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    out[at + 2] = pid & 0xff;
    out[at + 3] = afControl | cc;
  }
}

/** Bytes the first packet's adaptation field needs for the requested flags (0 = none). */
function firstAdaptationSize(options: PesPacketOptions): number {
  const flags = options.pcr !== undefined || options.randomAccess || options.discontinuity;
  if (!flags) return 0;
  return 2 + (options.pcr !== undefined ? PCR_FIELD : 0);
}

function packetCount(length: number, firstAf: number): number {
  const firstRoom = TS_MAX_PAYLOAD - firstAf;
  if (length <= firstRoom) return 1;
  return 1 + Math.ceil((length - firstRoom) / TS_MAX_PAYLOAD);
}

/**
 * An adaptation field of `size` bytes in total (its length byte included). Size 1 is the lone
 * length byte 0, the only way to stuff a single byte.
 */
function writeAdaptationField(out: Buffer, at: number, size: number, options: PesPacketOptions): void {
  out[at] = size - 1;
  if (size === 1) return;
  let flags = 0;
  if (options.discontinuity) flags |= 0x80;
  if (options.randomAccess) flags |= 0x40;
  let pos = at + 2;
  if (options.pcr !== undefined) {
    flags |= 0x10;
    writePcr(out, pos, options.pcr);
    pos += PCR_FIELD;
  }
  out[at + 1] = flags;
  out.fill(0xff, pos, at + size);
}

/** program_clock_reference_base (33 bits), 6 reserved bits, extension (9 bits, 0). */
function writePcr(out: Buffer, at: number, base: number): void {
  const high = Math.floor(base / 2); // top 32 bits of the 33
  out.writeUInt32BE(high >>> 0, at);
  out[at + 4] = ((base % 2) << 7) | 0x7e;
  out[at + 5] = 0;
}

/** Sequential reads over a list of byte arrays. */
class PieceReader {
  private index = 0;
  private offset = 0;

  constructor(private readonly pieces: readonly Uint8Array[]) {}

  copyTo(out: Buffer, at: number, count: number): void {
    while (count > 0) {
      const piece = this.pieces[this.index]!;
      const n = Math.min(piece.length - this.offset, count);
      out.set(piece.subarray(this.offset, this.offset + n), at);
      at += n;
      count -= n;
      this.offset += n;
      if (this.offset === piece.length) {
        this.index++;
        this.offset = 0;
      }
    }
  }
}
