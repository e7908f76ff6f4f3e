import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { FlvReader } from '../../../src/protocol/flv/reader.js';
import { freePort } from '../../helpers/process.js';
import { startPlayer, type RecordingPlayer } from '../../helpers/rtmp-player.js';
import { VIDEO, frameIndex, isSequenceHeaderPayload } from '../../helpers/rtmp-media.js';
import { FAST_CLUSTER, publishSynthetic, startNode, waitUntil, type ClusterNode } from '../cluster/harness.js';

function videoIndices(player: RecordingPlayer): number[] {
  return player.messages
    .filter((m) => m.typeId === VIDEO && !isSequenceHeaderPayload(VIDEO, m.payload))
    .map((m) => frameIndex(VIDEO, m.payload));
}

function expectConsecutive(indices: number[]): void {
  expect(indices.length).toBeGreaterThan(0);
  expect(indices).toEqual(indices.map((_, i) => indices[0]! + i));
}

describe('edge', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const node = async (text: string, options: Parameters<typeof startNode>[1] = {}): Promise<ClusterNode> => {
    const n = await startNode(text, { cluster: FAST_CLUSTER, ...options });
    cleanups.push(() => n.close());
    return n;
  };
  const publish = async (url: string, seconds = 20) => {
    const p = await publishSynthetic(url, seconds);
    cleanups.push(() => p.stop());
    return p;
  };
  const play = async (url: string, options: Parameters<typeof startPlayer>[1] = {}) => {
    const p = await startPlayer(url, options);
    cleanups.push(() => p.client.close());
    return p;
  };
  const edgeOf = (origins: string, extra = '') => `listen @RTMP@; vhost __defaultVhost__ { cluster { mode remote; origin ${origins}; ${extra} } }`;

  it('serves 100 players with one upstream, closed once the last player leaves', async () => {
    const origin = await node('listen @RTMP@;');
    const edge = await node(edgeOf(`127.0.0.1:${origin.rtmpPort}`));
    await publish(origin.rtmpUrl('live/s'), 30);
    await origin.waitPublishing('live', 's', undefined, 3);
    const players = await Promise.all(Array.from({ length: 100 }, () => play(edge.rtmpUrl('live/s'), { keepPayloads: false })));
    await Promise.all(players.map((p) => p.until(() => p.video >= 10, 10_000, '10 video frames')));
    expect(origin.count('rtmp-play')).toBe(1);
    expect(edge.count('rtmp-play')).toBe(100);
    expect(edge.cluster.edge.upstreamCount).toBe(1);
    const source = edge.source('live', 's')!;
    expect(edge.cluster.edge.puller(source)!.connects).toBe(1);
    expect(edge.cluster.edge.puller(source)!.playerCount).toBe(100);

    for (const p of players.slice(1)) await p.client.close();
    await waitUntil('99 players gone', () => edge.count('rtmp-play') === 1, 5000);
    // Past the idle delay, the one player left keeps the upstream.
    await new Promise((r) => setTimeout(r, 800));
    expect(origin.count('rtmp-play')).toBe(1);
    const before = players[0]!.video;
    await players[0]!.until(() => players[0]!.video >= before + 5, 3000, 'more frames');
    await players[0]!.client.close();
    await waitUntil('the upstream closed', () => origin.count('rtmp-play') === 0, 3000);
    expect(edge.cluster.edge.upstreamCount).toBe(0);
    expect(source.isPublishing).toBe(false);
  });

  it('fails over to the next origin when the first is down', async () => {
    const dead = await freePort();
    const origin = await node('listen @RTMP@;');
    const edge = await node(edgeOf(`127.0.0.1:${dead} 127.0.0.1:${origin.rtmpPort}`));
    await publish(origin.rtmpUrl('live/f'));
    await origin.waitPublishing('live', 'f', undefined, 3);
    const player = await play(edge.rtmpUrl('live/f'));
    await player.until(() => player.video >= 25, 8000, '25 video frames');
    expectConsecutive(videoIndices(player));
    const puller = edge.cluster.edge.puller(edge.source('live', 'f')!)!;
    expect(puller.upstreamUrl).toBe(`rtmp://127.0.0.1:${origin.rtmpPort}/live/f`);
    expect(origin.count('rtmp-play')).toBe(1);
  });

  it('pushes a publish on the edge to the origin, and plays it on both', async () => {
    const origin = await node('listen @RTMP@;');
    const edge = await node(edgeOf(`127.0.0.1:${origin.rtmpPort}`));
    const publisher = await publish(edge.rtmpUrl('live/up?token=t'));
    await origin.waitPublishing('live', 'up', undefined, 5);
    // The origin sees the publisher's param.
    const pushed = [...origin.ctx.clients.values()].find((c) => c.info.kind === 'fmle-publish')!;
    expect(pushed.info.request?.param).toBe('?token=t');
    const atOrigin = await play(origin.rtmpUrl('live/up'));
    const atEdge = await play(edge.rtmpUrl('live/up'));
    await atOrigin.until(() => atOrigin.video >= 25, 8000, '25 frames at the origin');
    await atEdge.until(() => atEdge.video >= 25, 8000, '25 frames at the edge');
    expectConsecutive(videoIndices(atOrigin));
    expectConsecutive(videoIndices(atEdge));
    // Played locally: the edge did not pull its own stream back.
    expect(edge.cluster.edge.upstreamCount).toBe(0);
    expect(origin.count('rtmp-play')).toBe(1);
    expect(edge.cluster.edge.pushCount).toBe(1);
    await publisher.stop();
    await waitUntil('the origin unpublished', () => !origin.source('live', 'up')?.isPublishing, 5000);
    expect(edge.cluster.edge.pushCount).toBe(0);
  });

  it('lets the origin judge the token (token_traverse) and passes it on', async () => {
    const origin = await node('listen @RTMP@;');
    origin.ctx.guards = {
      // The origin's on_connect refuses a wrong token in the tcUrl, its on_play wants a good one.
      onConnect: async (c) => {
        const param = c.request?.param ?? '';
        if (param.includes('token=') && !param.includes('token=good')) throw new TsrsError('RtmpAccessDenied', 'bad token');
      },
      onPlay: async (c) => {
        if (!(c.request?.param ?? '').includes('token=good')) throw new TsrsError('RtmpAccessDenied', 'no token');
      },
    };
    const edge = await node(edgeOf(`127.0.0.1:${origin.rtmpPort}`, 'token_traverse on;'));
    await publish(origin.rtmpUrl('live/t'));
    await origin.waitPublishing('live', 't', undefined, 3);
    const good = await play(edge.rtmpUrl('live/t?token=good'));
    await good.until(() => good.video >= 10, 8000, '10 frames with a good token');
    const upstream = [...origin.ctx.clients.values()].find((c) => c.info.kind === 'rtmp-play')!;
    expect(upstream.info.request?.param).toBe('?token=good');
    const closeErrors: string[] = [];
    edge.ctx.guards = { onClose: (c) => void closeErrors.push(c.closeError ?? '') };
    await expect(play(edge.rtmpUrl('live/t?token=bad'))).rejects.toThrow();
    await waitUntil('the refused player closed', () => closeErrors.length === 1, 3000);
    expect(closeErrors[0]).toMatch(/token traverse: origin 127\.0\.0\.1:\d+ refused live\?token=bad/);
    expect(edge.count('rtmp-play')).toBe(1);
  });

  it('asks the origin for the cluster vhost instead of its own', async () => {
    const origin = await node('listen @RTMP@; vhost origin.test { }');
    const edge = await node(`listen @RTMP@; vhost edge.test { cluster { mode remote; origin 127.0.0.1:${origin.rtmpPort}; vhost origin.test; } }`);
    await publish(origin.rtmpUrl('live/v?vhost=origin.test'));
    await origin.waitPublishing('live', 'v', 'origin.test', 3);
    const player = await play(edge.rtmpUrl('live/v?vhost=edge.test'));
    await player.until(() => player.video >= 10, 8000, '10 frames via the rewritten vhost');
    const upstream = [...origin.ctx.clients.values()].find((c) => c.info.kind === 'rtmp-play')!;
    expect(upstream.info.request?.vhost).toBe('origin.test');
    expect(edge.source('live', 'v', 'edge.test')?.isPublishing).toBe(true);
  });

  it('pulls over HTTP-FLV (protocol flv) and serves HTTP-FLV players', async () => {
    const remux = 'http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }';
    const origin = await node(`listen @RTMP@; http_server { enabled on; listen 127.0.0.1:0; dir @DIR@; } vhost __defaultVhost__ { ${remux} }`, { http: true });
    const edge = await node(
      `listen @RTMP@; http_server { enabled on; listen 127.0.0.1:0; dir @DIR@; } vhost __defaultVhost__ { ${remux} cluster { mode remote; protocol flv; origin 127.0.0.1:${origin.httpPort}; } }`,
      { http: true },
    );
    await publish(origin.rtmpUrl('live/h'));
    await origin.waitPublishing('live', 'h', undefined, 3);
    const indices: number[] = [];
    const reader = new FlvReader();
    const req = get(`http://127.0.0.1:${edge.httpPort}/live/h.flv`, (res) => {
      expect(res.statusCode).toBe(200);
      res.on('data', (chunk: Buffer) => {
        for (const tag of reader.feed(chunk)) {
          if (tag.type === VIDEO && !isSequenceHeaderPayload(VIDEO, tag.data)) indices.push(frameIndex(VIDEO, tag.data));
        }
      });
    });
    cleanups.push(() => req.destroy());
    await waitUntil('25 frames over HTTP-FLV', () => indices.length >= 25, 8000);
    expectConsecutive(indices);
    expect(origin.count('flv-play')).toBe(1);
    expect(edge.cluster.edge.puller(edge.source('live', 'h')!)!.upstreamUrl).toBe(`http://127.0.0.1:${origin.httpPort}/live/h.flv`);
    req.destroy();
    await waitUntil('the HTTP-FLV upstream closed', () => origin.count('flv-play') === 0, 3000);
  });
});
