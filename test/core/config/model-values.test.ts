import { describe, expect, it } from 'vitest';
import { findVhost, loadConfigFromText } from '../../../src/core/config/index.js';
import { configErrorOf, noFiles } from './helpers.js';

const load = (text: string) => loadConfigFromText(text, 't.conf', noFiles, { env: {} });
const vhostOf = (body: string) => findVhost(load(`vhost v {\n${body}\n}`).config, 'v')!;

describe('typed values', () => {
  it('listen takes ports, HOST:PORT and [IPV6]:PORT, in one or several directives', () => {
    const { config } = load('listen 1935 127.0.0.1:1936 [::]:1937 [::1]:1938 localhost:1939;\nlisten 0;');
    expect(config.listen).toEqual([
      { host: '0.0.0.0', port: 1935 },
      { host: '127.0.0.1', port: 1936 },
      { host: '::', port: 1937 },
      { host: '::1', port: 1938 },
      { host: 'localhost', port: 1939 },
      { host: '0.0.0.0', port: 0 },
    ]);
  });

  it.each(['65536', 'abc', '-1', '1935a', ':1935', '::1:1935', '[::]', '[::]:x', '[zz]:1', '1.2.3.4:', ''])('rejects listen %j', (bad) => {
    expect(configErrorOf(() => load(`http_api {\n listen "${bad}";\n}`))).toBe(
      `t.conf:2: invalid value "${bad}" for http_api.listen: expected a port 0-65535, HOST:PORT or [IPV6]:PORT`,
    );
  });

  it('switches are on/off (true/false accepted); anything else is an error', () => {
    expect(vhostOf('tcp_nodelay on; min_latency true;')).toMatchObject({ tcp_nodelay: true, min_latency: true });
    expect(vhostOf('enabled off;').enabled).toBe(false);
    expect(configErrorOf(() => load('daemon yes;'))).toBe('t.conf:1: invalid value "yes" for daemon: expected on or off');
  });

  it('numbers: floats where SRS allows them, integers and ranges enforced', () => {
    expect(vhostOf('hls { hls_fragment 2.5; }').hls.hls_fragment).toBe(2.5);
    expect(vhostOf('play { queue_length 0.5; mw_latency 0; }').play).toMatchObject({ queue_length: 0.5, mw_latency: 0 });
    expect(configErrorOf(() => load('max_connections 10.5;'))).toBe('t.conf:1: invalid value "10.5" for max_connections: expected an integer >= 1');
    expect(configErrorOf(() => load('vhost v {\n play {\n  mw_latency fast;\n }\n}'))).toBe(
      't.conf:3: invalid value "fast" for vhost.play.mw_latency: expected a number >= 0',
    );
    expect(configErrorOf(() => load('vhost v { chunk_size 100; }'))).toMatch(/^t\.conf:1: invalid value "100" for vhost\.chunk_size: expected an integer >= 128 <= 65536/);
    expect(configErrorOf(() => load('chunk_size 0x100;'))).toMatch(/invalid value "0x100" for chunk_size/);
    expect(configErrorOf(() => load('vhost v { hls { hls_fragment 1e3; } }'))).toMatch(/invalid value "1e3"/);
  });

  it('a bad top-level chunk_size is reported where it is written, also through a vhost fallback', () => {
    expect(configErrorOf(() => load('vhost v { }\nchunk_size 1;'))).toMatch(/^t\.conf:2: invalid value "1" for chunk_size/);
  });

  it('enums are checked', () => {
    expect(vhostOf('cluster { mode remote; origin a:1 b; }').cluster).toMatchObject({ mode: 'remote', origin: ['a:1', 'b'] });
    expect(configErrorOf(() => load('srs_log_tank syslog;'))).toBe('t.conf:1: invalid value "syslog" for srs_log_tank: expected console | file');
    expect(configErrorOf(() => load('vhost v { dvr { dvr_plan append; } }'))).toMatch(/vhost\.dvr\.dvr_plan: expected session \| segment/);
    expect(configErrorOf(() => load('vhost v { play { time_jitter half; } }'))).toMatch(/expected full \| zero \| off/);
    expect(configErrorOf(() => load('stream_caster { caster rtsp; }'))).toMatch(/stream_caster\.caster: expected mpegts_over_udp \| flv \| gb28181/);
    expect(configErrorOf(() => load('srt_server { pbkeylen 8; }'))).toMatch(/expected 0, 16, 24 or 32/);
  });

  it('a directive needing a value fails without one', () => {
    expect(configErrorOf(() => load('\npid;'))).toBe('t.conf:2: pid needs a value: a value');
    expect(configErrorOf(() => load('listen;'))).toBe('t.conf:1: listen needs a port');
  });

  it('a value directive written as a block is an error', () => {
    expect(configErrorOf(() => load('vhost v {\n  chunk_size 128 { x 1; }\n}'))).toBe('t.conf:2: vhost.chunk_size takes a value, not a block');
  });

  it('lists gather every argument, across repeated lines, in order', () => {
    const hooks = vhostOf('http_hooks { on_publish http://a http://b; on_publish http://c; }').http_hooks;
    expect(hooks.on_publish).toEqual(['http://a', 'http://b', 'http://c']);
    expect(vhostOf('forward { enabled on; destination 1.2.3.4:1935 x.com; }').forward.destination).toEqual(['1.2.3.4:1935', 'x.com']);
  });

  it('security keeps rule order across allow and deny, one rule per target', () => {
    const { security } = vhostOf('security {\n enabled on;\n deny publish 10.0.0.0/8;\n allow publish all;\n allow play 127.0.0.1 ::1 fe80::/10;\n deny play all;\n}');
    expect(security).toEqual({
      enabled: true,
      rules: [
        { action: 'deny', method: 'publish', target: '10.0.0.0/8' },
        { action: 'allow', method: 'publish', target: 'all' },
        { action: 'allow', method: 'play', target: '127.0.0.1' },
        { action: 'allow', method: 'play', target: '::1' },
        { action: 'allow', method: 'play', target: 'fe80::/10' },
        { action: 'deny', method: 'play', target: 'all' },
      ],
    });
  });

  it.each([
    ['allow watch all;', 'invalid value "watch" for vhost.security.allow: expected publish or play'],
    ['deny publish;', 'vhost.security.deny publish needs all, an IP or a CIDR'],
    ['deny publish 300.1.1.1;', 'invalid value "300.1.1.1" for vhost.security.deny: expected all, an IP or a CIDR'],
    ['allow play 10.0.0.0/33;', 'invalid value "10.0.0.0/33"'],
    ['allow play example.com;', 'invalid value "example.com"'],
  ])('security rejects %j', (rule, reason) => {
    expect(configErrorOf(() => load(`vhost v {\n security {\n  ${rule}\n }\n}`))).toContain(`t.conf:3: ${reason}`);
  });

  it('exec publish lines are separate command lines', () => {
    expect(vhostOf('exec { enabled on; publish ffmpeg -i [url] a.flv; publish echo [stream]; }').exec.publish).toEqual([
      ['ffmpeg', '-i', '[url]', 'a.flv'],
      ['echo', '[stream]'],
    ]);
  });

  it('ffmpeg parameter blocks keep their entries in order', () => {
    const engine = vhostOf("transcode live { engine e { vfilter { i logo.png; filter_complex 'overlay=1:1'; } perfile { re; } } }").transcodes[0]!.engines[0]!;
    expect(engine.vfilter).toEqual([{ name: 'i', args: ['logo.png'] }, { name: 'filter_complex', args: ['overlay=1:1'] }]);
    expect(engine.perfile).toEqual([{ name: 're', args: [] }]);
  });

  it('named blocks need their name where SRS does', () => {
    expect(configErrorOf(() => load('\nvhost { }'))).toBe('t.conf:2: vhost needs a name');
    expect(configErrorOf(() => load('vhost v {\n ingest { }\n}'))).toBe('t.conf:2: vhost.ingest needs a name');
  });
});

describe('warnings', () => {
  it('names file, line and section of an unknown directive, at any depth', () => {
    const { warnings } = load('bogus 1;\nvhost v {\n  nope on;\n  play {\n    gop_cahce off;\n  }\n  transcode { engine { vcodecs x; } }\n}\nhttp_api { raw_api { allow_all on; } }');
    expect(warnings).toEqual([
      't.conf:1: unknown directive "bogus" at top level',
      't.conf:3: unknown directive "nope" in vhost',
      't.conf:5: unknown directive "gop_cahce" in vhost.play',
      't.conf:7: unknown directive "vcodecs" in vhost.transcode.engine',
      't.conf:9: unknown directive "allow_all" in http_api.raw_api',
    ]);
  });

  it('warns about a duplicate directive and uses the first, as SRS', () => {
    const { config, warnings } = load('max_connections 10;\nmax_connections 20;');
    expect(config.max_connections).toBe(10);
    expect(warnings).toEqual(['t.conf:2: duplicate directive "max_connections" in top level, the first one (t.conf:1) is used']);
  });

  it('warns about a duplicate vhost and keeps the first', () => {
    const { config, warnings } = load('vhost a { chunk_size 128; }\nvhost a { chunk_size 256; }');
    expect(findVhost(config, 'a')!.chunk_size).toBe(128);
    expect(warnings).toEqual(['t.conf:2: duplicate vhost "a", the first one is used']);
  });

  it('warns about ignored extra arguments', () => {
    const { config, warnings } = load('pid a.pid b.pid;\nhls on { }');
    expect(config.pid).toBe('a.pid');
    expect(warnings).toEqual([
      't.conf:1: pid takes one value, extra arguments ignored',
      't.conf:2: unknown directive "hls" at top level',
    ]);
    expect(load('vhost v { hls on { } }').warnings).toEqual(['t.conf:1: vhost.hls takes no arguments, "on" ignored']);
  });
});
