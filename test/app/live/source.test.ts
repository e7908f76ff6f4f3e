import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { LiveSource, type SourceOutput } from '../../../src/app/live/source.js';
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
