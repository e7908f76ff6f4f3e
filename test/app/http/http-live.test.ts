import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlvReader, type FlvTag } from '../../../src/protocol/flv/reader.js';
import { parseVideoTag } from '../../../src/protocol/flv/video.js';
import { makeFlv, probePackets, publishWithFfmpeg } from '../../helpers/media.js';
import { dechunk, openLive, openWebSocket, parseHead } from './clients.js';
import { startHttpHarness, type HttpHarness } from './harness.js';

const CONF = `
listen 0;
http_server { enabled on; listen 127.0.0.1:0; dir @DIR@; https { enabled on; listen 127.0.0.1:0; key @KEY@; cert @CERT@; } }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } play { mw_latency 100; } }
vhost ts.test { http_remux { enabled on; mount [vhost]/[app]/[stream].ts; } play { mw_latency 100; } }
vhost aac.test { http_remux { enabled on; mount [vhost]/[app]/[stream].aac; } play { mw_latency 100; } }
vhost mp3.test { http_remux { enabled on; mount [vhost]/[app]/[stream].mp3; } play { mw_latency 100; } }
`;

function flvTags(body: Buffer): { header: Buffer; tags: FlvTag[] } {
  const reader = new FlvReader({ expectHeader: true });
  const tags = reader.feed(body);
  return { header: body.subarray(0, 13), tags };
}

/** The first tags must be metadata, then sequence headers, then a video keyframe. */
function expectPlayableStart(tags: FlvTag[]): void {
  expect(tags[0]!.type).toBe(18);
  const video = tags.filter((t) => t.type === 9);
  expect(parseVideoTag(video[0]!.data).isSequenceHeader).toBe(true);
  const firstFrame = video.find((t) => !parseVideoTag(t.data).isSequenceHeader)!;
  expect(parseVideoTag(firstFrame.data).isKeyframe).toBe(true);
  const audio = tags.filter((t) => t.type === 8);
  expect(audio[0]!.data[1]).toBe(0); // AAC sequence header before any raw frame
}

describe('live HTTP streams published with FFmpeg', () => {
  let h: HttpHarness;
  const publishers: ChildProcess[] = [];

  beforeAll(async () => {
    h = await startHttpHarness(CONF);
    const av = makeFlv(6, 25);
    const mp3 = makeFlv(6, 25, ['-c:a', 'libmp3lame', '-ar', '44100']);
    publishers.push(publishWithFfmpeg(av, h.rtmpUrl('live/flv'), true));
    publishers.push(publishWithFfmpeg(av, h.rtmpUrl('live/ts?vhost=ts.test'), true));
    publishers.push(publishWithFfmpeg(av, h.rtmpUrl('live/aac?vhost=aac.test'), true));
    publishers.push(publishWithFfmpeg(mp3, h.rtmpUrl('live/mp3?vhost=mp3.test'), true));
    await h.waitPublishing('__defaultVhost__', 'live', 'flv', 30);
    await h.waitPublishing('ts.test', 'live', 'ts', 30);
    await h.waitPublishing('aac.test', 'live', 'aac', 30);
    await h.waitPublishing('mp3.test', 'live', 'mp3', 30);
  });

  afterAll(async () => {
    for (const p of publishers) {
      p.kill('SIGKILL');
      if (p.exitCode === null) await once(p, 'close');
    }
    await h?.close();
  });

  it('serves HTTP-FLV that ffprobe plays from a keyframe', async () => {
    const probe = await probePackets(h.httpUrl('live/flv.flv'), 2);
    expect(probe.stderr).toBe('');
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    const video = probe.packets.filter((p) => p.codec_type === 'video');
    expect(video.length).toBeGreaterThan(25);
    expect(video[0]!.flags).toMatch(/^K/);
  });

  it('answers with a chunked FLV response and registers the player as flv-play', async () => {
    const player = openLive(h.httpPort, '/live/flv.flv');
    await player.waitBytes(30_000);
    const all = player.received();
    const end = all.indexOf('\r\n\r\n');
    const { status, headers } = parseHead(all.subarray(0, end).toString('latin1'));
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('video/x-flv');
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['access-control-allow-origin']).toBe('*');
    const { header, tags } = flvTags(dechunk(all.subarray(end + 4)).data);
    expect(header.subarray(0, 3).toString()).toBe('FLV');
    expect(header[4]).toBe(0x05);
    expectPlayableStart(tags);
    const entry = [...h.ctx.clients.values()].find((c) => c.info.kind === 'flv-play');
    expect(entry?.info.request?.stream).toBe('flv');
    expect(entry!.bytesSent()).toBeGreaterThan(30_000);
    player.socket.destroy();
    await player.closed;
    await sleep(50);
    expect([...h.ctx.clients.values()].some((c) => c.info.kind === 'flv-play')).toBe(false);
  });

  it('serves WS-FLV: handshake, FLV header, metadata and sequence headers, then a keyframe; answers ping and close', async () => {
    const ws = await openWebSocket(h.httpPort, '/live/flv.flv');
    expect(ws.status).toBe(101);
    await ws.waitFrames(20);
    expect(ws.frames.every((f) => f.opcode === 2)).toBe(true);
    const first = ws.frames[0]!.payload;
    expect(first.length).toBe(13);
    expect(first.subarray(0, 3).toString()).toBe('FLV');
    // One tag per frame: each frame parses as exactly one tag.
    const reader = new FlvReader({ expectHeader: true });
    const tags = ws.frames.flatMap((f) => reader.feed(f.payload));
    expect(tags.length).toBe(ws.frames.length - 1);
    expectPlayableStart(tags);
    ws.send(0x9, Buffer.from('hi'));
    const pong = await ws.waitFor((f) => f.opcode === 0xa);
    expect(pong.payload.toString()).toBe('hi');
    ws.send(0x8, Buffer.from([0x03, 0xe8]));
    await ws.waitFor((f) => f.opcode === 0x8);
    await ws.closed;
  });

  it('serves HTTP-TS that ffprobe plays from a keyframe', async () => {
    const probe = await probePackets(h.httpUrl('live/ts.ts?vhost=ts.test'), 2);
    expect(probe.stderr).toBe('');
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    const video = probe.packets.filter((p) => p.codec_type === 'video');
    expect(video.length).toBeGreaterThan(20);
    expect(video[0]!.flags).toMatch(/^K/);
    expect(probe.packets.filter((p) => p.codec_type === 'audio').length).toBeGreaterThan(20);
  });

  it('serves HTTP-AAC as ADTS and HTTP-MP3 as MPEG audio frames', async () => {
    const [aac, mp3] = await Promise.all([
      probePackets(h.httpUrl('live/aac.aac?vhost=aac.test'), 2),
      probePackets(h.httpUrl('live/mp3.mp3?vhost=mp3.test'), 2),
    ]);
    expect(aac.stderr).toBe('');
    expect(aac.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(aac.packets.length).toBeGreaterThan(30);
    expect(mp3.stderr).toBe('');
    expect(mp3.streams.map((s) => s.codec_name)).toEqual(['mp3']);
    expect(mp3.packets.length).toBeGreaterThan(20);
  });

  it('feeds 50 HTTP-FLV players at once', async () => {
    const players = Array.from({ length: 50 }, () => openLive(h.httpPort, '/live/flv.flv'));
    try {
      await Promise.all(players.map((p) => p.waitBytes(20_000)));
      for (const p of players) expect(p.received().subarray(0, 15).toString('latin1')).toBe('HTTP/1.1 200 OK');
    } finally {
      for (const p of players) p.socket.destroy();
    }
  });

  it('serves WS-FLV over TLS (wss), starting at a keyframe', async () => {
    const ws = await openWebSocket(h.httpsPort, '/live/flv.flv', true);
    expect(ws.status).toBe(101);
    await ws.waitFrames(10);
    const reader = new FlvReader({ expectHeader: true });
    expectPlayableStart(ws.frames.flatMap((f) => reader.feed(f.payload)));
    ws.socket.destroy();
  });

  it('serves HTTP-FLV over HTTPS', async () => {
    const { connect } = await import('node:tls');
    const socket = connect({ port: h.httpsPort, host: '127.0.0.1', rejectUnauthorized: false });
    const chunks: Buffer[] = [];
    socket.on('secureConnect', () => socket.write('GET /live/flv.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.on('data', (d) => chunks.push(d));
    const start = Date.now();
    while (Buffer.concat(chunks).length < 20_000 && Date.now() - start < 8000) await sleep(50);
    socket.destroy();
    const all = Buffer.concat(chunks);
    const end = all.indexOf('\r\n\r\n');
    expect(parseHead(all.subarray(0, end).toString('latin1')).status).toBe(200);
    const { tags } = flvTags(dechunk(all.subarray(end + 4)).data);
    expectPlayableStart(tags);
  });
});
