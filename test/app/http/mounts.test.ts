import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfigFromText } from '../../../src/core/config/index.js';
import { MountTable, compileLiveMount } from '../../../src/app/http/mounts.js';

const load = (text: string) => loadConfigFromText(text, 'mounts.conf', (p) => readFileSync(p, 'utf8')).config;

const remux = (mount: string) => ({
  enabled: true,
  fast_cache: 0,
  drop_if_not_match: false,
  has_audio: true,
  has_video: true,
  guess_has_av: true,
  mount,
});

describe('compileLiveMount', () => {
  it('drops a leading [vhost]/ and reads the container from the extension', () => {
    const flv = compileLiveMount('__defaultVhost__', remux('[vhost]/[app]/[stream].flv'));
    expect(typeof flv).toBe('object');
    if (typeof flv === 'string') return;
    expect(flv.template).toBe('/[app]/[stream].flv');
    expect(flv.container).toBe('flv');
    expect(flv.pattern.exec('/live/livestream.flv')?.slice(1)).toEqual(['live', 'livestream']);
    expect(flv.pattern.exec('/live/sub/s.flv')?.slice(1)).toEqual(['live/sub', 's']);
    expect(flv.pattern.exec('/live/s.flv.x')).toBeNull();
    expect(flv.pattern.exec('/s.flv')).toBeNull();
    const ts = compileLiveMount('v', remux('/[app]/[stream].TS'));
    expect(typeof ts !== 'string' && ts.container).toBe('ts');
    const named = compileLiveMount('v.com', remux('[app]/[vhost]/[stream].mp3'));
    expect(typeof named !== 'string' && named.pattern.exec('/live/v.com/s.mp3')?.slice(1)).toEqual(['live', 's']);
  });

  it('refuses mounts that cannot name a stream or a container', () => {
    expect(compileLiveMount('v', remux('[vhost]/[app]/[stream].mp4'))).toMatch(/\.flv, \.ts/);
    expect(compileLiveMount('v', remux('[vhost]/[app]/[stream]'))).toMatch(/\.flv, \.ts/);
    expect(compileLiveMount('v', remux('[vhost]/live/[stream].flv'))).toMatch(/\[app\] and \[stream\]/);
  });
});

describe('MountTable', () => {
  const table = new MountTable(
    load(`
http_server { enabled on; dir /srv/html; }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
vhost a.com { http_remux { enabled on; mount [vhost]/[app]/[stream].ts; } http_static { enabled on; mount [vhost]/hls; dir /srv/a; } }
vhost off.com { enabled off; http_remux { enabled on; mount [vhost]/[app]/[stream].aac; } }
vhost bad.com { http_remux { enabled on; mount [vhost]/[app]/[stream].mkv; } }
`),
  );

  it('matches the hinted vhost, falling back to the default vhost', () => {
    expect(table.matchLive('a.com', '/live/s.ts')).toMatchObject({ vhost: 'a.com', app: 'live', stream: 's', container: 'ts' });
    expect(table.matchLive('a.com', '/live/s.flv')).toMatchObject({ vhost: '__defaultVhost__', container: 'flv' });
    expect(table.matchLive(undefined, '/live/s.flv')).toMatchObject({ vhost: '__defaultVhost__' });
    expect(table.matchLive('off.com', '/live/s.aac')).toBeUndefined();
    expect(table.matchLive('bad.com', '/live/s.mkv')).toBeUndefined();
    expect(table.matchLive(undefined, '/live/s.m3u8')).toBeUndefined();
  });

  it('maps static paths to the vhost mount or the server dir', () => {
    expect(table.matchStatic('a.com', 'hls/live/s.m3u8')).toEqual({ dir: '/srv/a', relative: 'live/s.m3u8' });
    expect(table.matchStatic('a.com', 'hls')).toEqual({ dir: '/srv/a', relative: '' });
    expect(table.matchStatic('a.com', 'hlsx/a')).toEqual({ dir: '/srv/html', relative: 'hlsx/a' });
    expect(table.matchStatic(undefined, 'live/s.m3u8')).toEqual({ dir: '/srv/html', relative: 'live/s.m3u8' });
  });
});
