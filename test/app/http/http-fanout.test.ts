import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsrsError } from '../../../src/core/errors.js';
import type { ClientInfo } from '../../../src/app/live/context.js';
import type { LiveSource } from '../../../src/app/live/source.js';
import { HttpFlvOutput } from '../../../src/app/http/flv-output.js';
import type { MediaPacket } from '../../../src/kernel/packet.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { dechunk, openLive, openWebSocket, parseHead, rawRequest } from './clients.js';
import { startHttpHarness, type HttpHarness } from './harness.js';

const CONF = `
listen 0;
http_server { enabled on; listen 127.0.0.1:0; dir @DIR@; }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } play { mw_latency 0; queue_length 1; } }
vhost noaudio.test { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; drop_if_not_match on; has_audio off; } play { mw_latency 0; } }
`;

const packet = (kind: MediaPacket['kind'], timestamp: number, payload: Buffer, flags: Partial<MediaPacket> = {}): MediaPacket => ({
  kind,
  timestamp,
  payload,
  isKeyframe: false,
  isSequenceHeader: false,
  ...flags,
});

function startPublishing(source: LiveSource): { stop(): void } {
  const publisher = { clientId: 'synthetic', kick: () => undefined };
  source.publish(publisher);
  source.feed(packet('data', 0, Buffer.from([2, 0, 10, ...Buffer.from('onMetaData'), 8, 0, 0, 0, 0, 0, 0, 9])));
  source.feed(packet('video', 0, Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f]), { isSequenceHeader: true }));
  source.feed(packet('audio', 0, Buffer.from([0xaf, 0, 0x12, 0x10]), { isSequenceHeader: true }));
  return { stop: () => source.unpublish(publisher) };
}

function videoFrame(timestamp: number, keyframe: boolean, size: number): MediaPacket {
  const payload = Buffer.alloc(size, 0x33);
  payload[0] = keyframe ? 0x17 : 0x27;
  payload[1] = 1;
  return packet('video', timestamp, payload, { isKeyframe: keyframe });
}

async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(20);
  }
}

function bodyTags(received: Buffer) {
  const end = received.indexOf('\r\n\r\n');
  const { data, complete } = dechunk(received.subarray(end + 4));
  return { head: parseHead(received.subarray(0, end).toString('latin1')), tags: new FlvReader({ expectHeader: true }).feed(data), flv: data, complete };
}

describe('HTTP-FLV players on the native fan-out', () => {
  let h: HttpHarness;

  beforeAll(async () => {
    h = await startHttpHarness(CONF);
  });
  afterAll(() => h?.close());

  it('a player that never reads does not stall the others', async () => {
    const source = h.ctx.sources.fetchOrCreate('__defaultVhost__', 'live', 'lag');
    const publishing = startPublishing(source);
    const stalled = openLive(h.httpPort, '/live/lag.flv', { read: false });
    const reader = openLive(h.httpPort, '/live/lag.flv');
    await reader.waitBytes(100);
    const frameSize = 64 * 1024;
    const frames = 240;
    for (let i = 0; i < frames; i++) {
      source.feed(videoFrame(40 + i * 40, i % 25 === 0, frameSize));
      if (i % 10 === 9) await sleep(5);
    }
    await reader.waitBytes(frames * frameSize, 15_000);
    const { tags } = bodyTags(reader.received());
    expect(tags.filter((t) => t.type === 9 && t.data.length === frameSize)).toHaveLength(frames);
    const stalledEntry = [...h.ctx.clients.values()].find((c) => c.info.kind === 'flv-play' && c.bytesSent() < frames * frameSize);
    expect(stalledEntry).toBeDefined();
    publishing.stop();
    stalled.socket.destroy();
    reader.socket.destroy();
  });

  it('ends players with the chunked last-chunk (and WebSocket close) when the publisher leaves', async () => {
    const source = h.ctx.sources.fetchOrCreate('__defaultVhost__', 'live', 'end');
    const publishing = startPublishing(source);
    const player = openLive(h.httpPort, '/live/end.flv');
    const ws = await openWebSocket(h.httpPort, '/live/end.flv');
    await player.waitBytes(100);
    source.feed(videoFrame(40, true, 1000));
    await sleep(50);
    publishing.stop();
    await player.closed;
    const { complete, tags } = bodyTags(player.received());
    expect(complete).toBe(true);
    expect(tags.map((t) => t.type)).toEqual([18, 9, 8, 9]);
    await ws.closed;
    expect(ws.frames[ws.frames.length - 1]!.opcode).toBe(0x8);
  });

  it('encodes nothing while nobody plays, and a player joining later starts at the cached keyframe', async () => {
    const source = h.ctx.sources.fetchOrCreate('__defaultVhost__', 'live', 'lazy');
    const publishing = startPublishing(source);
    const output = source.findOutput(HttpFlvOutput)!;
    for (let i = 0; i < 30; i++) source.feed(videoFrame(40 + i * 40, i % 10 === 0, 200 + i));
    expect(output.http.wantsMessages).toBe(false);
    expect(output.ws.wantsMessages).toBe(false);

    const player = openLive(h.httpPort, '/live/lazy.flv');
    await until(() => output.http.wantsMessages);
    expect(output.ws.wantsMessages).toBe(false);
    source.feed(videoFrame(40 + 30 * 40, false, 230));
    const videoFrames = () => bodyTags(player.received()).tags.filter((t) => t.type === 9).slice(1);
    await until(() => videoFrames().some((t) => t.data.length === 230));
    const frames = videoFrames();
    // The GOP from frame 20 (a keyframe, 220 bytes) to the live frame 30.
    expect(frames.map((t) => t.data.length)).toEqual(Array.from({ length: 11 }, (_, i) => 220 + i));
    expect(frames[0]!.data[0]).toBe(0x17);
    player.socket.destroy();
    await until(() => !output.http.wantsMessages);
    publishing.stop();
  });

  it('lets a player wait for the publisher, then starts it with metadata and sequence headers', async () => {
    const player = openLive(h.httpPort, '/live/later.flv');
    await player.waitBytes(13);
    const early = bodyTags(player.received());
    expect(early.head.status).toBe(200);
    // Nothing known yet: the flags come from has_audio/has_video.
    expect(early.flv[4]).toBe(0x05);
    const source = h.ctx.sources.find('__defaultVhost__', 'live', 'later')!;
    const publishing = startPublishing(source);
    source.feed(videoFrame(40, true, 500));
    await player.waitBytes(700);
    expect(bodyTags(player.received()).tags.map((t) => t.type)).toEqual([18, 9, 8, 9]);
    publishing.stop();
    await player.closed;
  });

  it('asks on_play, answers 403 when it denies, and fires on_stop when a player leaves', async () => {
    const plays: ClientInfo[] = [];
    const stops: ClientInfo[] = [];
    h.ctx.guards = {
      onPlay: async (client) => {
        plays.push(client);
        if (client.request?.param.includes('token=bad')) throw new TsrsError('HttpHookDenied', 'on_play denied');
      },
      onStop: (client) => {
        if (client.request?.stream === 'guarded') stops.push(client);
      },
    };
    try {
      const denied = await rawRequest(h.httpPort, 'GET /live/guarded.flv?token=bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 1000);
      expect(denied.status).toBe(403);
      expect(denied.body.toString()).toBe('Forbidden');
      expect(stops).toHaveLength(0);
      const player = openLive(h.httpPort, '/live/guarded.flv?token=good');
      await player.waitBytes(13);
      expect(plays.map((p) => [p.kind, p.request?.app, p.request?.stream, p.request?.param])).toEqual([
        ['flv-play', 'live', 'guarded', '?token=bad'],
        ['flv-play', 'live', 'guarded', '?token=good'],
      ]);
      player.socket.destroy();
      await sleep(100);
      expect(stops.map((s) => s.id)).toEqual([plays[1]!.id]);
    } finally {
      h.ctx.guards = {};
    }
  });

  it('kicks a player through its client entry, and frees an idle source once its players are gone', async () => {
    const player = openLive(h.httpPort, '/live/kick.flv');
    await player.waitBytes(13);
    const entry = [...h.ctx.clients.values()].find((c) => c.info.request?.stream === 'kick')!;
    entry.kick('api');
    await player.closed;
    expect(h.ctx.clients.has(entry.info.id)).toBe(false);
    h.ctx.sources.sweep(Date.now() + 60_000);
    expect(h.ctx.sources.find('__defaultVhost__', 'live', 'kick')).toBeUndefined();
  });

  it('picks the vhost from the Host header or ?vhost=, and applies drop_if_not_match', async () => {
    const source = h.ctx.sources.fetchOrCreate('noaudio.test', 'live', 'v');
    const publishing = startPublishing(source);
    const byHost = openLive(h.httpPort, '/live/v.flv', { host: 'noaudio.test:8080' });
    const byQuery = openLive(h.httpPort, '/live/v.flv?vhost=noaudio.test');
    await Promise.all([byHost.waitBytes(50), byQuery.waitBytes(50)]);
    source.feed(packet('audio', 20, Buffer.from([0xaf, 1, 1, 2, 3])));
    source.feed(videoFrame(40, true, 300));
    await until(() => [byHost, byQuery].every((p) => bodyTags(p.received()).tags.length >= 3));
    for (const p of [byHost, byQuery]) {
      const { flv, tags } = bodyTags(p.received());
      expect(flv[4]).toBe(0x01); // video only
      expect(tags.map((t) => t.type)).toEqual([18, 9, 9]);
    }
    publishing.stop();
    await Promise.all([byHost.closed, byQuery.closed]);
  });

  it('refuses WebSocket upgrades it cannot serve', async () => {
    const noKey = await rawRequest(h.httpPort, 'GET /live/s.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(noKey.status).toBe(400);
    const version = await rawRequest(h.httpPort, 'GET /live/s.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n');
    expect(version.status).toBe(426);
    expect(version.headers['sec-websocket-version']).toBe('13');
    const notLive = await rawRequest(h.httpPort, 'GET /index.html HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(notLive.status).toBe(404);
  });

  it('closes a WebSocket player that sends garbage', async () => {
    const ws = await openWebSocket(h.httpPort, '/live/garbage.flv');
    await ws.waitFrames(1);
    ws.socket.write(Buffer.from([0x82, 0x05, 1, 2, 3, 4, 5])); // unmasked: a protocol error
    await ws.closed;
    expect([...h.ctx.clients.values()].some((c) => c.info.request?.stream === 'garbage')).toBe(false);
  });
});

describe('input after a live request', () => {
  it('closes the stream instead of answering 400 inside it', async () => {
    const h = await startHttpHarness(CONF);
    try {
      const player = openLive(h.httpPort, '/live/junk.flv');
      await player.waitBytes(13);
      player.socket.write('THIS IS NOT HTTP\r\n\r\n');
      await player.closed;
      expect(player.received().toString('latin1')).not.toContain('400 Bad Request');
      expect(h.ctx.clients.size).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('reload', () => {
  it('moves the listener when the endpoint changes, keeping the players already streaming', async () => {
    const h = await startHttpHarness(CONF);
    try {
      const source = h.ctx.sources.fetchOrCreate('__defaultVhost__', 'live', 'stay');
      const publishing = startPublishing(source);
      const oldPort = h.httpPort;
      const player = openLive(oldPort, '/live/stay.flv');
      await player.waitBytes(100);
      await h.reload(CONF.replace('listen 127.0.0.1:0;', 'listen 0.0.0.0:0;'));
      const newPort = h.httpPort;
      expect(newPort).not.toBe(oldPort);
      expect((await rawRequest(newPort, 'GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(404);
      await expect(rawRequest(oldPort, 'GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n', 500)).rejects.toThrow();
      const before = player.bytes();
      source.feed(videoFrame(40, true, 2000));
      await player.waitBytes(before + 2000);
      publishing.stop();
      await player.closed;
    } finally {
      await h.close();
    }
  });
});
