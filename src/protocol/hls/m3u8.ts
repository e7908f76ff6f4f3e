/**
 * HLS media playlists (RFC 8216) as SRS writes them for live streams: version 3, a media
 * sequence, a target duration no segment exceeds, EXTINF with millisecond precision,
 * discontinuities and AES-128 keys. The parser reads back what the writer produces (and
 * other plain live playlists) for tests and HLS ingest.
 */
import { TsrsError } from '../../core/errors.js';

export interface M3u8Key {
  method: 'AES-128' | 'NONE';
  uri?: string;
  /** 16 bytes; absent means "IV = the segment's media sequence number". */
  iv?: Uint8Array;
}

export interface M3u8Segment {
  uri: string;
  /** Seconds. */
  duration: number;
  discontinuity?: boolean;
  /** The key in force from this segment on; repeated keys need not be given again. */
  key?: M3u8Key;
}

export interface M3u8MediaPlaylist {
  version?: number;
  mediaSequence: number;
  /** Seconds; default ceil(longest segment). Raised to that if smaller, as RFC 8216 requires. */
  targetDuration?: number;
  segments: readonly M3u8Segment[];
  endList?: boolean;
}

export function buildMediaPlaylist(playlist: M3u8MediaPlaylist): string {
  const longest = playlist.segments.reduce((max, s) => Math.max(max, s.duration), 0);
  // EXTINF rounded to the nearest integer may not exceed the target (RFC 8216 4.3.3.1).
  const target = Math.max(Math.ceil(playlist.targetDuration ?? 0), Math.ceil(Number(longest.toFixed(3))), 1);
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${playlist.version ?? 3}`,
    `#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`,
    `#EXT-X-TARGETDURATION:${target}`,
  ];
  let lastKey: string | undefined;
  for (const segment of playlist.segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.key) {
      const line = keyLine(segment.key);
      if (line !== lastKey) lines.push(line);
      lastKey = line;
    }
    lines.push(`#EXTINF:${segment.duration.toFixed(3)}, no desc`, segment.uri);
  }
  if (playlist.endList) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function keyLine(key: M3u8Key): string {
  if (key.method === 'NONE') return '#EXT-X-KEY:METHOD=NONE';
  if (key.uri === undefined) throw new TsrsError('Unknown', 'm3u8: an AES-128 key needs a URI');
  let line = `#EXT-X-KEY:METHOD=AES-128,URI="${key.uri}"`;
  if (key.iv) {
    if (key.iv.length !== 16) throw new TsrsError('Unknown', `m3u8: IV of ${key.iv.length} bytes, expected 16`);
    line += `,IV=0x${Buffer.from(key.iv).toString('hex')}`;
  }
  return line;
}

export interface ParsedMediaPlaylist {
  version: number | undefined;
  mediaSequence: number;
  targetDuration: number | undefined;
  endList: boolean;
  segments: Array<M3u8Segment & { sequence: number }>;
}

function playlistError(message: string): TsrsError {
  return new TsrsError('HttpParse', `m3u8: ${message}`);
}

export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines[0] !== '#EXTM3U') throw playlistError('does not start with #EXTM3U');
  const result: ParsedMediaPlaylist = { version: undefined, mediaSequence: 0, targetDuration: undefined, endList: false, segments: [] };
  let duration: number | undefined;
  let discontinuity = false;
  let key: M3u8Key | undefined;
  let keyPending = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-VERSION:')) result.version = integer(line, 'EXT-X-VERSION');
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) result.mediaSequence = integer(line, 'EXT-X-MEDIA-SEQUENCE');
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) result.targetDuration = integer(line, 'EXT-X-TARGETDURATION');
    else if (line === '#EXT-X-ENDLIST') result.endList = true;
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line.startsWith('#EXT-X-KEY:')) {
      key = parseKey(line.slice('#EXT-X-KEY:'.length));
      keyPending = true;
    } else if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice(8));
      if (!Number.isFinite(duration) || duration < 0) throw playlistError(`bad ${line}`);
    } else if (!line.startsWith('#')) {
      if (duration === undefined) throw playlistError(`segment ${line} has no EXTINF`);
      const segment: M3u8Segment & { sequence: number } = { uri: line, duration, sequence: result.mediaSequence + result.segments.length };
      if (discontinuity) segment.discontinuity = true;
      if (key && (keyPending || key.method !== 'NONE')) segment.key = key;
      result.segments.push(segment);
      duration = undefined;
      discontinuity = false;
      keyPending = false;
    }
  }
  return result;
}

function integer(line: string, tag: string): number {
  const value = Number(line.slice(line.indexOf(':') + 1));
  if (!Number.isInteger(value) || value < 0) throw playlistError(`bad ${tag}: ${line}`);
  return value;
}

function parseKey(attributes: string): M3u8Key {
  const attrs = new Map<string, string>();
  for (const match of attributes.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attrs.set(match[1]!, match[2]!.replace(/^"|"$/g, ''));
  }
  const method = attrs.get('METHOD');
  if (method === 'NONE') return { method };
  if (method !== 'AES-128') throw playlistError(`key method ${method} is not supported`);
  const key: M3u8Key = { method, uri: attrs.get('URI') ?? '' };
  const iv = attrs.get('IV');
  if (iv !== undefined) {
    if (!/^0[xX][0-9a-fA-F]{32}$/.test(iv)) throw playlistError(`bad IV ${iv}`);
    key.iv = Buffer.from(iv.slice(2), 'hex');
  }
  return key;
}
