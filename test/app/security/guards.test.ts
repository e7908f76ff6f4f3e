import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resetLogTank, setLogTank } from '../../../src/core/logger.js';
import { makeFlv, publishWithFfmpeg } from '../../helpers/media.js';
import { getJson, startApiHarness, startHookServer, waitFor, type ApiHarness, type HookServer } from '../../helpers/api-server.js';
import { sample, shapeDiff } from '../api/sample-shape.js';

/** Waits for an FFmpeg to end (killing it after `ms`) and returns its exit code. */
async function exitCode(child: ChildProcess, ms = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

function play(url: string): ChildProcess {
  return spawn('ffmpeg', ['-v', 'error', '-rw_timeout', '10000000', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
}

describe('guards: security, refer and http_hooks around RTMP clients', () => {
  let hooks: HookServer;
  let h: ApiHarness;
  let file: string;
  const children: ChildProcess[] = [];
  const spawned = (c: ChildProcess) => (children.push(c), c);
  const publishing = (stream: string, vhost = '__defaultVhost__') => h.rtmp.ctx.sources.find(vhost, 'live', stream)?.isPublishing ?? false;
  const bodies = () => hooks.requests.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body));

  beforeAll(async () => {
    file = makeFlv(3, 25);
    hooks = await startHookServer();
    hooks.respond = (req, res) => {
      const b = JSON.parse(req.body || '{}');
      const on = (action: string, stream: string) => b.action === action && b.stream === stream;
      if (on('on_publish', 'deny-code')) return void res.end('{"code":1,"msg":"go away"}');
      if (on('on_publish', 'deny-500')) {
        res.writeHead(500);
        return void res.end('0');
      }
      if (on('on_publish', 'timeout')) return; // never answers
      if (on('on_publish', 'slow')) return void setTimeout(() => res.end('0'), 3000);
      if (on('on_play', 'ok') && b.param === '?deny=1') return void res.end('{"code":2}');
      res.end('{"code":0}');
    };
    const u = (p: string) => hooks.url(p);
    h = await startApiHarness(`
      http_api { enabled on; listen 127.0.0.1:0; }
      vhost __defaultVhost__ {
        http_hooks {
          enabled on;
          on_connect ${u('/api/v1/clients')}; on_close ${u('/api/v1/clients')};
          on_publish ${u('/api/v1/streams')}; on_unpublish ${u('/api/v1/streams')};
          on_play ${u('/api/v1/sessions')}; on_stop ${u('/api/v1/sessions')};
        }
      }
      vhost dead { http_hooks { enabled on; on_publish http://127.0.0.1:1/api/v1/streams; } }
      vhost secure { security { enabled on; deny publish 127.0.0.0/8; allow play all; } }
      vhost referred { refer { enabled on; publish example.com; } }
    `, { hookTimeoutMs: 1500 });
    h.rtmp.ctx.knownVhost = (name) => h.config.vhosts.some((v) => v.name === name);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await h?.close();
    await hooks?.close();
  });

  it('calls on_connect, on_publish, on_play, on_stop, on_unpublish, on_close in SRS shapes and order', async () => {
    const publisher = spawned(publishWithFfmpeg(file, h.rtmp.url('live/ok'), true));
    await waitFor('publishing', () => publishing('ok'));
    const streamId = (await getJson(h.apiUrl('/api/v1/streams/'))).body.streams.find((s: any) => s.name === 'ok').id;
    const player = spawned(play(h.rtmp.url('live/ok')));
    await waitFor('on_play', () => bodies().some((b) => b.action === 'on_play'));
    await new Promise((r) => setTimeout(r, 500));
    player.kill('SIGKILL');
    await waitFor('on_close of the player', () => bodies().filter((b) => b.action === 'on_close').length === 1);
    publisher.kill('SIGKILL');
    await waitFor('on_close of the publisher', () => bodies().filter((b) => b.action === 'on_close').length === 2);

    const all = bodies();
    const pubId = all.find((b) => b.action === 'on_publish').client_id;
    const playId = all.find((b) => b.action === 'on_play').client_id;
    expect(all.filter((b) => b.client_id === pubId).map((b) => b.action)).toEqual(['on_connect', 'on_publish', 'on_unpublish', 'on_close']);
    expect(all.filter((b) => b.client_id === playId).map((b) => b.action)).toEqual(['on_connect', 'on_play', 'on_stop', 'on_close']);
    const of = (id: string, action: string) => all.find((b) => b.client_id === id && b.action === action);
    const shapes: [any, string][] = [
      [of(pubId, 'on_connect'), 'on_connect-rtmp-publish.json'],
      [of(pubId, 'on_publish'), 'on_publish-rtmp.json'],
      [of(pubId, 'on_unpublish'), 'on_unpublish-rtmp.json'],
      [of(pubId, 'on_close'), 'on_close-rtmp-publish.json'],
      [of(playId, 'on_play'), 'on_play-rtmp.json'],
      [of(playId, 'on_stop'), 'on_stop-rtmp.json'],
      [of(playId, 'on_close'), 'on_close-rtmp-play.json'],
    ];
    for (const [body, file] of shapes) {
      expect(Object.keys(body), file).toEqual(Object.keys(sample(`hooks/${file}`)));
      expect(shapeDiff(body, sample(`hooks/${file}`)), file).toEqual([]);
    }
    // SRS 6 sends on_connect once the client named its stream.
    expect(of(pubId, 'on_connect')).toMatchObject({ stream: 'ok', tcUrl: `rtmp://127.0.0.1:${h.rtmp.port}/live`, ip: '127.0.0.1', vhost: '__defaultVhost__' });
    expect(of(pubId, 'on_publish')).toMatchObject({ stream_id: streamId, stream_url: '/live/ok', server_id: h.stats.identity.serverId });
    expect(of(playId, 'on_stop').stream_id).toBe(streamId);
    expect(of(pubId, 'on_close').recv_bytes).toBeGreaterThan(10_000);
    expect(of(playId, 'on_close').send_bytes).toBeGreaterThan(10_000);
    const paths = hooks.requests.filter((r) => r.method === 'POST').map((r) => `${JSON.parse(r.body).action} ${r.path}`);
    expect(paths).toContain('on_publish /api/v1/streams');
    expect(paths).toContain('on_play /api/v1/sessions');
  });

  it('refuses publishers when a hook denies, fails, is unreachable or too slow', async () => {
    const started = Date.now();
    const attempts = {
      code: spawned(publishWithFfmpeg(file, h.rtmp.url('live/deny-code'))),
      status: spawned(publishWithFfmpeg(file, h.rtmp.url('live/deny-500'))),
      unreachable: spawned(publishWithFfmpeg(file, h.rtmp.url('live/any?vhost=dead'))),
      timeout: spawned(publishWithFfmpeg(file, h.rtmp.url('live/timeout'))),
    };
    for (const [what, child] of Object.entries(attempts)) expect(await exitCode(child), what).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    for (const stream of ['deny-code', 'deny-500', 'timeout']) expect(publishing(stream)).toBe(false);
    expect(publishing('any', 'dead')).toBe(false);
    // Every denied publisher that got on_connect gets its on_close too.
    await waitFor('on_close of the denied', () => ['deny-code', 'deny-500', 'timeout'].every((s) => {
      const id = bodies().find((b) => b.action === 'on_connect' && b.stream === s)?.client_id;
      return id && bodies().some((b) => b.action === 'on_close' && b.client_id === id);
    }));
  });

  it('refuses a player when on_play denies', async () => {
    const publisher = spawned(publishWithFfmpeg(file, h.rtmp.url('live/ok'), true));
    await waitFor('publishing', () => publishing('ok'));
    expect(await exitCode(spawned(play(h.rtmp.url('live/ok?deny=1'))))).not.toBe(0);
    publisher.kill('SIGKILL');
  });

  it('does not hold up other clients while one hook is slow', async () => {
    h.hooks.timeoutMs = 6000;
    const slow = spawned(publishWithFfmpeg(file, h.rtmp.url('live/slow'), true));
    await waitFor('the slow on_publish to be asked', () => bodies().some((b) => b.action === 'on_publish' && b.stream === 'slow'));
    const asked = Date.now();
    const fast = spawned(publishWithFfmpeg(file, h.rtmp.url('live/fast'), true));
    await waitFor('the fast publisher', () => publishing('fast'), 2500, 20);
    expect(publishing('slow')).toBe(false);
    expect((await getJson(h.apiUrl('/api/v1/versions'))).status).toBe(200);
    await waitFor('the slow publisher, once its hook answered', () => publishing('slow'), 5000);
    expect(Date.now() - asked).toBeGreaterThan(2500);
    slow.kill('SIGKILL');
    fast.kill('SIGKILL');
    h.hooks.timeoutMs = 1500;
  });

  it('applies the vhost security rules and refer before any hook', async () => {
    const lines: string[] = [];
    setLogTank({ write: (line) => void lines.push(line) });
    expect(await exitCode(spawned(publishWithFfmpeg(file, h.rtmp.url('live/x?vhost=secure'))))).not.toBe(0);
    expect(publishing('x', 'secure')).toBe(false);
    // FFmpeg sends no pageUrl: a refer list for publish refuses it.
    expect(await exitCode(spawned(publishWithFfmpeg(file, h.rtmp.url('live/y?vhost=referred'))))).not.toBe(0);
    expect(publishing('y', 'referred')).toBe(false);
    // Neither vhost has hooks, and the default vhost's were not asked on their behalf.
    expect(bodies().filter((b) => b.stream === 'x' || b.stream === 'y')).toEqual([]);
    resetLogTank();
    expect(lines.join('')).toMatch(/closed after .*publish from 127\.0\.0\.1 denied by rule "deny publish 127\.0\.0\.0\/8" \(SystemSecurityDeny 1053\)/);
    expect(lines.join('')).toMatch(/closed after .*refer: publish from page "" denied.*\(RtmpAccessDenied 2013\)/);
    const metrics = await (await fetch(h.apiUrl('/metrics'))).text();
    expect(metrics).toContain('"code":1090');
  });
});
