/**
 * A progressive ISO-BMFF (MP4) file written in one pass, I/O-free: `start()` gives ftyp and the
 * mdat header, each sample's bytes are appended as they come (the caller streams them to disk),
 * and `finish()` gives the moov to append plus the 16 bytes to write back over the mdat header
 * once its size is known. Nothing but the sample tables is held in memory.
 *
 * The mdat header is reserved as a `free` box followed by an 8-byte mdat header; a file whose
 * media outgrows 4 GiB turns those 16 bytes into one mdat header with a 64-bit size (the trick
 * FFmpeg uses), so small files stay readable by players that ignore 64-bit sizes.
 */
import { box, Fields } from './box.js';
import { buildMoov, type TrackForMoov } from './moov.js';
import { mp4Error } from './mp4-error.js';
import { SampleTable } from './sample-table.js';
import { buildSampleEntry, sameSampleEntry, type SampleEntry } from './sample-entry.js';

const MAX_U32 = 0xffffffff;

interface Track {
  id: number;
  kind: 'video' | 'audio';
  timescale: number;
  entries: SampleEntry[];
  /** 1-based index of the entry new samples use. */
  description: number;
  /** Duration of the last sample when nothing follows it, in the timescale. */
  fallbackDuration: number;
  table: SampleTable;
}

export interface Mp4Finish {
  /** Append after the last sample. */
  moov: Buffer;
  /** Write `bytes` at file offset `offset` (over the reserved mdat header). */
  header: { offset: number; bytes: Buffer };
  /** Whole file size once both are written. */
  fileSize: number;
}

export class Mp4Muxer {
  private readonly tracks: Track[] = [];
  private position = 0;
  private mdatHeaderAt = -1;
  private finished = false;

  constructor(private readonly created = new Date()) {}

  /** Bytes written so far (the next sample's file offset). */
  get size(): number {
    return this.position;
  }

  get sampleCount(): number {
    return this.tracks.reduce((sum, t) => sum + t.table.count, 0);
  }

  /** ftyp and the reserved mdat header: the first bytes of the file. */
  start(): Buffer {
    if (this.position !== 0) throw mp4Error('start() called twice');
    const ftyp = box('ftyp', new Fields(24).fourcc('isom').u32(0x200).fourcc('isom').fourcc('iso2').fourcc('avc1').fourcc('mp41').toBuffer());
    this.mdatHeaderAt = ftyp.length;
    const reserved = Buffer.concat([box('free'), new Fields(8).u32(8).fourcc('mdat').toBuffer()]);
    this.position = ftyp.length + reserved.length;
    return Buffer.concat([ftyp, reserved]);
  }

  /** A new track; `timescale` is ticks per second of its timestamps. Returns its id. */
  addTrack(kind: 'video' | 'audio', timescale: number, entry: SampleEntry, fallbackDuration: number): number {
    if (!Number.isInteger(timescale) || timescale <= 0 || timescale > MAX_U32) throw mp4Error(`timescale ${timescale} out of range`);
    if (entry.kind !== kind) throw mp4Error(`a ${entry.kind} sample entry cannot describe a ${kind} track`);
    const id = this.tracks.length + 1;
    this.tracks.push({ id, kind, timescale, entries: [entry], description: 1, fallbackDuration, table: new SampleTable() });
    return id;
  }

  /** Switches a track to a (possibly new) sample description, e.g. after a resolution change. */
  setSampleEntry(trackId: number, entry: SampleEntry): void {
    const track = this.track(trackId);
    if (entry.kind !== track.kind) throw mp4Error(`a ${entry.kind} sample entry cannot describe a ${track.kind} track`);
    const found = track.entries.findIndex((e) => sameSampleEntry(e, entry));
    if (found >= 0) {
      track.description = found + 1;
      return;
    }
    track.entries.push(entry);
    track.description = track.entries.length;
  }

  /**
   * Records one sample; the caller appends `data` to the file right after. Times are in the
   * track's timescale from the file's time zero; `cts` is pts - dts.
   */
  writeSample(trackId: number, data: Uint8Array, dts: number, cts: number, isSync: boolean): Uint8Array {
    if (this.mdatHeaderAt < 0) throw mp4Error('writeSample() before start()');
    if (this.finished) throw mp4Error('writeSample() after finish()');
    if (!Number.isFinite(dts) || !Number.isFinite(cts)) throw mp4Error(`sample time ${dts}/${cts} is not finite`);
    const track = this.track(trackId);
    track.table.add(data.length, this.position, dts, cts, isSync, track.description);
    this.position += data.length;
    return data;
  }

  finish(): Mp4Finish {
    if (this.mdatHeaderAt < 0) throw mp4Error('finish() before start()');
    if (this.finished) throw mp4Error('finish() called twice');
    this.finished = true;
    const mdatEnd = this.position;
    const withSamples = this.tracks.filter((t) => t.table.count > 0);
    const forMoov: TrackForMoov[] = withSamples.map((t, i) => {
      const stsd = box('stsd', new Fields(8).u32(0).u32(t.entries.length).toBuffer(), ...t.entries.map(buildSampleEntry));
      const first = t.entries[0]!;
      return {
        id: i + 1,
        kind: t.kind,
        timescale: t.timescale,
        width: first.kind === 'video' ? first.width : 0,
        height: first.kind === 'video' ? first.height : 0,
        table: t.table.build(stsd, t.fallbackDuration),
      };
    });
    const moov = buildMoov(forMoov, this.created);
    return { moov, header: this.mdatHeader(mdatEnd), fileSize: mdatEnd + moov.length };
  }

  private mdatHeader(mdatEnd: number): { offset: number; bytes: Buffer } {
    const at = this.mdatHeaderAt;
    const small = mdatEnd - (at + 8);
    if (small <= MAX_U32) {
      return { offset: at, bytes: Buffer.concat([box('free'), new Fields(8).u32(small).fourcc('mdat').toBuffer()]) };
    }
    return { offset: at, bytes: new Fields(16).u32(1).fourcc('mdat').u64(mdatEnd - at).toBuffer() };
  }

  private track(id: number): Track {
    const track = this.tracks[id - 1];
    if (!track) throw mp4Error(`no track ${id}`);
    return track;
  }
}
