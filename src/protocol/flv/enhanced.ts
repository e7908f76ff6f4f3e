/**
 * Pieces Enhanced RTMP (veovera enhanced-rtmp v1/v2) shares between its audio and video tag
 * headers: the ModEx modifier chain and the multitrack layout.
 */
import { flvError } from './flv-error.js';
import type { TagCursor } from './tag-cursor.js';

/** The packet type value meaning "a modifier extension follows", in both audio and video headers. */
export const PACKET_TYPE_MOD_EX = 7;
const MOD_EX_TIMESTAMP_OFFSET_NANO = 0;

export type MultitrackType = 'one-track' | 'many-tracks' | 'many-tracks-many-codecs';
const MULTITRACK_TYPES: readonly MultitrackType[] = ['one-track', 'many-tracks', 'many-tracks-many-codecs'];

export interface ModExResult {
  packetType: number;
  /** Nanoseconds to add to the tag's millisecond timestamp (0..999999). */
  timestampNanoOffset: number;
}

/**
 * Consumes ModEx blocks while the packet type says one follows: each is a size, opaque data, then
 * a byte holding the modifier type and the next packet type. Only the nanosecond timestamp
 * offset is understood; other modifiers are skipped as the spec asks.
 */
export function readModEx(cursor: TagCursor, packetType: number): ModExResult {
  let timestampNanoOffset = 0;
  let guard = 0;
  while (packetType === PACKET_TYPE_MOD_EX) {
    // Each block consumes at least 2 bytes, so the loop is bounded by the payload; the guard
    // only makes a pathological chain fail fast.
    if (++guard > 16) throw flvError('enhanced header: too many ModEx blocks');
    let size = cursor.u8('ModEx size') + 1;
    if (size === 256) {
      cursor.need(2, 'ModEx extended size');
      size = ((cursor.data[cursor.pos]! << 8) | cursor.data[cursor.pos + 1]!) + 1;
      cursor.pos += 2;
    }
    cursor.need(size, 'ModEx data');
    const dataStart = cursor.pos;
    cursor.pos += size;
    const next = cursor.u8('ModEx type');
    if (next >> 4 === MOD_EX_TIMESTAMP_OFFSET_NANO && size >= 3) {
      const d = cursor.data;
      timestampNanoOffset = (d[dataStart]! << 16) | (d[dataStart + 1]! << 8) | d[dataStart + 2]!;
    }
    packetType = next & 0x0f;
  }
  return { packetType, timestampNanoOffset };
}

export interface MultitrackHeader {
  type: MultitrackType;
  /** The packet type every track in the tag carries. */
  packetType: number;
  /** The shared FourCC, absent for many-tracks-many-codecs. */
  fourcc?: string;
}

export function readMultitrackHeader(cursor: TagCursor, multitrackPacketType: number): MultitrackHeader {
  const byte = cursor.u8('multitrack type');
  const type = MULTITRACK_TYPES[byte >> 4];
  if (!type) throw flvError(`enhanced header: multitrack type ${byte >> 4} is reserved`);
  const packetType = byte & 0x0f;
  if (packetType === multitrackPacketType || packetType === PACKET_TYPE_MOD_EX) {
    throw flvError(`enhanced header: multitrack cannot nest packet type ${packetType}`);
  }
  if (type === 'many-tracks-many-codecs') return { type, packetType };
  return { type, packetType, fourcc: cursor.fourcc('multitrack fourcc') };
}

export interface TrackSpan {
  trackId: number;
  fourcc: string;
  /** Where this track's body (after its own header fields) starts and how long it is. */
  bodyStart: number;
  bodyEnd: number;
}

/**
 * Walks the track bodies: one body that runs to the end for a plain or one-track tag, or
 * [trackId, fourcc?, UI24 size, body] entries until the payload ends.
 */
export function readTrackSpans(cursor: TagCursor, multitrack: MultitrackHeader | undefined, fourcc: string): TrackSpan[] {
  const end = cursor.data.length;
  if (!multitrack) return [{ trackId: 0, fourcc, bodyStart: cursor.pos, bodyEnd: end }];
  const spans: TrackSpan[] = [];
  do {
    const trackId = cursor.u8('track id');
    const trackFourcc = multitrack.type === 'many-tracks-many-codecs' ? cursor.fourcc('track fourcc') : fourcc;
    let bodyEnd = end;
    if (multitrack.type !== 'one-track') {
      const size = cursor.u24('track size');
      cursor.need(size, `track ${trackId} body`);
      bodyEnd = cursor.pos + size;
    }
    spans.push({ trackId, fourcc: trackFourcc, bodyStart: cursor.pos, bodyEnd });
    cursor.pos = bodyEnd;
  } while (multitrack.type !== 'one-track' && cursor.remaining > 0);
  return spans;
}
