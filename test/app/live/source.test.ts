import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { LiveSource, type FrameInterest, type SourceOutput } from '../../../src/app/live/source.js';
import { SourceRegistry } from '../../../src/app/live/source-registry.js';
import type { MediaPacket } from '../../../src/kernel/packet.js';
import { TsrsError } from '../../../src/core/errors.js';

const packet = (kind: MediaPacket['kind'], timestamp: number, extra: Partial<MediaPacket> = {}): MediaPacket => ({
  kind, timestamp, payload: Buffer.from([kind === 'video' ? 0x17 : 0xaf, 1]), isKeyframe: false, isSequenceHeader: false, ...extra,
});

class Recorder implements SourceOutput {
  packets: MediaPacket[] = [];
  active = false;
  onPacket(p: MediaPacket) { this.packets.push(p); }
  isActive() { return this.active; }
  close() {}
}

const publisher = (id: string) => ({ clientId: id, kick: () => undefined });

describe('live source', () => {
  it('refuses a second publisher with RtmpStreamBusy and accepts one after unpublish', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    const first = publisher('p1');
    source.publish(first);
    expect(() => source.publish(publisher('p2'))).toThrowError(TsrsError);
    try { source.publish(publisher('p2')); } catch (err) { expect((err as TsrsError).codeName).toBe('RtmpStreamBusy'); }
    source.unpublish(first);
    expect(() => source.publish(publisher('p2'))).not.toThrow();
  });

  it('caches metadata and sequence headers for new consumers, in that order', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    source.publish(publisher('p'));
    source.feed(packet('audio', 0, { isSequenceHeader: true }));
    source.feed(packet('video', 0, { isSequenceHeader: true }));
    source.feed(packet('data', 0));
    expect(source.startupPackets().map((p) => p.kind)).toEqual(['data', 'video', 'audio']);
  });

  it('keeps time moving forward across a republish', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    const recorder = new Recorder();
    source.addOutput(recorder);
    const p1 = publisher('p1');
    source.publish(p1);
    for (let t = 1000; t <= 2000; t += 40) source.feed(packet('video', t));
    source.unpublish(p1);
    source.publish(publisher('p2'));
    source.feed(packet('video', 5));
    const times = recorder.packets.map((p) => p.timestamp);
    expect(times.at(-1)!).toBeGreaterThan(times.at(-2)!);
  });

  it('with mix_correct releases audio and video in timestamp order', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', { ...DEFAULT_LIVE_OPTIONS, mixCorrect: true, timeJitter: 'off' });
    const recorder = new Recorder();
    source.addOutput(recorder);
    const p = publisher('p');
    source.publish(p);
    for (const [kind, t] of [['video', 0], ['video', 40], ['video', 80], ['audio', 10], ['audio', 50], ['audio', 90], ['video', 120]] as const) {
      source.feed(packet(kind, t));
    }
    source.unpublish(p);
    const times = recorder.packets.map((x) => x.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toHaveLength(7);
  });
});

describe('live source: plain frames taken in place (feedFrame)', () => {
  /** A publish of sequence headers then two GOPs, with a timestamp jump the jitter must fix. */
  const stream = (): MediaPacket[] => {
    const frame = (kind: 'audio' | 'video', timestamp: number, key = false): MediaPacket => ({
      kind,
      timestamp,
      payload: kind === 'video' ? Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, timestamp & 0xff, 0x65]) : Buffer.from([0xaf, 1, timestamp & 0xff]),
      isKeyframe: key,
      isSequenceHeader: false,
    });
    return [
      { kind: 'video', timestamp: 0, payload: Buffer.from([0x17, 0, 0, 0, 0, 1]), isKeyframe: false, isSequenceHeader: true },
      { kind: 'audio', timestamp: 0, payload: Buffer.from([0xaf, 0, 0x12, 0x10]), isKeyframe: false, isSequenceHeader: true },
      frame('audio', 0), frame('video', 5, true), frame('audio', 23), frame('video', 45), frame('audio', 46),
      frame('video', 85), frame('video', 5000, true), frame('audio', 5003), frame('video', 5040),
    ];
  };

  /** Feeds the stream, plain frames through feedFrame (from inside a larger buffer) when allowed. */
  function publishThrough(source: LiveSource, inPlace: boolean): void {
    source.publish(publisher('p'));
    for (const p of stream()) {
      if (inPlace && p.kind !== 'data' && !p.isSequenceHeader && LiveSource.bypasses(source.framesWanted(), p.kind)) {
        const bytes = Buffer.concat([Buffer.alloc(7, 0xee), p.payload, Buffer.alloc(3, 0xee)]);
        source.feedFrame(p.kind, p.timestamp, p.isKeyframe, bytes, 7, p.payload.length);
      } else {
        source.feed(p);
      }
    }
  }

  const gopOf = (source: LiveSource) =>
    source.gop.snapshot().map(({ item, randomAccess }) => ({ ...item, payload: [...item.payload], randomAccess }));

  it('leaves the source exactly as the packet path does: times, counters, GOP', () => {
    const viaPackets = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    const inPlace = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    publishThrough(viaPackets, false);
    publishThrough(inPlace, true);
    expect(inPlace.counters).toEqual(viaPackets.counters);
    expect(inPlace.counters).toMatchObject({ videoFrames: 5, audioFrames: 4 });
    expect(inPlace.latestTimestamp).toBe(viaPackets.latestTimestamp);
    expect(inPlace.randomAccessSincePublish).toBe(true);
    expect(inPlace.hasVideo).toBe(true);
    expect(gopOf(inPlace)).toEqual(gopOf(viaPackets));
    // The second GOP, its time corrected across the jump (5000 - 85 > 250 ms becomes 10 ms).
    expect(gopOf(inPlace).map((e) => e.timestamp)).toEqual([95, 98, 135]);
  });

  it('is refused while an output wants frames or mix_correct orders them', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    const quiet = new Recorder() as Recorder & { wantsFrames(): FrameInterest };
    const other = new Recorder() as Recorder & { wantsFrames(): FrameInterest };
    let wants: FrameInterest = false;
    let otherWants: FrameInterest = false;
    quiet.wantsFrames = () => wants;
    other.wantsFrames = () => otherWants;
    source.addOutput(quiet);
    source.addOutput(other);
    expect(source.framesWanted()).toBe(false);
    expect([LiveSource.bypasses(false, 'audio'), LiveSource.bypasses(false, 'video')]).toEqual([true, true]);
    wants = 'video';
    expect(source.framesWanted()).toBe('video');
    expect([LiveSource.bypasses('video', 'audio'), LiveSource.bypasses('video', 'video')]).toEqual([true, false]);
    otherWants = 'audio';
    expect(source.framesWanted()).toBe(true);
    expect(LiveSource.bypasses(true, 'audio')).toBe(false);
    // An output that does not say wants every frame.
    otherWants = false;
    source.addOutput(new Recorder());
    expect(source.framesWanted()).toBe(true);

    const mixed = new LiveSource('v/a/s', 'v', 'a', 's', { ...DEFAULT_LIVE_OPTIONS, mixCorrect: true });
    expect(mixed.framesWanted()).toBe(true);
  });

  it('starts a new session without the previous GOP: a player then starts live', () => {
    const source = new LiveSource('v/a/s', 'v', 'a', 's', DEFAULT_LIVE_OPTIONS);
    publishThrough(source, true);
    source.unpublish(source.publisher!);
    expect(source.randomAccessSincePublish).toBe(false);
    expect(source.gop.size).toBe(0);
    source.publish(publisher('p2'));
    // Before the first keyframe nothing is kept (video frames are no start point).
    source.feedFrame('video', 10, false, Buffer.from([0x27, 1, 0, 0, 0, 0x41]), 0, 6);
    expect(source.randomAccessSincePublish).toBe(false);
    expect(source.gop.size).toBe(0);
    source.feedFrame('video', 20, true, Buffer.from([0x17, 1, 0, 0, 0, 0x65]), 0, 6);
    expect(source.randomAccessSincePublish).toBe(true);
    expect(source.gop.size).toBe(1);
  });
});

describe('source registry', () => {
  it('frees idle sources after the grace period and keeps active ones', async () => {
    const registry = new SourceRegistry(() => DEFAULT_LIVE_OPTIONS, 50, 10);
    try {
      const idle = registry.fetchOrCreate('v', 'a', 'idle');
      const busy = registry.fetchOrCreate('v', 'a', 'busy');
      busy.publish(publisher('p'));
      expect(registry.size).toBe(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(registry.find('v', 'a', 'idle')).toBeUndefined();
      expect(registry.find('v', 'a', 'busy')).toBe(busy);
      expect(idle.startupPackets()).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('gives every source the registered outputs, existing and new', () => {
    const registry = new SourceRegistry(() => DEFAULT_LIVE_OPTIONS);
    const seen: string[] = [];
    registry.fetchOrCreate('v', 'a', 'one');
    registry.addOutputFactory((s) => seen.push(s.stream));
    registry.fetchOrCreate('v', 'a', 'two');
    expect(seen).toEqual(['one', 'two']);
    void registry.close();
  });
});
