import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffConfig } from '../../../src/core/config/index.js';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { ApiServer } from '../../../src/app/api/api-server.js';
import { readJsonBody } from '../../../src/app/api/http-io.js';
import { reply } from '../../../src/app/api/api-request.js';
import { makeFlv, publishWithFfmpeg } from '../../helpers/media.js';
import { getJson, loadTestConfig, startApiHarness, waitFor, type ApiHarness } from '../../helpers/api-server.js';
import { SAMPLES, sample, shapeDiff } from './sample-shape.js';

const CONF = `
listen 1935;
http_api { enabled on; listen 127.0.0.1:0; crossdomain on; raw_api { enabled on; allow_reload on; } }
exporter { enabled on; listen 127.0.0.1:0; }
vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; } }
`;

function playWithFfmpeg(url: string): ChildProcess {
  return spawn('ffmpeg', ['-v', 'error', '-rw_timeout', '15000000', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Starts a separate ApiServer over the same stats with another config (auth, CORS, exporter off). */
async function otherApi(h: ApiHarness, text: string): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const api = new ApiServer({ ctx: h.rtmp.ctx, stats: h.stats, requestReload: () => undefined });
  await api.start(loadTestConfig(text));
  return { url: (p) => `http://127.0.0.1:${api.ports.http[0]}${p}`, close: () => api.close() };
}

describe('HTTP API with a live publisher and players', () => {
  let h: ApiHarness;
  let publisher: ChildProcess;
  let playerA: ChildProcess;
  let playerB: ChildProcess;
  const ids = { publisher: '', playerA: '', stream: '', vhost: '' };

  beforeAll(async () => {
    h = await startApiHarness(CONF);
    publisher = publishWithFfmpeg(makeFlv(4, 25), h.rtmp.url('live/test'), true);
    await waitFor('the stream with its codecs', async () => {
      const { body } = await getJson(h.apiUrl('/api/v1/streams/'));
      return body.streams?.[0]?.video && body.streams[0].audio;
    });
    playerA = playWithFfmpeg(h.rtmp.url('live/test'));
    const two = await waitFor('player A', async () => {
      const { body } = await getJson(h.apiUrl('/api/v1/clients/'));
      return body.clients?.length === 2 && body.clients;
    });
    ids.playerA = two.find((c: any) => !c.publish).id;
    playerB = playWithFfmpeg(h.rtmp.url('live/test'));
    const clients = await waitFor('player B', async () => {
      const { body } = await getJson(h.apiUrl('/api/v1/clients/'));
      return body.clients?.length === 3 && body.clients;
    });
    ids.publisher = clients.find((c: any) => c.publish).id;
    ids.stream = clients[0].stream;
    ids.vhost = clients[0].vhost;
  });

  afterAll(async () => {
    for (const p of [publisher, playerA, playerB]) p?.kill('SIGKILL');
    await h?.close();
  });

  const same = async (path: string, samplePath: string, allowExtra: string[] = []) => {
    const { status, body } = await getJson(h.apiUrl(path));
    expect(status, path).toBe(200);
    expect(shapeDiff(body, sample(samplePath), '$', allowExtra), path).toEqual([]);
    return body;
  };

  it('answers the informational endpoints in SRS 6 shapes', async () => {
    await same('/', 'api/api-root.json');
    await same('/api/', 'api/api-api.json');
    await same('/api/v1/', 'api/api-v1-index.json');
    const versions = await same('/api/v1/versions', 'api/api-v1-versions.json');
    expect(versions.server).toBe(h.stats.identity.serverId);
    expect(versions.server).toMatch(/^vid-[a-z0-9]{7}$/);
    expect(versions.pid).toBe(String(process.pid));
    await same('/api/v1/summaries', 'api/api-v1-summaries.json');
    await same('/api/v1/rusages', 'api/api-v1-rusages.json');
    const self = await same('/api/v1/self_proc_stats', 'api/api-v1-self_proc_stats.json');
    expect(self.data.pid).toBe(process.pid);
    await same('/api/v1/system_proc_stats', 'api/api-v1-system_proc_stats.json');
    const mem = await same('/api/v1/meminfos', 'api/api-v1-meminfos.json');
    expect(mem.data.MemTotal).toBeGreaterThan(0);
    await same('/api/v1/authors', 'api/api-v1-authors.json');
    await same('/api/v1/features', 'api/api-v1-features.json');
    await same('/api/v1/requests', 'api/api-v1-tests-requests.json');
    const req = await same('/api/v1/tests/requests', 'api/api-v1-tests-requests.json');
    expect(req.data.path).toBe('/api/v1/tests/requests');
    expect((await getJson(h.apiUrl('/api/v1/tests/errors'))).body).toEqual(sample('api/api-v1-tests-errors.json'));
  });

  it('reports the summaries from the live counters', async () => {
    const { body } = await getJson(h.apiUrl('/api/v1/summaries'));
    expect(body.data.system.conn_srs).toBe(3);
    expect(body.data.system.srs_recv_bytes).toBeGreaterThan(0);
    expect(body.data.self.pid).toBe(process.pid);
  });

  it('lists vhosts, streams and clients as SRS does, also one by id', async () => {
    const vhosts = await same('/api/v1/vhosts/', 'api/api-v1-vhosts.json');
    expect(vhosts.vhosts).toHaveLength(1);
    expect(vhosts.vhosts[0]).toMatchObject({ id: ids.vhost, name: '__defaultVhost__', enabled: true, clients: 3, streams: 1, hls: { enabled: true, fragment: 2 } });
    await same(`/api/v1/vhosts/${ids.vhost}`, 'api/api-v1-vhosts-by-id.json');

    const streams = await same('/api/v1/streams/', 'api/api-v1-streams.json');
    const stream = streams.streams[0];
    expect(stream).toMatchObject({
      id: ids.stream,
      name: 'test',
      vhost: ids.vhost,
      app: 'live',
      url: '/live/test',
      clients: 3,
      publish: { active: true, cid: ids.publisher },
      video: { codec: 'H264', width: 320, height: 240 },
      audio: { codec: 'AAC', sample_rate: 44100, channel: 1, profile: 'LC' },
    });
    expect(stream.tcUrl).toBe(`rtmp://127.0.0.1:${h.rtmp.port}/live`);
    expect(stream.frames).toBeGreaterThan(0);
    expect(stream.id).toMatch(/^vid-/);
    await same(`/api/v1/streams/${ids.stream}`, 'api/api-v1-streams-by-id.json');

    const clients = await same('/api/v1/clients/', 'api/api-v1-clients.json');
    const pub = clients.clients.find((c: any) => c.id === ids.publisher);
    expect(pub).toMatchObject({ vhost: ids.vhost, stream: ids.stream, ip: '127.0.0.1', type: 'fmle-publish', publish: true, url: '/live/test', name: 'test' });
    expect(pub.recv_bytes).toBeGreaterThan(0);
    const players = clients.clients.filter((c: any) => c.type === 'rtmp-play');
    expect(players).toHaveLength(2);
    // Ordered by id, as SRS's map iterates.
    expect(clients.clients.map((c: any) => c.id)).toEqual([...clients.clients.map((c: any) => c.id)].sort());
    await same(`/api/v1/clients/${ids.publisher}`, 'api/api-v1-clients-by-id.json');
    // The other captures (HLS, WebRTC and SRT clients) have the same keys.
    for (const other of ['api/api-v1-clients-2.json', 'rtc-srt/api-v1-clients-with-rtc.json', 'rtc-srt/api-v1-clients-with-srt.json']) {
      expect(shapeDiff(clients, sample(other)), other).toEqual([]);
    }
    for (const other of ['rtc-srt/api-v1-streams-with-rtc.json', 'rtc-srt/api-v1-streams-with-srt.json']) {
      expect(shapeDiff(streams, sample(other)), other).toEqual([]);
    }
  });

  it('computes kbps over the sampling window', async () => {
    await waitFor('a non-zero stream kbps', async () => {
      const { body } = await getJson(h.apiUrl(`/api/v1/streams/${ids.stream}`));
      return body.stream.kbps.recv_30s > 0 && body.stream.kbps.send_30s > 0;
    });
    const { body } = await getJson(h.apiUrl(`/api/v1/clients/${ids.publisher}`));
    expect(body.client.kbps.recv_30s).toBeGreaterThan(0);
  });

  it('pages listings with start and count', async () => {
    const all = (await getJson(h.apiUrl('/api/v1/clients/'))).body.clients.map((c: any) => c.id);
    const page = (await getJson(h.apiUrl('/api/v1/clients/?start=1&count=1'))).body.clients.map((c: any) => c.id);
    expect(page).toEqual(all.slice(1, 2));
    expect((await getJson(h.apiUrl('/api/v1/streams/?start=5'))).body.streams).toEqual([]);
  });

  it('answers SRS codes for unknown ids', async () => {
    expect((await getJson(h.apiUrl('/api/v1/streams/vid-nothere'))).body).toEqual(sample('api/api-v1-streams-notfound.json'));
    expect((await getJson(h.apiUrl('/api/v1/clients/nothere1'))).body).toEqual(sample('api/api-v1-clients-notfound.json'));
    expect((await getJson(h.apiUrl('/api/v1/clients/nothere1', { method: 'DELETE' }))).body).toEqual({ code: 2049 });
    expect((await getJson(h.apiUrl('/api/v1/vhosts/vid-nothere'))).body).toEqual({ code: 2012 });
  });

  it('redirects a resource path without its slash, as SRS', async () => {
    const res = await fetch(h.apiUrl('/api/v1/streams'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/api/v1/streams/');
    expect(await res.text()).toBe(readFileSync(`${SAMPLES}/api/api-v1-streams-noslash.body`, 'utf8').trim());
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const api = await fetch(h.apiUrl('/api/v1?x=1'), { redirect: 'manual' });
    expect(api.headers.get('location')).toBe('/api/v1/?x=1');
  });

  it('wraps answers as JSONP with ?callback=, and takes the method from ?method=', async () => {
    const res = await fetch(h.apiUrl('/api/v1/versions?callback=cb'));
    const text = await res.text();
    expect(text).toMatch(/^cb\(\{.*\}\)$/);
    const expected = /^cb\((.*)\)$/.exec(readFileSync(`${SAMPLES}/api/api-v1-versions-jsonp.txt`, 'utf8').trim())![1]!;
    expect(shapeDiff(JSON.parse(text.slice(3, -1)), JSON.parse(expected))).toEqual([]);
    const del = await fetch(h.apiUrl('/api/v1/clients/nothere1?callback=cb&method=DELETE'));
    expect(await del.text()).toBe('cb({"code":2049})');
    const bad = await getJson(h.apiUrl('/api/v1/versions?callback=alert(1)'));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 4000 });
  });

  it('answers unknown paths, unsupported methods and malformed requests with JSON errors', async () => {
    const missing = await getJson(h.apiUrl('/api/v1/nope'));
    expect(missing).toMatchObject({ status: 404, body: { code: 4004 } });
    expect((await getJson(h.apiUrl('/nothing/here'))).status).toBe(404);
    const post = await getJson(h.apiUrl('/api/v1/streams/'), { method: 'POST', body: '{}' });
    expect(post).toMatchObject({ status: sample('api/api-v1-streams-POST.status'), body: { code: 4005 } });
    expect((await getJson(h.apiUrl('/api/v1/vhosts/'), { method: 'DELETE' })).status).toBe(405);
    expect((await getJson(h.apiUrl('/api/v1/%E0%A4%A'))).body).toEqual({ code: 4000 });

    // Not HTTP at all: a 400 on that connection, and the server keeps serving.
    const socket = connect(h.api.ports.http[0]!, '127.0.0.1');
    socket.write('\x00\x01garbage\r\n\r\n');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('{"code":4000}');
    expect((await getJson(h.apiUrl('/api/v1/versions'))).status).toBe(200);
  });

  it('mounts extra routes (for /rtc/v1/) with JSON body parsing and coded errors', async () => {
    h.api.route('/rtc/v1/', async (r) => {
      if (r.path === '/rtc/v1/boom/') throw new Error('handler bug');
      reply(r, { code: 0, got: await readJsonBody(r.req) });
    });
    const ok = await getJson(h.apiUrl('/rtc/v1/play/'), { method: 'POST', body: '{"sdp":"x"}' });
    expect(ok).toMatchObject({ status: 200, body: { code: 0, got: { sdp: 'x' } } });
    const malformed = await getJson(h.apiUrl('/rtc/v1/play/'), { method: 'POST', body: '{"sdp":' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 4000 } });
    const empty = await getJson(h.apiUrl('/rtc/v1/play/'), { method: 'POST' });
    expect(empty.body).toEqual({ code: 4000 });
    const big = await getJson(h.apiUrl('/rtc/v1/play/'), { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.body).toEqual({ code: 4000 });
    const bug = await getJson(h.apiUrl('/rtc/v1/boom/'), { method: 'POST', body: '{}' });
    expect(bug).toMatchObject({ status: 500, body: { code: 9999 } });
  });

  it('serves the raw API: rpc=raw, rpc=reload, reload-fetch', async () => {
    const raw = await getJson(h.apiUrl('/api/v1/raw?rpc=raw'));
    expect(shapeDiff(raw.body, sample('api/api-v1-raw-rpc-raw.json'))).toEqual([]);
    expect(raw.body.http_api.raw_api).toEqual({ enabled: true, allow_reload: true, allow_query: false, allow_update: false });
    const before = h.reloads;
    expect((await getJson(h.apiUrl('/api/v1/raw?rpc=reload'))).body).toEqual({ code: 0 });
    expect(h.reloads).toBe(before + 1);
    const fetched = await getJson(h.apiUrl('/api/v1/raw?rpc=reload-fetch'));
    expect(shapeDiff(fetched.body, sample('api/api-v1-raw-rpc-reload-fetch.json'))).toEqual([]);
    expect((await getJson(h.apiUrl('/api/v1/raw?rpc=update'))).body).toEqual({ code: 1062 });
    expect((await getJson(h.apiUrl('/api/v1/raw'))).body).toEqual({ code: 1063 });
  });

  it('answers the origin cluster query for a stream it publishes', async () => {
    const none = await getJson(h.apiUrl('/api/v1/clusters'));
    expect(none.body).toEqual(sample('api/api-v1-clusters.json'));
    const found = await getJson(h.apiUrl('/api/v1/clusters?ip=127.0.0.1&vhost=__defaultVhost__&app=live&stream=test'));
    expect(found.body.data.query).toEqual({ ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'test' });
    const api = `127.0.0.1:${h.api.ports.http[0]}`;
    expect(found.body.data.origin).toEqual({ ip: '127.0.0.1', port: 1935, vhost: '__defaultVhost__', api, routers: [api] });
  });

  it('serves Prometheus metrics on the exporter port and the API port, valid for promtool', async () => {
    const text = await (await fetch(`http://127.0.0.1:${h.exporter.ports[0]}/metrics`)).text();
    // Every metric of SRS's capture, with the same type and labels.
    const srs = readFileSync(`${SAMPLES}/rtc-srt/metrics-prometheus.txt`, 'utf8');
    for (const [, name, type] of srs.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
      const srsLabels = /\{(.*)\}/.exec(srs.split('\n').find((l) => l.startsWith(`${name}{`)) ?? '')?.[1];
      const ourLabels = /\{(.*)\}/.exec(text.split('\n').find((l) => l.startsWith(`${name}{`)) ?? '')?.[1];
      const keys = (l: string | undefined) => [...(l ?? '').matchAll(/(\w+)="/g)].map((m) => m[1]);
      expect(keys(ourLabels), name).toEqual(keys(srsLabels));
    }
    expect(text).toMatch(/^# TYPE srs_node_uptime gauge$/m);
    expect(text).toMatch(/^srs_streams 1$/m);
    expect(text).toMatch(/^srs_clients 3$/m);
    expect(text).toMatch(/^tsrs_connections_refused_total 0$/m);
    h.rtmp.ctx.onConnectionRefused!('10.0.0.9', 'max_connections');
    expect(await (await fetch(h.apiUrl('/metrics'))).text()).toMatch(/^tsrs_connections_refused_total 1$/m);
    expect(Number(/^srs_receive_bytes_total (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
    const viaApi = await fetch(h.apiUrl('/metrics'));
    expect(viaApi.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await viaApi.text()).toMatch(/^srs_streams 1$/m);
    // promtool is a hard requirement (Debian package `prometheus`).
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool missing: apt-get install prometheus').toBeUndefined();
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
    expect((await getJson(`http://127.0.0.1:${h.exporter.ports[0]}/nope`)).body).toEqual({ code: 4004 });
  });

  it('answers code 1090 for /metrics when the exporter is off', async () => {
    const other = await otherApi(h, 'http_api { enabled on; listen 127.0.0.1:0; }');
    try {
      expect((await getJson(other.url('/metrics'))).body).toEqual(sample('api/metrics-exporter-disabled.json'));
      expect((await getJson(other.url('/api/v1/raw?rpc=raw'))).body).toEqual({ code: 1061 });
    } finally {
      await other.close();
    }
  });

  it('sets CORS headers for cross-origin requests and answers preflights (crossdomain)', async () => {
    const res = await fetch(h.apiUrl('/api/v1/versions'), { headers: { Origin: 'http://page.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const plain = await fetch(h.apiUrl('/api/v1/versions'));
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(h.apiUrl('/rtc/v1/play/'), { method: 'OPTIONS', headers: { Origin: 'http://page.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await otherApi(h, 'http_api { enabled on; listen 127.0.0.1:0; crossdomain off; }');
    try {
      const off = await fetch(other.url('/api/v1/versions'), { headers: { Origin: 'http://page.example' } });
      expect(off.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('requires HTTP basic auth for /api/ when auth is on', async () => {
    const other = await otherApi(h, 'http_api { enabled on; listen 127.0.0.1:0; auth { enabled on; username admin; password s3cret; } }');
    try {
      const denied = await getJson(other.url('/api/v1/versions'));
      expect(denied).toMatchObject({ status: 401, body: { code: 4001 } });
      expect(denied.headers.get('www-authenticate')).toMatch(/^Basic/);
      const wrong = await getJson(other.url('/api/v1/versions'), { headers: { Authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } });
      expect(wrong.status).toBe(401);
      const ok = await getJson(other.url('/api/v1/versions'), { headers: { Authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` } });
      expect(ok.status).toBe(200);
      // SRS leaves everything outside /api/ (metrics, WebRTC signalling) open.
      expect((await getJson(other.url('/metrics'))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('serves HTTPS when http_api.https is on, and applies a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsrs-api-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    const text = (crossdomain: string) => `http_api { enabled on; listen 127.0.0.1:0; crossdomain ${crossdomain};
      https { enabled on; listen 127.0.0.1:0; key ${join(dir, 'k.pem')}; cert ${join(dir, 'c.pem')}; } }`;
    const api = new ApiServer({ ctx: h.rtmp.ctx, stats: h.stats, requestReload: () => undefined });
    try {
      const first = loadTestConfig(text('on'));
      await api.start(first);
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port: api.ports.https[0], path: '/api/v1/versions', rejectUnauthorized: false }, (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => resolve(data));
        }).on('error', reject);
      });
      expect(JSON.parse(body).data.version).toBe('6.0.157');
      // A reload that changes only crossdomain keeps the listener and applies at once.
      const port = api.ports.http[0];
      const next = loadTestConfig(text('off'));
      await api.reload(next, diffConfig(first, next));
      expect(api.ports.http[0]).toBe(port);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/versions`, { headers: { Origin: 'http://x' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await api.close();
    }
    const broken = new ApiServer({ ctx: h.rtmp.ctx, stats: h.stats, requestReload: () => undefined });
    await expect(broken.start(loadTestConfig('http_api { enabled on; listen 127.0.0.1:0; https { enabled on; listen 127.0.0.1:0; key /nonexistent.key; } }')))
      .rejects.toMatchObject({ code: 1023 });
    await broken.close();
  });

  it('kicks a player with DELETE /api/v1/clients/ID', async () => {
    const res = await getJson(h.apiUrl(`/api/v1/clients/${ids.playerA}`), { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(shapeDiff(res.body, sample('api/api-v1-clients-DELETE.json'))).toEqual([]);
    await exited(playerA, 10_000);
    await waitFor('the kicked player to leave', async () => {
      const { body } = await getJson(h.apiUrl('/api/v1/clients/'));
      return !body.clients.some((c: any) => c.id === ids.playerA) && body.clients.length === 2;
    });
    expect(playerB.exitCode).toBeNull();
  });

  it('kicks the publisher: players see the unpublish, the stream stays listed as inactive', async () => {
    await getJson(h.apiUrl(`/api/v1/clients/${ids.publisher}`), { method: 'DELETE' });
    // FFmpeg ends its RTMP play on NetStream.Play.UnpublishNotify.
    const code = await exited(playerB, 10_000);
    expect(code).toBe(0);
    publisher.kill('SIGKILL');
    const { body } = await getJson(h.apiUrl('/api/v1/streams/'));
    expect(shapeDiff(body, sample('api/api-v1-streams-after-unpublish.json'))).toEqual([]);
    expect(body.streams[0]).toMatchObject({ id: ids.stream, publish: { active: false, cid: ids.publisher }, video: null, audio: null });
    const clients = await getJson(h.apiUrl('/api/v1/clients/'));
    expect(clients.body.clients).toEqual([]);
    const metrics = await (await fetch(h.apiUrl('/metrics'))).text();
    expect(Number(/^srs_clients_total (\d+)$/m.exec(metrics)![1])).toBeGreaterThanOrEqual(3);
  });
});
