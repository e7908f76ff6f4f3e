import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { clustersQueryUrl, originOfAnswer } from '../../../src/app/cluster/coworkers.js';
import { freePort } from '../../helpers/process.js';
import { getJson } from '../../helpers/api-server.js';
import { startPlayer } from '../../helpers/rtmp-player.js';
import { FAST_CLUSTER, publishSynthetic, startNode, type ClusterNode, type SyntheticPublisher } from './harness.js';

const SAMPLE = '/work/shared/srs-samples/api/api-v1-clusters.json';

describe('coworker queries', () => {
  it('asks SRS\'s question and reads its answer', () => {
    const request = { schema: 'rtmp', host: 'a.example', port: 1935, vhost: '__defaultVhost__', app: 'live', stream: 's', param: '?k=v', tcUrl: 'rtmp://a.example/live' };
    expect(clustersQueryUrl('127.0.0.1:9091', request)).toBe('http://127.0.0.1:9091/api/v1/clusters?vhost=__defaultVhost__&ip=a.example&app=live&stream=s&coworker=127.0.0.1%3A9091');
    expect(clustersQueryUrl('http://h:1/', request)).toMatch(/^http:\/\/h:1\/api\/v1\/clusters\?.*coworker=h%3A1$/);
    expect(originOfAnswer(readFileSync(SAMPLE, 'utf8'))).toBeUndefined();
    expect(originOfAnswer('{"code":0,"data":{"origin":{"ip":"10.0.0.2","port":19350,"vhost":"v"}}}')).toEqual({ host: '10.0.0.2', port: 19350 });
    expect(() => originOfAnswer('nope')).toThrow(/not JSON/);
    expect(() => originOfAnswer('{"code":100}')).toThrow(/code 100/);
    expect(() => originOfAnswer('{"code":0,"data":{"origin":{"ip":"h","port":0}}}')).toThrow(/malformed/);
    expect(() => originOfAnswer('{"code":0,"data":{"origin":{"port":1}}}')).toThrow(/malformed/);
  });
});

describe('origin cluster', () => {
  let a: ClusterNode;
  let b: ClusterNode;
  let publisher: SyntheticPublisher;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeEach(async () => {
    const [apiA, apiB, dead] = [await freePort(), await freePort(), await freePort()];
    const conf = (api: number, coworkers: string) =>
      `listen @RTMP@; http_api { enabled on; listen 127.0.0.1:${api}; } vhost __defaultVhost__ { cluster { origin_cluster on; coworkers ${coworkers}; } }`;
    // A asks a dead coworker first: it must still find B.
    a = await startNode(conf(apiA, `127.0.0.1:${dead} 127.0.0.1:${apiA} 127.0.0.1:${apiB}`), { api: true, cluster: FAST_CLUSTER });
    b = await startNode(conf(apiB, `127.0.0.1:${apiA}`), { api: true, cluster: FAST_CLUSTER });
    publisher = await publishSynthetic(b.rtmpUrl('live/c'), 20);
    await b.waitPublishing('live', 'c', undefined, 3);
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await publisher.stop();
    await a.close();
    await b.close();
  });

  it('answers /api/v1/clusters for a stream it publishes, and null otherwise', async () => {
    const query = `vhost=__defaultVhost__&ip=10.1.1.1&app=live&stream=c&coworker=127.0.0.1:${b.apiPort}`;
    const found = await getJson(`http://127.0.0.1:${b.apiPort}/api/v1/clusters?${query}`);
    expect(found.body.code).toBe(0);
    expect(found.body.data.query).toEqual({ ip: '10.1.1.1', vhost: '__defaultVhost__', app: 'live', stream: 'c' });
    // The origin is where the asker reached this server, not the player's host (`ip`).
    expect(found.body.data.origin).toMatchObject({ ip: '127.0.0.1', port: b.rtmpPort, vhost: '__defaultVhost__' });
    const missing = await getJson(`http://127.0.0.1:${a.apiPort}/api/v1/clusters?${query}`);
    expect(missing.body.data.origin).toBeNull();
    const none = await getJson(`http://127.0.0.1:${b.apiPort}/api/v1/clusters`);
    expect(none.body).toEqual(JSON.parse(readFileSync(SAMPLE, 'utf8')));
  });

  it('redirects a player (RTMP 302) to the coworker that publishes the stream', async () => {
    const player = await startPlayer(a.rtmpUrl('live/c?token=x'), { followRedirect: true });
    cleanups.push(() => player.client.close());
    expect(player.client.redirectedTo).toBe(`rtmp://127.0.0.1:${b.rtmpPort}/live/c?token=x`);
    await player.until(() => player.video >= 10, 8000, '10 frames after the redirect');
    expect(b.count('rtmp-play')).toBe(1);
    expect(a.count('rtmp-play')).toBe(0);
  });

  it('says where to go to a client that does not follow redirects', async () => {
    const client = await RtmpClient.connect(a.rtmpUrl('live/c'));
    cleanups.push(() => client.close());
    const error = await client.play().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TsrsError);
    expect((error as TsrsError).codeName).toBe('RtmpRedirect');
    expect(String((error as Error).message)).toContain(`rtmp://127.0.0.1:${b.rtmpPort}/live/c`);
  });

  it('serves a stream nobody publishes locally, without a redirect', async () => {
    const player = await startPlayer(a.rtmpUrl('live/nowhere'), { followRedirect: true });
    cleanups.push(() => player.client.close());
    expect(player.client.redirectedTo).toBeUndefined();
    expect(a.count('rtmp-play')).toBe(1);
  });

  it('lets an edge in front of the cluster follow the redirect', async () => {
    const edge = await startNode(`listen @RTMP@; vhost __defaultVhost__ { cluster { mode remote; origin 127.0.0.1:${a.rtmpPort}; } }`, { cluster: FAST_CLUSTER });
    cleanups.push(() => edge.close());
    const player = await startPlayer(edge.rtmpUrl('live/c'));
    cleanups.push(() => player.client.close());
    await player.until(() => player.video >= 10, 8000, '10 frames through the edge');
    expect(edge.cluster.edge.puller(edge.source('live', 'c')!)!.upstreamUrl).toBe(`rtmp://127.0.0.1:${b.rtmpPort}/live/c`);
    expect(b.count('rtmp-play')).toBe(1);
    expect(a.count('rtmp-play')).toBe(0);
  });
});
