import { afterEach, describe, expect, it } from 'vitest';
import type { MediaPacket } from '../../../src/kernel/packet.js';
import { destinationUrl, completeRtmpUrl, type ForwardedStream } from '../../../src/app/forward/destinations.js';
import { PushQueue } from '../../../src/app/forward/push-queue.js';
import { ForwardOutput } from '../../../src/app/forward/forward-output.js';
import { parseHostPort, streamWithQuery } from '../../../src/app/forward/upstream-url.js';
import { Backoff } from '../../../src/app/forward/backoff.js';
import { freePort } from '../../helpers/process.js';
import { makeFlv, probePackets, publishWithFfmpeg } from '../../helpers/media.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { AUDIO, VIDEO, frameIndex, isKeyframePayload, isSequenceHeaderPayload } from '../../helpers/rtmp-media.js';
import { startHookServer } from '../../helpers/api-server.js';
import { FAST_CLUSTER, publishSynthetic, startNode, waitUntil, type ClusterNode } from '../cluster/harness.js';
import { startNginxRtmp, type NginxRtmp } from './nginx-rtmp.js';

const base: ForwardedStream = { vhost: '__defaultVhost__', app: 'live', stream: 's', param: '', clientHost: '127.0.0.1' };

describe('forward destinations', () => {
  it('keeps app, stream, vhost and param, as SRS builds the URL', () => {
    expect(destinationUrl('127.0.0.1:19350', base)).toBe('rtmp://127.0.0.1:19350/live/s');
    expect(destinationUrl('10.0.0.1', { ...base, vhost: 'v.test', param: '?token=a' })).toBe('rtmp://10.0.0.1:1935/live/s?vhost=v.test&token=a');
    expect(destinationUrl('h:1936/other', base)).toBe('rtmp://h:1936/other/s');
    expect(destinationUrl('h:1936/other/name/', base)).toBe('rtmp://h:1936/other/name');
    expect(destinationUrl('[::1]:1937', base)).toBe('rtmp://[::1]:1937/live/s');
    // Default vhost: the client's host name is the vhost SRS guesses, unless the param names one.
    expect(destinationUrl('h', { ...base, clientHost: 'example.com' })).toBe('rtmp://h:1935/live/s?vhost=example.com');
    expect(destinationUrl('h', { ...base, clientHost: 'example.com', param: '?vhost=x&k=1' })).toBe('rtmp://h:1935/live/s?vhost=x&k=1');
    // A configured vhost replaces whatever vhost the param had.
    expect(destinationUrl('h', { ...base, vhost: 'v.test', param: '?vhost=old&k=1' })).toBe('rtmp://h:1935/live/s?vhost=v.test&k=1');
    expect(destinationUrl('rtmp://h:1/app/x?k=v', base)).toBe('rtmp://h:1/app/x?k=v');
    expect(completeRtmpUrl('rtmp://h:1/app/', { ...base, vhost: 'v' })).toBe('rtmp://h:1/app/s?vhost=v');
  });

  it('refuses malformed destinations', () => {
    expect(() => destinationUrl('h:1/a/b/c', base)).toThrow(/host\[:port\]/);
    expect(() => destinationUrl('h:99999', base)).toThrow(/out of range/);
    expect(() => destinationUrl('', base)).toThrow();
    expect(() => parseHostPort('a b', 1935)).toThrow();
    expect(streamWithQuery('s', '', '__defaultVhost__', '')).toBe('s');
  });

  it('backs off by doubling up to the cap', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 30_000 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });
});

function packet(kind: MediaPacket['kind'], timestamp: number, bytes: number, flags: Partial<MediaPacket> = {}): MediaPacket {
  return { kind, timestamp, payload: Buffer.alloc(bytes), isKeyframe: false, isSequenceHeader: false, ...flags };
}

describe('push queue', () => {
  const meta = packet('data', 0, 10);
  const vsh = packet('video', 0, 20, { isSequenceHeader: true });
  const ash = packet('audio', 0, 4, { isSequenceHeader: true });
  const source = { startupPackets: () => [meta, vsh, ash], hasVideo: true };

  it('starts at a keyframe, behind the metadata and sequence headers', () => {
    const q = new PushQueue(source, 1 << 20);
    q.push(packet('audio', 1, 30));
    q.push(packet('video', 2, 100));
    expect(q.length).toBe(0);
    expect(q.dropped).toBe(2);
    const key = packet('video', 40, 500, { isKeyframe: true });
    q.push(key);
    q.push(packet('audio', 41, 30));
    const out: MediaPacket[] = [];
    for (let p = q.shift(); p; p = q.shift()) out.push(p);
    expect(out.slice(0, 4)).toEqual([meta, vsh, ash, key]);
    expect(out).toHaveLength(5);
    expect(q.byteLength).toBe(0);
  });

  it('drops to the next keyframe when a slow peer lets it overflow', () => {
    const q = new PushQueue(source, 2000);
    expect(q.push(packet('video', 0, 500, { isKeyframe: true }))).toBe(true);
    expect(q.push(packet('video', 40, 900))).toBe(true);
    expect(q.push(packet('video', 80, 900))).toBe(false);
    expect(q.length).toBe(0);
    expect(q.isSyncing).toBe(true);
    q.push(packet('video', 120, 900));
    expect(q.length).toBe(0);
    q.push(packet('video', 160, 300, { isKeyframe: true }));
    expect(q.length).toBe(4);
    expect(q.byteLength).toBeLessThanOrEqual(2000);
  });

  it('starts an audio-only stream at any audio frame', () => {
    const q = new PushQueue({ startupPackets: () => [ash], hasVideo: false }, 1 << 20);
    q.push(ash);
    expect(q.length).toBe(0);
    q.push(packet('audio', 23, 30));
    expect(q.length).toBe(2);
  });
});

describe('forward between servers', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = <T extends { close(): Promise<void> } | { stop(): Promise<void> }>(thing: T): T => {
    cleanups.push(() => ('close' in thing ? thing.close() : thing.stop()));
    return thing;
  };

  async function forwardingNode(destination: string, extra = ''): Promise<ClusterNode> {
    return track(await startNode(`listen @RTMP@; vhost fwd.test { forward { enabled on; ${destination} } ${extra} }`, { cluster: FAST_CLUSTER }));
  }

  it('carries a published stream to a second tsrs with vhost, app and stream kept', async () => {
    const b = track(await startNode('listen @RTMP@; vhost fwd.test { }'));
    const a = await forwardingNode(`destination 127.0.0.1:${b.rtmpPort};`);
    const publisher = track(await publishSynthetic(a.rtmpUrl('live/s?vhost=fwd.test'), 20));
    await b.waitPublishing('live', 's', 'fwd.test', 5);
    const player = await startPlayer(b.rtmpUrl('live/s?vhost=fwd.test'));
    cleanups.push(() => player.client.close());
    await player.until(() => player.video >= 40, 8000, '40 forwarded video frames');
    const video = player.messages.filter((m) => m.typeId === VIDEO);
    expect(isSequenceHeaderPayload(VIDEO, video[0]!.payload)).toBe(true);
    const frames = video.filter((m) => !isSequenceHeaderPayload(VIDEO, m.payload));
    expect(isKeyframePayload(frames[0]!.payload)).toBe(true);
    // In order, none lost, 40 ms apart as published.
    const indices = frames.map((m) => frameIndex(VIDEO, m.payload));
    expect(indices).toEqual(indices.map((_, i) => indices[0]! + i));
    for (let i = 1; i < frames.length; i++) expect(Math.abs(frames[i]!.timestamp - frames[i - 1]!.timestamp - 40)).toBeLessThanOrEqual(1);
    expect(player.messages.some((m) => m.typeId === AUDIO && !isSequenceHeaderPayload(AUDIO, m.payload))).toBe(true);
    // The forward link is a publisher on B, under the same vhost.
    expect(b.count('fmle-publish')).toBe(1);
    expect(b.source('live', 's', 'fwd.test')?.isPublishing).toBe(true);
    // Unpublish on A ends the forward.
    await publisher.stop();
    await waitUntil('B unpublished', () => !b.source('live', 's', 'fwd.test')?.isPublishing, 5000);
    expect(b.count('fmle-publish')).toBe(0);
  });

  it('retries a destination that is down until it comes up', async () => {
    const port = await freePort();
    const a = await forwardingNode(`destination 127.0.0.1:${port};`);
    track(await publishSynthetic(a.rtmpUrl('live/late?vhost=fwd.test'), 20));
    const output = a.source('live', 'late', 'fwd.test')!.findOutput(ForwardOutput)!;
    await waitUntil('a failed attempt', () => (output.links[0]?.stats.failures ?? 0) >= 1, 5000);
    const b = track(await startNode('listen @RTMP@; vhost fwd.test { }', { rtmpPort: port }));
    await b.waitPublishing('live', 'late', 'fwd.test', 5);
    expect(output.links[0]!.stats.connects).toBe(1);
  });

  it('asks the backend for destinations (SRS 5 dynamic forward)', async () => {
    const b = track(await startNode('listen @RTMP@;'));
    const hooks = track(await startHookServer());
    hooks.respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 0, data: { urls: [`rtmp://127.0.0.1:${b.rtmpPort}/relay/fromBackend`] } }));
    };
    const a = track(await startNode(`listen @RTMP@; vhost __defaultVhost__ { forward { enabled on; backend ${hooks.url('/api/v1/forward')}; } }`, { cluster: { ...FAST_CLUSTER, serverId: 'vid-test' } }));
    track(await publishSynthetic(a.rtmpUrl('live/s?token=t1'), 20));
    await b.waitPublishing('relay', 'fromBackend', undefined, 5);
    expect(hooks.requests).toHaveLength(1);
    const body = JSON.parse(hooks.requests[0]!.body);
    expect(body).toMatchObject({ action: 'on_forward', server_id: 'vid-test', vhost: '__defaultVhost__', app: 'live', stream: 's', param: '?token=t1', stream_url: '/live/s' });
    expect(body.client_id).toMatch(/\S/);
    expect(body.tcUrl).toBe(`rtmp://127.0.0.1:${a.rtmpPort}/live`);
    expect(hooks.requests[0]!.path).toBe('/api/v1/forward');
  });

  it('forwards FFmpeg media that ffprobe reads back from the second server', async () => {
    const b = track(await startNode('listen @RTMP@; vhost fwd.test { }'));
    const a = await forwardingNode(`destination 127.0.0.1:${b.rtmpPort};`);
    const ffmpeg = publishWithFfmpeg(makeFlv(8, 25), a.rtmpUrl('live/ff?vhost=fwd.test'));
    cleanups.push(() => ffmpeg.kill('SIGKILL'));
    await b.waitPublishing('live', 'ff', 'fwd.test', 10);
    const probed = await probePackets(b.rtmpUrl('live/ff?vhost=fwd.test'), 2);
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(probed.packets.filter((p) => p.codec_type === 'video').length).toBeGreaterThanOrEqual(25);
    expect(probed.packets.some((p) => p.codec_type === 'audio')).toBe(true);
  });

  it('forwards to nginx-rtmp', async () => {
    let nginx: NginxRtmp | undefined;
    try {
      nginx = await startNginxRtmp();
      const a = await forwardingNode(`destination 127.0.0.1:${nginx.port};`);
      track(await publishSynthetic(a.rtmpUrl('live/ng?vhost=fwd.test'), 20));
      const output = a.source('live', 'ng', 'fwd.test')!.findOutput(ForwardOutput)!;
      await waitUntil('the link to nginx', () => output.links[0]?.isLive === true, 5000);
      // Default vhost is not in the URL; fwd.test is, as the stream's query (nginx ignores it).
      expect(output.links[0]!.currentTarget).toBe(`rtmp://127.0.0.1:${nginx.port}/live/ng?vhost=fwd.test`);
      const player = await startPlayer(nginx.url('live/ng'));
      cleanups.push(() => player.client.close());
      await player.until(() => player.video >= 25, 8000, '25 video frames from nginx');
      const indices = player.messages
        .filter((m) => m.typeId === VIDEO && !isSequenceHeaderPayload(VIDEO, m.payload))
        .map((m) => frameIndex(VIDEO, m.payload));
      expect(indices.length).toBeGreaterThanOrEqual(24);
      for (let i = 1; i < indices.length; i++) expect(indices[i]).toBe(indices[i - 1]! + 1);
    } catch (err) {
      if (nginx) throw new Error(`${String(err)}\nnginx log:\n${nginx.log()}`);
      throw err;
    } finally {
      await nginx?.stop();
    }
  });
});
