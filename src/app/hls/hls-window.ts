/**
 * The segments a live playlist lists: appended as they close, dropped from the head once the
 * rest still cover hls_window seconds (SRS's rule: keep the newest segments up to and including
 * the one that crosses the window), rendered as an m3u8.
 */
import { buildMediaPlaylist, type M3u8Segment } from '../../protocol/hls/m3u8.js';

export interface HlsSegmentKey {
  /** The URI the playlist gives players. */
  uri: string;
  /** The key file, removed with the last segment using it. */
  file: string;
}

export interface HlsSegmentRecord {
  seq: number;
  /** Seconds. */
  duration: number;
  file: string;
  /** Path relative to hls_path (hooks). */
  url: string;
  /** What the playlist lists. */
  uri: string;
  discontinuity: boolean;
  key?: HlsSegmentKey;
}

export class HlsWindow {
  segments: HlsSegmentRecord[] = [];

  add(segment: HlsSegmentRecord): void {
    this.segments.push(segment);
  }

  /** Removes and returns the segments that fell out of a window of `seconds`. */
  shrink(seconds: number): HlsSegmentRecord[] {
    let total = 0;
    let keepFrom = 0;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      total += this.segments[i]!.duration;
      if (total > seconds) {
        keepFrom = i;
        break;
      }
    }
    return this.segments.splice(0, keepFrom);
  }

  clear(): HlsSegmentRecord[] {
    return this.segments.splice(0);
  }

  /** Key files no remaining segment uses, among those of `removed`. */
  orphanKeys(removed: readonly HlsSegmentRecord[]): string[] {
    const inUse = new Set(this.segments.map((s) => s.key?.file));
    return [...new Set(removed.map((s) => s.key?.file))].filter((f): f is string => f !== undefined && !inUse.has(f));
  }

  render(minTargetSeconds: number): string {
    const first = this.segments[0];
    return buildMediaPlaylist({
      mediaSequence: first ? first.seq : 0,
      targetDuration: Math.ceil(minTargetSeconds),
      segments: this.segments.map((s): M3u8Segment => {
        const entry: M3u8Segment = { uri: s.uri, duration: s.duration };
        if (s.discontinuity) entry.discontinuity = true;
        // The IV is left to the media sequence number, which matches how segments were encrypted.
        if (s.key) entry.key = { method: 'AES-128', uri: s.key.uri };
        return entry;
      }),
    });
  }
}
