import { describe, expect, it } from 'vitest';
import { MIX_PURE_TRACK_THRESHOLD, MixQueue, type MixKind } from '../../src/kernel/jitter-mix-queue.js';

type Msg = { kind: MixKind; ts: number };
const msg = (kind: MixKind, ts: number): Msg => ({ kind, ts });

function feed(queue: MixQueue<Msg>, msgs: Msg[]): Msg[] {
  return msgs.flatMap((m) => queue.pushAndRelease(m, m.ts, m.kind));
}

describe('mix queue (SRS mix_correct)', () => {
  it('interleaves tracks that arrive out of step into timestamp order', () => {
    const q = new MixQueue<Msg>();
    const input = [msg('video', 0), msg('video', 40), msg('video', 80), msg('audio', 0), msg('audio', 23), msg('audio', 46), msg('audio', 69), msg('video', 120), msg('audio', 92), msg('audio', 115)];
    const out = [...feed(q, input), ...q.drain()];
    expect(out).toHaveLength(input.length);
    const ts = out.map((m) => m.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('holds a message until the other track shows it cannot be preceded', () => {
    const q = new MixQueue<Msg>();
    expect(q.pushAndRelease(msg('video', 100), 100, 'video')).toEqual([]);
    expect(q.pushAndRelease(msg('video', 140), 140, 'video')).toEqual([]);
    // Audio at 90 arrives: it is the earliest; released, video waits for more audio.
    expect(q.pushAndRelease(msg('audio', 90), 90, 'audio').map((m) => m.ts)).toEqual([90]);
    expect(q.pushAndRelease(msg('audio', 150), 150, 'audio').map((m) => m.ts)).toEqual([100, 140]);
    expect(q.size).toBe(1);
  });

  it('keeps arrival order for equal timestamps', () => {
    const q = new MixQueue<Msg>();
    const a = msg('audio', 50);
    const v = msg('video', 50);
    const out = [...feed(q, [v, a]), ...q.drain()];
    expect(out[0]).toBe(v);
    expect(out[1]).toBe(a);
  });

  it('releases a single-track stream after SRS threshold messages', () => {
    const q = new MixQueue<Msg>();
    const out = feed(q, Array.from({ length: 20 }, (_, i) => msg('audio', i * 23)));
    expect(out).toHaveLength(20 - MIX_PURE_TRACK_THRESHOLD + 1);
    expect(q.size).toBe(MIX_PURE_TRACK_THRESHOLD - 1);
  });

  it('stays bounded when one track stalls, and releases the other in order', () => {
    const q = new MixQueue<Msg>();
    let maxSize = 0;
    const released: number[] = [];
    const push = (m: Msg) => {
      released.push(...q.pushAndRelease(m, m.ts, m.kind).map((r) => r.ts));
      maxSize = Math.max(maxSize, q.size);
    };
    push(msg('audio', 0));
    for (let i = 0; i < 200; i++) push(msg('video', i * 40)); // audio stopped
    for (let i = 0; i < 50; i++) push(msg('audio', 8000 + i * 23)); // audio is back
    expect(maxSize).toBeLessThanOrEqual(MIX_PURE_TRACK_THRESHOLD);
    expect(released).toEqual([...released].sort((a, b) => a - b));
    expect(released.length + q.size).toBe(251);
  });
});
