import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_OPTIONS } from '../../../src/app/live/options.js';
import { SourceRegistry } from '../../../src/app/live/source-registry.js';
import type { ClientEntry, ClientInfo, LiveContext } from '../../../src/app/live/context.js';
import { createServerIdentity } from '../../../src/app/stats/identity.js';
import { StatsRegistry } from '../../../src/app/stats/stats-registry.js';
import { StatsSnapshot } from '../../../src/app/stats/stats-json.js';
import { resolveStreamRequest } from '../../../src/kernel/stream-url.js';
import { loadTestConfig } from '../../helpers/api-server.js';

function fakeClient(id: string, kind: ClientInfo['kind'], stream = 'test'): ClientEntry & { sent: number } {
  const entry = {
    sent: 0,
    info: {
      id,
      ip: '::ffff:10.0.0.1',
      createdAt: Date.now(),
      kind,
      request: resolveStreamRequest('rtmp://127.0.0.1/live', stream, () => false),
      pageUrl: '',
      swfUrl: '',
      bytesIn: 0,
      bytesOut: 0,
    } as ClientInfo,
    kick: () => undefined,
    bytesSent: () => entry.sent,
  };
  return entry;
}

describe('StatsRegistry', () => {
  const made: { stats: StatsRegistry; sources: SourceRegistry }[] = [];
  afterEach(() => {
    for (const m of made.splice(0)) {
      m.stats.close();
      m.sources.close();
    }
  });

  function setup() {
    const sources = new SourceRegistry(() => DEFAULT_LIVE_OPTIONS, 1_000_000);
    const ctx: LiveContext = { sources, liveOptions: () => DEFAULT_LIVE_OPTIONS, knownVhost: () => false, guards: {}, clients: new Map() };
    const config = loadTestConfig('vhost __defaultVhost__ { }');
    const stats = new StatsRegistry({ ctx, getConfig: () => config, identity: createServerIdentity(), sampleIntervalMs: 1e9 });
    made.push({ stats, sources });
    return { ctx, stats, sources };
  }

  it('hands out a stream id before the source exists and keeps it for the source', () => {
    const { stats, sources } = setup();
    const early = stats.streamIdFor('__defaultVhost__', 'live', 'test');
    expect(early).toMatch(/^vid-[a-z0-9]{7}$/);
    expect(stats.streamIdFor('__defaultVhost__', 'live', 'test')).toBe(early);
    const source = sources.fetchOrCreate('__defaultVhost__', 'live', 'test');
    expect(stats.streams().map((s) => s.id)).toEqual([early]);
    expect(stats.findStream(early)!.source).toBe(source);
    source.dispose();
    expect(stats.streams()).toEqual([]);
  });

  it('books client byte deltas to the stream, the vhost and the server; totals outlive clients', () => {
    const { ctx, stats, sources } = setup();
    sources.fetchOrCreate('__defaultVhost__', 'live', 'test');
    const pub = fakeClient('pub00001', 'fmle-publish');
    const player = fakeClient('play0001', 'rtmp-play');
    ctx.clients.set(pub.info.id, pub);
    ctx.clients.set(player.info.id, player);
    pub.info.bytesIn = 1000;
    pub.sent = 10;
    player.sent = 700;
    stats.tick(1000);
    pub.info.bytesIn = 3000;
    player.sent = 2700;
    stats.tick(2000);
    const stream = stats.streams()[0]!;
    expect(stream.kbps.recvBytes).toBe(3000);
    expect(stream.kbps.sendBytes).toBe(2710);
    expect(stream.kbps.view()).toEqual({ recv_30s: 16, send_30s: 16 });
    expect(stats.server.recvBytes).toBe(3000);
    expect(stats.vhost('__defaultVhost__').kbps.sendBytes).toBe(2710);
    expect(stats.clientKbps('pub00001')!.view().recv_30s).toBe(16);

    // The player leaves with an error after sending more; its last bytes still count.
    player.sent = 3700;
    player.info.closeError = 'write failed';
    ctx.clients.delete(player.info.id);
    expect(stats.onClientClosed(player.info)).toBe(3700);
    expect(stream.kbps.sendBytes).toBe(3710);
    expect(stats.clientsTotal).toBe(2);
    expect(stats.clientsErrors).toBe(1);
    // A client gone without a close notification is booked by the next collection.
    pub.info.bytesIn = 4000;
    ctx.clients.delete(pub.info.id);
    stats.collect();
    expect(stream.kbps.recvBytes).toBe(4000);
    expect(stats.clientsErrors).toBe(1);
  });

  it('books a client that closed before any sampling from its info', () => {
    const { stats } = setup();
    const quick = fakeClient('quick001', 'rtmp-play');
    quick.info.bytesIn = 50;
    quick.info.bytesOut = 80;
    expect(stats.onClientClosed(quick.info)).toBe(80);
    expect(stats.server.recvBytes).toBe(50);
    expect(stats.clientsTotal).toBe(1);
  });

  it('snapshots SRS client objects: identified clients only, plain IPv4, counts per stream and vhost', () => {
    const { ctx, stats, sources } = setup();
    const source = sources.fetchOrCreate('__defaultVhost__', 'live', 'test');
    source.publish({ clientId: 'pub00001', kick: () => undefined });
    const pub = fakeClient('pub00001', 'fmle-publish');
    const flv = fakeClient('flv00001', 'flv-play');
    const idle = fakeClient('idle0001', 'unknown', '');
    for (const c of [pub, flv, idle]) ctx.clients.set(c.info.id, c);
    const snap = new StatsSnapshot(stats);
    expect(snap.identified.map((e) => e.info.id)).toEqual(['flv00001', 'pub00001']);
    expect(snap.client(flv)).toMatchObject({ ip: '10.0.0.1', name: 'test.flv', type: 'flv-play', publish: false, url: '/live/test' });
    const stream = snap.stream(stats.streams()[0]!);
    expect(stream).toMatchObject({ clients: 2, publish: { active: true, cid: 'pub00001' }, tcUrl: 'rtmp://127.0.0.1/live', video: null, audio: null });
    expect(snap.vhost(stats.vhost('__defaultVhost__'))).toMatchObject({ clients: 2, streams: 1, hls: { enabled: false } });
  });

  it('counts video frames and survives a malformed sequence header', () => {
    const { stats, sources } = setup();
    const source = sources.fetchOrCreate('__defaultVhost__', 'live', 'test');
    source.publish({ clientId: 'p', kick: () => undefined });
    source.feed({ kind: 'video', timestamp: 0, payload: Buffer.from([0x17, 0, 0, 0, 0, 1]), isKeyframe: false, isSequenceHeader: true });
    source.feed({ kind: 'video', timestamp: 40, payload: Buffer.from([0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]), isKeyframe: true, isSequenceHeader: false });
    source.feed({ kind: 'audio', timestamp: 40, payload: Buffer.from([0x2f, 0xff, 0xfb, 0x90, 0x64]), isKeyframe: false, isSequenceHeader: false });
    const s = stats.streams()[0]!;
    expect(s.frames).toBe(1);
    expect(s.video).toBeUndefined();
    expect(s.audio).toMatchObject({ codec: 'MP3' });
    expect(s.payloadBytes).toBe(6 + 10 + 5);
    // Once the first frame was probed, stats need no frame: taken in place, they still count.
    expect(source.framesWanted()).toBe(false);
    source.feedFrame('video', 80, false, Buffer.from([0x27, 1, 0, 0, 0, 0x41]), 0, 6);
    expect(s.frames).toBe(2);
    expect(s.payloadBytes).toBe(6 + 10 + 5 + 6);
    source.unpublish(source.publisher!);
    expect(s.audio).toBeUndefined();
    expect(s.publisherId).toBe('p');
  });
});
