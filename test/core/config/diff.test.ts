import { describe, expect, it } from 'vitest';
import { diffConfig, loadConfigFromText, type ServerConfig } from '../../../src/core/config/index.js';
import { noFiles } from './helpers.js';

const BASE = `
listen 1935;
srs_log_tank console;
http_api { enabled on; listen 1985; }
http_server { enabled on; listen 8080; }
rtc_server { enabled on; listen 8000; }
srt_server { enabled on; listen 10080; }
stream_caster { enabled on; caster flv; listen 8936; }
vhost __defaultVhost__ { hls { enabled on; } }
vhost a.com { play { gop_cache on; } }
vhost b.com { }
`;

const load = (text: string): ServerConfig => loadConfigFromText(text, 't.conf', noFiles, { env: {} }).config;
const base = load(BASE);
const diffWith = (from: string, to: string) => diffConfig(base, load(BASE.replace(from, to)));

describe('diffConfig', () => {
  it('finds nothing between equal configs, even parsed twice', () => {
    const diff = diffConfig(base, load(BASE));
    expect(diff).toEqual({ equal: true, listen: [], log: false, globals: [], vhosts: { added: [], removed: [], changed: [] } });
  });

  it.each([
    ['listen 1935;', 'listen 1935 1936;', 'rtmp', 'listen'],
    ['listen 1985;', 'listen 1986;', 'http_api', 'http_api'],
    ['http_api { enabled on;', 'http_api { enabled off;', 'http_api', 'http_api'],
    ['listen 8080;', 'listen 127.0.0.1:8080;', 'http_server', 'http_server'],
    ['listen 8000;', 'listen 8001;', 'rtc', 'rtc_server'],
    ['listen 10080;', 'listen 10081;', 'srt', 'srt_server'],
    ['listen 8936;', 'listen 8937;', 'stream_casters', 'stream_casters'],
  ] as const)('sees a listen change: %s -> %s', (from, to, service, global) => {
    const diff = diffWith(from, to);
    expect(diff.listen).toEqual([service]);
    expect(diff.globals).toEqual([global]);
    expect(diff.equal).toBe(false);
  });

  it('adding a stream caster is a listen change', () => {
    expect(diffWith('vhost b.com', 'stream_caster { enabled on; caster mpegts_over_udp; }\nvhost b.com').listen).toEqual(['stream_casters']);
  });

  it('a service setting that is not its endpoint changes globals, not listen', () => {
    const diff = diffWith('http_api { enabled on;', 'http_api { enabled on; crossdomain off;');
    expect(diff.listen).toEqual([]);
    expect(diff.globals).toEqual(['http_api']);
  });

  it('sees log settings', () => {
    expect(diffWith('srs_log_tank console;', 'srs_log_tank file;')).toMatchObject({ log: true, globals: ['srs_log_tank'] });
    expect(diffWith('srs_log_tank console;', 'srs_log_tank console; srs_log_level warn;').log).toBe(true);
    expect(diffWith('srs_log_tank console;', 'srs_log_tank console; ff_log_dir /tmp;').log).toBe(true);
    expect(diffWith('srs_log_tank console;', 'srs_log_tank console; max_connections 10;')).toMatchObject({ log: false, globals: ['max_connections'] });
  });

  it('sees vhosts added and removed', () => {
    const diff = diffWith('vhost b.com { }', 'vhost c.com { }');
    expect(diff.vhosts).toEqual({ added: ['c.com'], removed: ['b.com'], changed: [] });
    expect(diff.globals).toEqual([]);
    expect(diff.equal).toBe(false);
  });

  it.each([
    ['hls', 'hls { enabled on; hls_fragment 4; }'],
    ['dvr', 'dvr { enabled on; }'],
    ['http_hooks', 'http_hooks { enabled on; on_publish http://x; }'],
    ['security', 'security { enabled on; deny publish all; }'],
    ['play', 'play { gop_cache off; }'],
    ['publish', 'publish { normal_timeout 3000; }'],
    ['forward', 'forward { enabled on; destination 127.0.0.1:1936; }'],
    ['http_remux', 'http_remux { enabled on; }'],
    ['cluster', 'cluster { mode remote; origin 127.0.0.1; }'],
    ['exec', 'exec { enabled on; publish echo; }'],
    ['ingests', 'ingest s { enabled on; }'],
    ['transcodes', 'transcode live { enabled on; }'],
    ['refer', 'refer { enabled on; all a.com; }'],
    ['rtc', 'rtc { enabled on; }'],
    ['srt', 'srt { enabled on; }'],
    ['dash', 'dash { enabled on; }'],
    ['hds', 'hds { enabled on; }'],
    ['http_static', 'http_static { enabled on; }'],
    ['chunk_size', 'chunk_size 4096;'],
    ['min_latency', 'min_latency on;'],
    ['enabled', 'enabled off;'],
  ])('sees a change of vhost %s', (section, body) => {
    const diff = diffWith('vhost b.com { }', `vhost b.com { ${body} }`);
    expect(diff.vhosts).toEqual({ added: [], removed: [], changed: [{ name: 'b.com', sections: [section] }] });
    expect(diff.listen).toEqual([]);
    expect(diff.globals).toEqual([]);
  });

  it('lists several changed sections of one vhost and leaves the others out', () => {
    const diff = diffWith('vhost a.com { play { gop_cache on; } }', 'vhost a.com { play { gop_cache off; } hls { enabled on; } }');
    expect(diff.vhosts.changed).toEqual([{ name: 'a.com', sections: ['play', 'hls'] }]);
  });

  it('a top-level chunk_size reaches every vhost that inherits it', () => {
    const diff = diffWith('listen 1935;', 'listen 1935; chunk_size 4096;');
    expect(diff.globals).toEqual(['chunk_size']);
    expect(diff.vhosts.changed.map((c) => c.name)).toEqual(['__defaultVhost__', 'a.com', 'b.com']);
  });

  it('reordering rules in security is a change; reordering vhosts is not', () => {
    const rules = (order: string) => load(`vhost v { security { enabled on; ${order} } }`);
    expect(diffConfig(rules('allow play all; deny play 1.2.3.4;'), rules('deny play 1.2.3.4; allow play all;')).vhosts.changed).toEqual([
      { name: 'v', sections: ['security'] },
    ]);
    expect(diffConfig(load('vhost x { } vhost y { }'), load('vhost y { } vhost x { }')).equal).toBe(true);
  });
});
