/**
 * Timestamp correction of a published stream (SRS `time_jitter`), applied ONCE per stream to the
 * publisher's messages, before they reach the gop cache and consumers. SRS runs one corrector per
 * consumer; tsrs corrects at the source so every player, HLS and DVR see the same timeline, and
 * players start at whatever the timeline says when they join (like SRS with `atc`-style output).
 *
 * Like SRS, one sequence covers audio and video together (not one per track): deltas are taken
 * between consecutive messages of either kind, so A/V sync survives a correction.
 *
 * Modes:
 * - `full`: start at 0; a delta below -250 ms or above 250 ms (a publisher restart, an encoder
 *   clock jump) is replaced by 10 ms; smaller deltas, including the small negative ones of
 *   interleaved audio and video, are kept so the streams stay in sync, and the time never goes
 *   below 0. Script data gets timestamp 0.
 * - `zero`: only rebase so the first audio/video message is at 0.
 * - `off`: pass through.
 *
 * Two deliberate differences from SRS, both at the start of a stream: `full` gives the first
 * message exactly 0 (SRS's consumer jitter gives 0 or 9 depending on the first timestamp), and
 * `zero` takes its zero point from the first audio/video message rather than from whatever came
 * first (often onMetaData at 0, which would leave the media un-rebased); script data before that
 * point, or earlier than it, is 0 rather than negative.
 *
 * Incoming timestamps are RTMP's 32 bits; they are first unwrapped (see Uint32Unwrapper), so
 * publishing beyond 2^32 ms (49.7 days) keeps counting up. Outputs are plain JS numbers, exact far
 * beyond 2^32; writers of 32-bit wire formats take them modulo 2^32.
 */

export type JitterMode = 'full' | 'zero' | 'off';
export const JITTER_MODES: readonly JitterMode[] = ['full', 'zero', 'off'];

export type MessageKind = 'audio' | 'video' | 'data';

/** SRS CONST_MAX_JITTER_MS / CONST_MAX_JITTER_MS_NEG. */
export const MAX_JITTER_MS = 250;
export const MAX_JITTER_MS_NEG = -250;
/** SRS DEFAULT_FRAME_TIME_MS: the delta used in place of a jump, small enough to stay unnoticed. */
export const DEFAULT_FRAME_TIME_MS = 10;

export function isJitterMode(value: string): value is JitterMode {
  return (JITTER_MODES as readonly string[]).includes(value);
}

const TWO_POW_32 = 0x100000000;
const HALF_RANGE = 0x80000000;

/**
 * Turns a sequence of uint32 timestamps into an ever-increasing timeline: each value is placed
 * in the 2^32 epoch that puts it nearest (within 2^31) the previous one. A forward wrap (e.g.
 * 0xFFFFFFF0 then 0x10) moves up an epoch; a late message from before the wrap lands back in the
 * old epoch, and the message after it is again nearest the new one. Values never go below 0.
 */
export class Uint32Unwrapper {
  private last: number | undefined;

  unwrap(timestamp: number): number {
    const raw = timestamp >>> 0;
    if (this.last === undefined) {
      this.last = raw;
      return raw;
    }
    // Not `last % 2^32`: a floating-point remainder is a libc call, and this runs per message.
    const epochBase = Math.floor(this.last / TWO_POW_32) * TWO_POW_32;
    let value = epochBase + raw;
    if (value - this.last > HALF_RANGE && value >= TWO_POW_32) value -= TWO_POW_32;
    else if (this.last - value > HALF_RANGE) value += TWO_POW_32;
    this.last = value;
    return value;
  }

  /** Where `timestamp` falls relative to the reference, without moving it (for script data). */
  peek(timestamp: number): number {
    if (this.last === undefined) return timestamp >>> 0;
    const saved = this.last;
    const value = this.unwrap(timestamp);
    this.last = saved;
    return value;
  }

  reset(): void {
    this.last = undefined;
  }
}

export class TimestampJitter {
  private readonly unwrapper = new Uint32Unwrapper();
  /** Unwrapped input time of the previous audio/video message. */
  private lastInput: number | undefined;
  /** Output time of the previous audio/video message (full), or the zero point (zero). */
  private lastOutput = 0;
  private base: number | undefined;

  constructor(readonly mode: JitterMode) {}

  /** The corrected timestamp for a message whose RTMP timestamp is `timestamp` (uint32). */
  correct(timestamp: number, kind: MessageKind): number {
    const isAv = kind !== 'data';
    // Script data often carries 0 whatever the stream time is: it must not look like a wrap.
    const input = isAv ? this.unwrapper.unwrap(timestamp) : this.unwrapper.peek(timestamp);
    switch (this.mode) {
      case 'off':
        return input;
      case 'zero':
        if (!isAv) return this.base === undefined ? 0 : Math.max(0, input - this.base);
        this.base ??= input;
        return Math.max(0, input - this.base);
      case 'full':
        return isAv ? this.correctFull(input) : 0;
    }
  }

  private correctFull(input: number): number {
    if (this.lastInput === undefined) {
      this.lastInput = input;
      this.lastOutput = 0;
      return 0;
    }
    let delta = input - this.lastInput;
    if (delta < MAX_JITTER_MS_NEG || delta > MAX_JITTER_MS) delta = DEFAULT_FRAME_TIME_MS;
    this.lastInput = input;
    this.lastOutput = Math.max(0, this.lastOutput + delta);
    return this.lastOutput;
  }

  /** Forget the timeline (a new publish session). */
  reset(): void {
    this.unwrapper.reset();
    this.lastInput = undefined;
    this.lastOutput = 0;
    this.base = undefined;
  }
}
