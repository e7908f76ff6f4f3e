/**
 * MPEG-TS demuxer: bytes split anywhere in, whole PES packets of the first program out. Built
 * for untrusted input (UDP/SRT ingest, tests of our own muxer): a lost sync byte resynchronises
 * on the next 0x47 that is followed by another one, a continuity gap drops the torn PES, a bad
 * header skips its packet or PES, and no PES may grow past a byte limit. Each problem is
 * reported as a TsrsError through onIssue (or thrown, in strict mode); none stops the stream.
 */
import type { TsrsError } from '../../core/errors.js';
import { parsePesHeader } from './pes.js';
import { parsePatSection, parsePmtSection, sectionTotalLength, type PmtSection } from './psi.js';
import { TS_PACKET_SIZE, TS_SYNC_BYTE, TsPid } from './ts-constants.js';
import { tsError } from './ts-error.js';
import { parseTsPacket, type TsPacket } from './ts-packet.js';

export interface TsPes {
  pid: number;
  streamType: number;
  streamId: number;
  /** 90 kHz, 33-bit; undefined when the PES carries none. */
  pts: number | undefined;
  dts: number | undefined;
  /** random_access_indicator of the PES's first packet. */
  randomAccess: boolean;
  /** The elementary stream bytes. */
  data: Buffer;
}

export interface TsDemuxerOptions {
  /** Largest PES accepted; bigger ones are dropped. Default 16 MiB. */
  maxPesBytes?: number;
  /** Throw the first problem instead of skipping past it. */
  strict?: boolean;
  onIssue?: (issue: TsrsError) => void;
}

export interface TsDemuxerStats {
  packets: number;
  /** Bytes thrown away while looking for a sync byte. */
  skippedBytes: number;
  issues: number;
  lastIssue: string | undefined;
}

interface PesAssembly {
  pieces: Uint8Array[];
  bytes: number;
  randomAccess: boolean;
  /** Total PES size when PES_packet_length says so, else 0 (ends at the next unit start). */
  expected: number;
}

const MAX_SECTION_BYTES = 1024 + 3;
const DEFAULT_MAX_PES = 16 * 1024 * 1024;

export class TsDemuxer {
  readonly stats: TsDemuxerStats = { packets: 0, skippedBytes: 0, issues: 0, lastIssue: undefined };
  pmtPid: number | undefined;
  pmt: PmtSection | undefined;
  private readonly maxPesBytes: number;
  private readonly strict: boolean;
  private readonly onIssue: ((issue: TsrsError) => void) | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private readonly counters = new Map<number, number>();
  private readonly sections = new Map<number, Buffer>();
  private readonly pes = new Map<number, PesAssembly>();
  /** PIDs whose current PES was torn or refused: skip until the next unit start. */
  private readonly dropping = new Set<number>();

  constructor(options: TsDemuxerOptions = {}) {
    this.maxPesBytes = options.maxPesBytes ?? DEFAULT_MAX_PES;
    this.strict = options.strict ?? false;
    this.onIssue = options.onIssue;
  }

  /** Streams of the current PMT, by PID. */
  streamType(pid: number): number | undefined {
    return this.pmt?.streams.find((s) => s.pid === pid)?.streamType;
  }

  feed(chunk: Uint8Array): TsPes[] {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: TsPes[] = [];
    let pos = 0;
    while (data.length - pos >= TS_PACKET_SIZE) {
      if (data[pos] !== TS_SYNC_BYTE || !this.nextLooksSynced(data, pos)) {
        const next = this.findSync(data, pos + 1);
        this.stats.skippedBytes += next - pos;
        this.issue(tsError(`lost sync at a byte 0x${data[pos]!.toString(16)}, skipped ${next - pos} bytes`));
        pos = next;
        continue;
      }
      this.packet(data.subarray(pos, pos + TS_PACKET_SIZE), out);
      pos += TS_PACKET_SIZE;
    }
    // Copy the tail: the caller may reuse the chunk's memory.
    this.pending = Buffer.from(data.subarray(pos));
    return out;
  }

  /** Ends the stream: PES still open (unbounded video) are complete now. */
  flush(): TsPes[] {
    const out: TsPes[] = [];
    for (const pid of [...this.pes.keys()]) this.finishPes(pid, out);
    if (this.pending.length > 0) {
      this.stats.skippedBytes += this.pending.length;
      this.issue(tsError(`${this.pending.length} bytes at the end do not make a packet`));
      this.pending = Buffer.alloc(0);
    }
    return out;
  }

  private nextLooksSynced(data: Buffer, pos: number): boolean {
    const next = pos + TS_PACKET_SIZE;
    return next >= data.length || data[next] === TS_SYNC_BYTE;
  }

  /** The next offset that could start a packet (or where the bytes run out). */
  private findSync(data: Buffer, from: number): number {
    for (let i = from; i < data.length; i++) {
      if (data[i] === TS_SYNC_BYTE && this.nextLooksSynced(data, i)) return i;
    }
    return data.length;
  }

  private packet(bytes: Uint8Array, out: TsPes[]): void {
    this.stats.packets++;
    let packet: TsPacket;
    try {
      packet = parseTsPacket(bytes);
    } catch (err) {
      this.issue(err as TsrsError);
      return;
    }
    if (packet.pid === TsPid.Null || !packet.hasPayload) return;
    if (packet.transportError) {
      this.issue(tsError(`pid ${packet.pid}: transport_error_indicator set, packet dropped`));
      this.tear(packet.pid);
      return;
    }
    if (!this.checkContinuity(packet)) return;
    if (packet.pid === TsPid.Pat || packet.pid === this.pmtPid) {
      this.section(packet);
    } else if (this.streamType(packet.pid) !== undefined) {
      if (packet.scrambled) {
        this.issue(tsError(`pid ${packet.pid}: scrambled payload cannot be read`));
        return;
      }
      this.pesPacket(packet, out);
    }
  }

  /** False for a duplicate packet (allowed once by the standard) to be ignored. */
  private checkContinuity(packet: TsPacket): boolean {
    const last = this.counters.get(packet.pid);
    this.counters.set(packet.pid, packet.continuityCounter);
    if (last === undefined || packet.adaptation?.discontinuity) return true;
    if (packet.continuityCounter === last) return false;
    if (packet.continuityCounter !== ((last + 1) & 0x0f)) {
      this.issue(tsError(`pid ${packet.pid}: continuity counter ${packet.continuityCounter} after ${last}, data lost`));
      this.tear(packet.pid);
    }
    return true;
  }

  private tear(pid: number): void {
    this.pes.delete(pid);
    this.sections.delete(pid);
    this.dropping.add(pid);
  }

  private section(packet: TsPacket): void {
    const { pid, payload } = packet;
    let buffer: Buffer;
    if (packet.payloadUnitStart) {
      const pointer = payload[0] ?? 0;
      if (1 + pointer > payload.length) {
        this.issue(tsError(`pid ${pid}: pointer_field ${pointer} runs past the packet`));
        return;
      }
      buffer = Buffer.from(payload.subarray(1 + pointer));
      this.dropping.delete(pid);
    } else {
      const partial = this.sections.get(pid);
      if (!partial || this.dropping.has(pid)) return;
      buffer = Buffer.concat([partial, payload]);
    }
    const total = sectionTotalLength(buffer);
    if (total !== undefined && total > MAX_SECTION_BYTES) {
      this.issue(tsError(`pid ${pid}: section of ${total} bytes is too long`));
      this.sections.delete(pid);
      return;
    }
    if (total === undefined || buffer.length < total) {
      this.sections.set(pid, buffer);
      return;
    }
    this.sections.delete(pid);
    // 0xff after a section is stuffing, not another table.
    if (buffer[0] === 0xff) return;
    try {
      if (pid === TsPid.Pat) {
        const pat = parsePatSection(buffer.subarray(0, total));
        const program = pat.programs[0];
        if (program && program.pmtPid !== this.pmtPid) {
          this.pmtPid = program.pmtPid;
          this.pmt = undefined;
        }
      } else {
        this.pmt = parsePmtSection(buffer.subarray(0, total));
      }
    } catch (err) {
      this.issue(err as TsrsError);
    }
  }

  private pesPacket(packet: TsPacket, out: TsPes[]): void {
    const { pid, payload } = packet;
    if (packet.payloadUnitStart) {
      this.finishPes(pid, out);
      this.dropping.delete(pid);
      this.pes.set(pid, { pieces: [], bytes: 0, randomAccess: packet.adaptation?.randomAccess ?? false, expected: 0 });
    }
    const assembly = this.pes.get(pid);
    if (!assembly || this.dropping.has(pid)) return;
    if (assembly.bytes + payload.length > this.maxPesBytes) {
      this.issue(tsError(`pid ${pid}: PES exceeds ${this.maxPesBytes} bytes, dropped`));
      this.tear(pid);
      return;
    }
    assembly.pieces.push(Buffer.from(payload));
    assembly.bytes += payload.length;
    if (assembly.expected === 0 && assembly.bytes >= 6) {
      const head = assembly.pieces.length === 1 ? assembly.pieces[0]! : Buffer.concat(assembly.pieces);
      const length = (head[4]! << 8) | head[5]!;
      if (length > 0) assembly.expected = 6 + length;
    }
    if (assembly.expected > 0 && assembly.bytes >= assembly.expected) this.finishPes(pid, out);
  }

  private finishPes(pid: number, out: TsPes[]): void {
    const assembly = this.pes.get(pid);
    this.pes.delete(pid);
    if (!assembly || assembly.bytes === 0) return;
    const data = Buffer.concat(assembly.pieces, assembly.bytes);
    if (assembly.expected > 0 && data.length < assembly.expected) {
      this.issue(tsError(`pid ${pid}: PES of ${data.length} bytes is shorter than its length ${assembly.expected}`));
      return;
    }
    try {
      const header = parsePesHeader(data);
      const end = assembly.expected > 0 ? assembly.expected : data.length;
      out.push({
        pid,
        streamType: this.streamType(pid) ?? 0,
        streamId: header.streamId,
        pts: header.pts,
        dts: header.dts,
        randomAccess: assembly.randomAccess,
        data: data.subarray(header.payloadOffset, end),
      });
    } catch (err) {
      this.issue(err as TsrsError);
    }
  }

  private issue(err: TsrsError): void {
    this.stats.issues++;
    this.stats.lastIssue = err.message;
    if (this.strict) throw err;
    this.onIssue?.(err);
  }
}
