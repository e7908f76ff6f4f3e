/**
 * The movie box written after mdat: mvhd, then per track tkhd, an edit list when the track
 * starts after the file's time zero, and mdia (mdhd, hdlr, minf with the sample table).
 * Movie time is in milliseconds; each track has its own media timescale.
 */
import { box, Fields, fullBox, versionFor } from './box.js';
import type { SampleTableBoxes } from './sample-table.js';

export const MOVIE_TIMESCALE = 1000;
/** Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01. */
const MP4_EPOCH_OFFSET = 2082844800;
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export interface TrackForMoov {
  id: number;
  kind: 'video' | 'audio';
  timescale: number;
  width: number;
  height: number;
  table: SampleTableBoxes;
}

export function mp4Time(date: Date): number {
  return Math.floor(date.getTime() / 1000) + MP4_EPOCH_OFFSET;
}

const toMovie = (ticks: number, timescale: number) => Math.round((ticks * MOVIE_TIMESCALE) / timescale);

function matrix(f: Fields): Fields {
  for (const v of UNITY_MATRIX) f.u32(v);
  return f;
}

export function buildMoov(tracks: readonly TrackForMoov[], created: Date): Buffer {
  const time = mp4Time(created);
  const traks = tracks.map((t) => trak(t, time));
  const duration = Math.max(0, ...traks.map((t) => t.movieDuration));
  const nextTrackId = Math.max(0, ...tracks.map((t) => t.id)) + 1;
  return box('moov', mvhd(time, duration, nextTrackId), ...traks.map((t) => t.box));
}

function mvhd(time: number, duration: number, nextTrackId: number): Buffer {
  const version = versionFor(time, duration);
  const f = new Fields(108);
  f.uVersioned(time, version).uVersioned(time, version).u32(MOVIE_TIMESCALE).uVersioned(duration, version);
  f.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
  matrix(f).zeros(24); // pre_defined[6]
  f.u32(nextTrackId);
  return fullBox('mvhd', version, 0, f.toBuffer());
}

function trak(t: TrackForMoov, time: number): { box: Buffer; movieDuration: number } {
  const startMovie = toMovie(t.table.start, t.timescale);
  const mediaMovie = toMovie(t.table.duration, t.timescale);
  const movieDuration = startMovie + mediaMovie;
  const parts = [tkhd(t, time, movieDuration)];
  // A track that begins after time zero waits behind an empty edit, so A/V sync survives.
  if (startMovie > 0) parts.push(edts(startMovie, mediaMovie));
  parts.push(mdia(t, time));
  return { box: box('trak', ...parts), movieDuration };
}

function tkhd(t: TrackForMoov, time: number, duration: number): Buffer {
  const version = versionFor(time, duration);
  const f = new Fields(92);
  f.uVersioned(time, version).uVersioned(time, version).u32(t.id).u32(0).uVersioned(duration, version);
  f.zeros(8).u16(0).u16(0); // reserved, layer, alternate_group
  f.u16(t.kind === 'audio' ? 0x0100 : 0).u16(0);
  matrix(f);
  f.u32(t.kind === 'video' ? t.width * 0x10000 : 0).u32(t.kind === 'video' ? t.height * 0x10000 : 0);
  return fullBox('tkhd', version, 0x000003, f.toBuffer()); // enabled, in movie
}

function edts(emptyMovie: number, mediaMovie: number): Buffer {
  const version = versionFor(emptyMovie, mediaMovie);
  const f = new Fields(44).u32(2);
  // The empty edit: media_time -1.
  f.uVersioned(emptyMovie, version);
  if (version === 1) f.u32(0xffffffff).u32(0xffffffff);
  else f.u32(0xffffffff);
  f.u16(1).u16(0);
  f.uVersioned(mediaMovie, version).uVersioned(0, version).u16(1).u16(0);
  return box('edts', fullBox('elst', version, 0, f.toBuffer()));
}

function mdia(t: TrackForMoov, time: number): Buffer {
  const version = versionFor(time, t.table.duration);
  const f = new Fields(32);
  f.uVersioned(time, version).uVersioned(time, version).u32(t.timescale).uVersioned(t.table.duration, version);
  f.u16(0x55c4).u16(0); // language "und", pre_defined
  const mdhd = fullBox('mdhd', version, 0, f.toBuffer());
  const handler = t.kind === 'video' ? 'vide' : 'soun';
  const name = t.kind === 'video' ? 'VideoHandler' : 'SoundHandler';
  const hdlr = fullBox(
    'hdlr',
    0,
    0,
    new Fields(32).u32(0).fourcc(handler).zeros(12).bytes(Buffer.from(`${name}\0`, 'latin1')).toBuffer(),
  );
  const header =
    t.kind === 'video' ? fullBox('vmhd', 0, 1, new Fields(8).u16(0).zeros(6).toBuffer()) : fullBox('smhd', 0, 0, new Fields(4).u16(0).u16(0).toBuffer());
  const dinf = box('dinf', fullBox('dref', 0, 0, new Fields(4).u32(1).toBuffer(), fullBox('url ', 0, 1)));
  return box('mdia', mdhd, hdlr, box('minf', header, dinf, t.table.stbl));
}
