import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHooks } from '../../../src/app/hooks/http-hooks.js';
import type { ClientInfo } from '../../../src/app/live/context.js';
import { resolveStreamRequest } from '../../../src/kernel/stream-url.js';
import { loadTestConfig, startHookServer, waitFor, type HookServer } from '../../helpers/api-server.js';
import { sample, shapeDiff } from '../api/sample-shape.js';

function client(kind: ClientInfo['kind'], tcUrl = 'rtmp://127.0.0.1:1935/live', stream = 'test?token=abc'): ClientInfo {
  return {
    id: 'cid00001',
    ip: '::ffff:127.0.0.1',
    createdAt: Date.now(),
    kind,
    request: resolveStreamRequest(tcUrl, stream, () => false),
    pageUrl: 'http://page.example/p.html',
    swfUrl: '',
    bytesIn: 100,
    bytesOut: 200,
  };
}

const identity = { serverId: 'vid-abcdefg', serviceId: 'svc00001' };

describe('HttpHooks', () => {
  let server: HookServer;
  let hooks: HttpHooks;

  beforeAll(async () => {
    server = await startHookServer();
    const u = (p: string) => server.url(p);
    const config = loadTestConfig(`
      vhost __defaultVhost__ {
        http_hooks {
          enabled on;
          on_connect ${u('/api/v1/clients')};
          on_close ${u('/api/v1/clients')};
          on_publish ${u('/api/v1/streams')} ${u('/second')};
          on_unpublish ${u('/api/v1/streams')};
          on_play ${u('/api/v1/sessions')};
          on_stop ${u('/api/v1/sessions')};
          on_dvr ${u('/api/v1/dvrs')};
          on_hls ${u('/api/v1/hls')};
          on_hls_notify ${u('/api/v1/hls/[server_id]/[app]/[stream]/[ts_url][param]')};
        }
      }
      vhost off.example { http_hooks { enabled off; on_publish http://127.0.0.1:1/never; } }
    `);
    hooks = new HttpHooks({ getConfig: () => config, identity, streamIdFor: () => 'vid-stream1', timeoutMs: 2000 });
  });
  afterAll(() => server.close());

  const bodyOf = (path: string) => JSON.parse(server.requests.filter((r) => r.path === path).at(-1)!.body);

  it('sends every event in SRS 6 shape, key order included', async () => {
    server.requests.length = 0;
    server.respond = (_r, res) => res.end('0');
    const pub = client('fmle-publish');
    await hooks.onConnect(pub);
    await hooks.onPublish(pub);
    hooks.onUnpublish(pub);
    hooks.onClose(pub, 4503);
    await hooks.onPlay(client('rtmp-play'));
    hooks.onStop(client('rtmp-play'));
    await hooks.onDvr({ clientId: 'cid00001', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'test', param: '', tcUrl: 'rtmp://127.0.0.1/live', pageUrl: '', cwd: '/srv', file: './objs/dvr/live/test.1.flv' });
    await hooks.onHls({ clientId: 'cid00001', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'test', param: '', tcUrl: 'rtmp://127.0.0.1/live', pageUrl: '', duration: 2, cwd: '/srv', file: './objs/nginx/html/live/test-15.ts', url: 'live/test-15.ts', m3u8: './objs/nginx/html/live/test.m3u8', m3u8Url: 'live/test.m3u8', seqNo: 15 });
    await waitFor('the notifications', () => server.requests.length >= 9);

    const expectShape = (body: unknown, file: string) => {
      expect(shapeDiff(body, sample(`hooks/${file}`)), file).toEqual([]);
      expect(Object.keys(body as object), file).toEqual(Object.keys(sample(`hooks/${file}`)));
    };
    const streams = server.requests.filter((r) => r.path === '/api/v1/streams').map((r) => JSON.parse(r.body));
    const clients = server.requests.filter((r) => r.path === '/api/v1/clients').map((r) => JSON.parse(r.body));
    const sessions = server.requests.filter((r) => r.path === '/api/v1/sessions').map((r) => JSON.parse(r.body));
    expectShape(clients[0], 'on_connect-rtmp-publish.json');
    expectShape(streams[0], 'on_publish-rtmp.json');
    expectShape(streams[1], 'on_unpublish-rtmp.json');
    expectShape(clients[1], 'on_close-rtmp-publish.json');
    expectShape(sessions[0], 'on_play-rtmp.json');
    expectShape(sessions[1], 'on_stop-rtmp.json');
    expectShape(bodyOf('/api/v1/dvrs'), 'on_dvr.json');
    expectShape(bodyOf('/api/v1/hls'), 'on_hls.json');

    expect(streams[0]).toEqual({
      server_id: 'vid-abcdefg',
      service_id: 'svc00001',
      action: 'on_publish',
      client_id: 'cid00001',
      ip: '127.0.0.1',
      vhost: '__defaultVhost__',
      app: 'live',
      tcUrl: 'rtmp://127.0.0.1:1935/live',
      stream: 'test',
      param: '?token=abc',
      stream_url: '/live/test',
      stream_id: 'vid-stream1',
    });
    expect(clients[0]).toMatchObject({ pageUrl: 'http://page.example/p.html', stream: 'test' });
    expect(clients[1]).toMatchObject({ send_bytes: 4503, recv_bytes: 100 });
    // Several URLs for one event: called in order.
    expect(server.requests.findIndex((r) => r.path === '/second')).toBe(server.requests.findIndex((r) => r.path === '/api/v1/streams') + 1);
  });

  it('sends an HLS viewer stream as the playlist name, and its stream_url without it', async () => {
    server.respond = (_r, res) => res.end('0');
    await hooks.onPlay(client('hls-play', 'http://127.0.0.1/live', 'test'));
    const body = bodyOf('/api/v1/sessions');
    expect(shapeDiff(body, sample('hooks/on_play-hls.json'))).toEqual([]);
    expect(body).toMatchObject({ stream: 'test.m3u8', stream_url: '/live/test', tcUrl: 'http://127.0.0.1/live' });
  });

  it('GETs on_hls_notify with its template filled in, ignoring the answer', async () => {
    server.respond = (_r, res) => {
      res.writeHead(404);
      res.end('whatever');
    };
    const ok = await hooks.onHlsNotify({ clientId: 'c', ip: '', vhost: '__defaultVhost__', app: 'live', stream: 'test', param: '', tcUrl: '', pageUrl: '', tsUrl: 'test-15.ts', nbNotify: 64 });
    expect(ok).toBe(true);
    const req = server.requests.at(-1)!;
    const expected = sample('hooks/on_hls_notify.request.json');
    expect(req.method).toBe(expected.method);
    expect(req.path).toBe('/api/v1/hls/vid-abcdefg/live/test/test-15.ts');
    expect(req.body).toBe('');
  });

  it('denies on the first failing URL and skips the rest', async () => {
    server.requests.length = 0;
    server.respond = (req, res) => res.end(req.path === '/api/v1/streams' ? '{"code":403,"msg":"no"}' : '0');
    await expect(hooks.onPublish(client('fmle-publish'))).rejects.toMatchObject({ code: 3007, message: expect.stringContaining('answer code 403') });
    expect(server.requests.map((r) => r.path)).toEqual(['/api/v1/streams']);
  });

  it('never throws from notifications, reports failures of on_dvr/on_hls as false', async () => {
    server.respond = (_r, res) => {
      res.writeHead(500);
      res.end();
    };
    expect(() => hooks.onStop(client('rtmp-play'))).not.toThrow();
    const subject = { clientId: 'x', ip: '', vhost: '__defaultVhost__', app: 'live', stream: 's', param: '', tcUrl: '', pageUrl: '' };
    expect(await hooks.onDvr({ ...subject, cwd: '/', file: 'f.flv' })).toBe(false);
  });

  it('keeps one client notifications in order even when the first is slow', async () => {
    server.requests.length = 0;
    server.respond = (req, res) => {
      const delay = JSON.parse(req.body).action === 'on_stop' ? 300 : 0;
      setTimeout(() => res.end('0'), delay);
    };
    const c = client('rtmp-play');
    hooks.onStop(c);
    hooks.onClose(c);
    await waitFor('both', () => server.requests.length === 2);
    expect(server.requests.map((r) => JSON.parse(r.body).action)).toEqual(['on_stop', 'on_close']);
  });

  it('calls nothing for a vhost whose http_hooks are off', async () => {
    server.requests.length = 0;
    const c = client('fmle-publish', 'rtmp://off.example/live');
    c.request!.vhost = 'off.example';
    await hooks.onPublish(c);
    expect(server.requests).toEqual([]);
    expect(hooks.urls('off.example', 'on_publish')).toEqual([]);
  });
});
