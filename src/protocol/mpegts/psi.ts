/**
 * Program-specific information: the PAT (which PID carries each program's PMT) and the PMT
 * (which PIDs carry a program's elementary streams, and which one carries its PCR).
 * Sections are built and parsed without the pointer_field, which belongs to the packet.
 */
import { crc32Mpeg2 } from './crc32.js';
import { TS_PROGRAM_NUMBER, TS_TRANSPORT_STREAM_ID, TsTableId } from './ts-constants.js';
import { tsError } from './ts-error.js';

/** section_length is 12 bits but PAT/PMT sections may not exceed 1021 bytes after it. */
const MAX_SECTION_LENGTH = 1021;
const SECTION_HEADER = 3;
const CRC_SIZE = 4;

export interface PatProgram {
  programNumber: number;
  pmtPid: number;
}

export interface PatSection {
  transportStreamId: number;
  version: number;
  programs: PatProgram[];
}

export interface PmtStream {
  streamType: number;
  pid: number;
}

export interface PmtSection {
  programNumber: number;
  version: number;
  pcrPid: number;
  streams: PmtStream[];
}

export function buildPatSection(pmtPid: number, version = 0): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(TS_PROGRAM_NUMBER, 0);
  body.writeUInt16BE(0xe000 | (pmtPid & 0x1fff), 2);
  return buildLongSection(TsTableId.Pat, TS_TRANSPORT_STREAM_ID, version, body);
}

export function buildPmtSection(pcrPid: number, streams: readonly PmtStream[], version = 0): Buffer {
  const body = Buffer.alloc(4 + streams.length * 5);
  body.writeUInt16BE(0xe000 | (pcrPid & 0x1fff), 0);
  body.writeUInt16BE(0xf000, 2); // program_info_length 0
  streams.forEach((stream, i) => {
    const at = 4 + i * 5;
    body[at] = stream.streamType;
    body.writeUInt16BE(0xe000 | (stream.pid & 0x1fff), at + 1);
    body.writeUInt16BE(0xf000, at + 3); // ES_info_length 0
  });
  return buildLongSection(TsTableId.Pmt, TS_PROGRAM_NUMBER, version, body);
}

/** A section with section_syntax_indicator set: 8-byte header, body, CRC. */
function buildLongSection(tableId: number, idExtension: number, version: number, body: Buffer): Buffer {
  const sectionLength = 5 + body.length + CRC_SIZE;
  const out = Buffer.alloc(SECTION_HEADER + sectionLength);
  out[0] = tableId;
  out.writeUInt16BE(0xb000 | sectionLength, 1); // syntax 1, '0', reserved '11'
  out.writeUInt16BE(idExtension, 3);
  out[5] = 0xc1 | ((version & 0x1f) << 1); // reserved '11', version, current_next 1
  out[6] = 0; // section_number
  out[7] = 0; // last_section_number
  body.copy(out, 8);
  out.writeUInt32BE(crc32Mpeg2(out, 0, out.length - CRC_SIZE), out.length - CRC_SIZE);
  return out;
}

/** Bytes a section at the start of `data` occupies, or undefined while its header is incomplete. */
export function sectionTotalLength(data: Uint8Array): number | undefined {
  if (data.length < SECTION_HEADER) return undefined;
  return SECTION_HEADER + (((data[1]! & 0x0f) << 8) | data[2]!);
}

interface LongSection {
  tableId: number;
  idExtension: number;
  version: number;
  body: Uint8Array;
}

function parseLongSection(data: Uint8Array, what: string, tableId: number): LongSection {
  if (data.length < SECTION_HEADER + 5 + CRC_SIZE) throw tsError(`${what}: ${data.length} bytes is too short`);
  if (data[0] !== tableId) throw tsError(`${what}: table id ${data[0]}, expected ${tableId}`);
  if ((data[1]! & 0x80) === 0) throw tsError(`${what}: section_syntax_indicator is 0`);
  const sectionLength = ((data[1]! & 0x0f) << 8) | data[2]!;
  if (sectionLength > MAX_SECTION_LENGTH) throw tsError(`${what}: section_length ${sectionLength} exceeds ${MAX_SECTION_LENGTH}`);
  const total = SECTION_HEADER + sectionLength;
  if (sectionLength < 5 + CRC_SIZE) throw tsError(`${what}: section_length ${sectionLength} is too short`);
  if (total > data.length) throw tsError(`${what}: section_length ${sectionLength} runs past the ${data.length} bytes given`);
  if (crc32Mpeg2(data, 0, total) !== 0) throw tsError(`${what}: CRC mismatch`);
  return {
    tableId,
    idExtension: (data[3]! << 8) | data[4]!,
    version: (data[5]! >> 1) & 0x1f,
    body: data.subarray(8, total - CRC_SIZE),
  };
}

export function parsePatSection(data: Uint8Array): PatSection {
  const section = parseLongSection(data, 'pat', TsTableId.Pat);
  const { body } = section;
  if (body.length % 4 !== 0) throw tsError(`pat: ${body.length} bytes of programs is not a multiple of 4`);
  const programs: PatProgram[] = [];
  for (let at = 0; at < body.length; at += 4) {
    const programNumber = (body[at]! << 8) | body[at + 1]!;
    const pid = ((body[at + 2]! & 0x1f) << 8) | body[at + 3]!;
    // Program 0 points at the network information table, not a PMT.
    if (programNumber !== 0) programs.push({ programNumber, pmtPid: pid });
  }
  return { transportStreamId: section.idExtension, version: section.version, programs };
}

export function parsePmtSection(data: Uint8Array): PmtSection {
  const section = parseLongSection(data, 'pmt', TsTableId.Pmt);
  const { body } = section;
  if (body.length < 4) throw tsError('pmt: truncated program header');
  const pcrPid = ((body[0]! & 0x1f) << 8) | body[1]!;
  const programInfoLength = ((body[2]! & 0x0f) << 8) | body[3]!;
  let at = 4 + programInfoLength;
  if (at > body.length) throw tsError(`pmt: program_info_length ${programInfoLength} runs past the section`);
  const streams: PmtStream[] = [];
  while (at < body.length) {
    if (at + 5 > body.length) throw tsError('pmt: truncated stream entry');
    const streamType = body[at]!;
    const pid = ((body[at + 1]! & 0x1f) << 8) | body[at + 2]!;
    const esInfoLength = ((body[at + 3]! & 0x0f) << 8) | body[at + 4]!;
    at += 5 + esInfoLength;
    if (at > body.length) throw tsError(`pmt: ES_info_length ${esInfoLength} of pid ${pid} runs past the section`);
    streams.push({ streamType, pid });
  }
  return { programNumber: section.idExtension, version: section.version, pcrPid, streams };
}
