/**
 * One track's samples as they are written to mdat, kept in growable typed arrays (a day of
 * 25 fps video plus AAC is ~6 million samples: objects per sample would not do), and turned into
 * the sample table boxes (stts, ctts, stsc, stsz, stco/co64, stss) when the file is finished.
 *
 * A chunk is a run of samples of this track that sit back to back in the file with the same
 * sample description; interleaved audio and video naturally break chunks.
 */
import { box, Fields, fullBox } from './box.js';
import { mp4Error } from './mp4-error.js';

class Grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

const f64 = (n: number) => new Grow(new Float64Array(n), (m) => new Float64Array(m));
const u32 = (n: number) => new Grow(new Uint32Array(n), (m) => new Uint32Array(m));
const s32 = (n: number) => new Grow(new Int32Array(n), (m) => new Int32Array(m));
const u8 = (n: number) => new Grow(new Uint8Array(n), (m) => new Uint8Array(m));

const MAX_U32 = 0xffffffff;

export interface SampleTableBoxes {
  stbl: Buffer;
  /** Sum of sample durations, in the track's timescale. */
  duration: number;
  /** Decode time of the first sample, in the track's timescale, from the file's time zero. */
  start: number;
}

export class SampleTable {
  private readonly sizes = u32(1024);
  /** Decode times in the track timescale, from the file's time zero; strictly increasing. */
  private readonly dts = f64(1024);
  /** Composition offsets (pts - dts) in the track timescale. */
  private readonly cts = s32(1024);
  private readonly sync = u8(1024);
  private readonly chunkOffsets = f64(256);
  private readonly chunkFirstSample = u32(256);
  private readonly chunkDescription = u32(256);
  private lastEnd = -1;
  private lastDescription = 0;

  get count(): number {
    return this.sizes.length;
  }

  get lastDts(): number | undefined {
    return this.count > 0 ? this.dts.at(this.count - 1) : undefined;
  }

  /**
   * Records a sample written at `offset` in the file. A decode time not after the previous
   * one (a publisher's clock going back) is moved just after it: stts cannot go backwards;
   * a jump too long for one 32-bit stts delta is shortened to the longest one.
   * `description` is the 1-based stsd entry.
   */
  add(size: number, offset: number, dts: number, cts: number, isSync: boolean, description: number): void {
    if (!Number.isInteger(size) || size < 0 || size > MAX_U32) throw mp4Error(`sample size ${size} out of range`);
    const prev = this.lastDts;
    let time = Math.max(0, Math.round(dts));
    if (prev !== undefined) time = Math.min(Math.max(time, prev + 1), prev + MAX_U32);
    const offsetTicks = Math.round(cts);
    if (offsetTicks < -0x80000000 || offsetTicks > 0x7fffffff) throw mp4Error(`composition offset ${cts} out of range`);
    if (offset !== this.lastEnd || description !== this.lastDescription) {
      this.chunkOffsets.push(offset);
      this.chunkFirstSample.push(this.count);
      this.chunkDescription.push(description);
      this.lastDescription = description;
    }
    this.lastEnd = offset + size;
    this.sizes.push(size);
    this.dts.push(time);
    this.cts.push(offsetTicks);
    this.sync.push(isSync ? 1 : 0);
  }

  /** The sample table; the last sample lasts as long as the one before it, or `fallbackDuration`. */
  build(stsd: Buffer, fallbackDuration: number): SampleTableBoxes {
    const n = this.count;
    if (n === 0) throw mp4Error('a track without samples has no sample table');
    const lastDuration = n > 1 ? this.dts.at(n - 1) - this.dts.at(n - 2) : Math.max(1, Math.round(fallbackDuration));
    const start = this.dts.at(0);
    const duration = this.dts.at(n - 1) - start + lastDuration;
    const boxes = [stsd, this.stts(lastDuration)];
    const ctts = this.ctts();
    if (ctts) boxes.push(ctts);
    boxes.push(this.stsc(), this.stsz(), this.chunkOffsetBox());
    const stss = this.stss();
    if (stss) boxes.push(stss);
    return { stbl: box('stbl', ...boxes), duration, start };
  }

  private runs(valueAt: (i: number) => number, count: number): [number, number][] {
    const runs: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      const v = valueAt(i);
      const last = runs[runs.length - 1];
      if (last && last[1] === v) last[0]++;
      else runs.push([1, v]);
    }
    return runs;
  }

  private stts(lastDuration: number): Buffer {
    const n = this.count;
    const delta = (i: number) => (i + 1 < n ? this.dts.at(i + 1) - this.dts.at(i) : lastDuration);
    const runs = this.runs(delta, n);
    for (const [, d] of runs) if (d > MAX_U32) throw mp4Error(`sample duration ${d} does not fit 32 bits`);
    const f = new Fields(4 + runs.length * 8).u32(runs.length);
    for (const [count, d] of runs) f.u32(count).u32(d);
    return fullBox('stts', 0, 0, f.toBuffer());
  }

  /** Only when some composition offset is not zero; version 1 (signed) when one is negative. */
  private ctts(): Buffer | undefined {
    const n = this.count;
    let any = false;
    let negative = false;
    for (let i = 0; i < n; i++) {
      const c = this.cts.at(i);
      if (c !== 0) any = true;
      if (c < 0) negative = true;
    }
    if (!any) return undefined;
    const runs = this.runs((i) => this.cts.at(i), n);
    const f = new Fields(4 + runs.length * 8).u32(runs.length);
    for (const [count, c] of runs) {
      f.u32(count);
      if (negative) f.s32(c);
      else f.u32(c);
    }
    return fullBox('ctts', negative ? 1 : 0, 0, f.toBuffer());
  }

  private stsc(): Buffer {
    const chunks = this.chunkOffsets.length;
    const entries: [number, number, number][] = [];
    for (let c = 0; c < chunks; c++) {
      const first = this.chunkFirstSample.at(c);
      const next = c + 1 < chunks ? this.chunkFirstSample.at(c + 1) : this.count;
      const samples = next - first;
      const description = this.chunkDescription.at(c);
      const last = entries[entries.length - 1];
      if (last && last[1] === samples && last[2] === description) continue;
      entries.push([c + 1, samples, description]);
    }
    const f = new Fields(4 + entries.length * 12).u32(entries.length);
    for (const [firstChunk, samples, description] of entries) f.u32(firstChunk).u32(samples).u32(description);
    return fullBox('stsc', 0, 0, f.toBuffer());
  }

  private stsz(): Buffer {
    const n = this.count;
    const first = this.sizes.at(0);
    let constant = true;
    for (let i = 1; i < n && constant; i++) constant = this.sizes.at(i) === first;
    if (constant) return fullBox('stsz', 0, 0, new Fields(8).u32(first).u32(n).toBuffer());
    const f = new Fields(8 + n * 4).u32(0).u32(n);
    for (let i = 0; i < n; i++) f.u32(this.sizes.at(i));
    return fullBox('stsz', 0, 0, f.toBuffer());
  }

  /** stco while every chunk starts in the first 4 GiB, else co64. */
  private chunkOffsetBox(): Buffer {
    const chunks = this.chunkOffsets.length;
    const wide = chunks > 0 && this.chunkOffsets.at(chunks - 1) > MAX_U32;
    const f = new Fields(4 + chunks * (wide ? 8 : 4)).u32(chunks);
    for (let c = 0; c < chunks; c++) {
      if (wide) f.u64(this.chunkOffsets.at(c));
      else f.u32(this.chunkOffsets.at(c));
    }
    return fullBox(wide ? 'co64' : 'stco', 0, 0, f.toBuffer());
  }

  /** Absent when every sample is a sync sample (audio, all-intra video). */
  private stss(): Buffer | undefined {
    const n = this.count;
    const keys: number[] = [];
    for (let i = 0; i < n; i++) if (this.sync.at(i)) keys.push(i + 1);
    if (keys.length === n) return undefined;
    const f = new Fields(4 + keys.length * 4).u32(keys.length);
    for (const k of keys) f.u32(k);
    return fullBox('stss', 0, 0, f.toBuffer());
  }
}
