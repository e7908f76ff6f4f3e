import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findVhost, loadConfigFromFile, type ConfDirective } from '../../../src/core/config/index.js';
import { serverSchema } from '../../../src/core/config/model-server.js';
import { directiveName, type Schema } from '../../../src/core/config/schema.js';

const CONF = resolve(__dirname, '../../../conf');
const FIXTURES = resolve(__dirname, '../../fixtures/conf');
const readFile = (p: string) => readFileSync(p, 'utf8');
const loadFile = (path: string) => loadConfigFromFile(path, readFile, { env: {} });

describe('conf/', () => {
  const files = readdirSync(CONF).filter((f) => f.endsWith('.conf'));

  it('holds the default, the full reference and every scenario config', () => {
    for (const name of [
      'srs.conf', 'full.conf', 'rtmp.conf', 'http.flv.live.conf', 'hls.conf', 'realtime.conf', 'security.deny.publish.conf',
      'http.hooks.callback.conf', 'dvr.path.conf', 'forward.master.conf', 'edge.conf', 'origin.cluster.serverA.conf',
      'ingest.conf', 'transcode.conf', 'many.publishers.conf',
    ]) {
      expect(files).toContain(name);
    }
  });

  it.each(files)('%s loads without errors or warnings', (name) => {
    expect(loadFile(join(CONF, name)).warnings).toEqual([]);
  });

  it('srs.conf is the tsrs default: ports, foreground, console log, hls + http-flv + rtc', () => {
    const { config } = loadFile(join(CONF, 'srs.conf'));
    expect(config).toMatchObject({
      listen: [{ port: 1935 }],
      max_connections: 1000,
      daemon: false,
      srs_log_tank: 'console',
      http_api: { enabled: true, listen: [{ port: 1985 }] },
      http_server: { enabled: true, listen: [{ port: 8080 }], dir: './objs/nginx/html' },
      rtc_server: { enabled: true, listen: [{ port: 8000 }], candidate: '*' },
    });
    const vhost = findVhost(config, '__defaultVhost__')!;
    expect(vhost.hls.enabled).toBe(true);
    expect(vhost.http_remux).toMatchObject({ enabled: true, mount: '[vhost]/[app]/[stream].flv' });
    expect(vhost.rtc.enabled).toBe(true);
  });

  it('scenario configs set what their names promise', () => {
    const vhostIn = (name: string) => findVhost(loadFile(join(CONF, name)).config, '__defaultVhost__')!;
    expect(vhostIn('realtime.conf')).toMatchObject({ min_latency: true, play: { gop_cache: false, mw_latency: 0 } });
    expect(vhostIn('security.deny.publish.conf').security.rules.at(-2)).toEqual({ action: 'deny', method: 'publish', target: 'all' });
    expect(vhostIn('edge.conf').cluster).toMatchObject({ mode: 'remote', origin: ['127.0.0.1:19350'] });
    expect(vhostIn('origin.cluster.serverA.conf').cluster).toMatchObject({ origin_cluster: true, coworkers: ['127.0.0.1:9091'] });
    expect(vhostIn('forward.master.conf').forward).toMatchObject({ enabled: true, destination: ['127.0.0.1:19350'] });
    expect(vhostIn('dvr.path.conf').dvr).toMatchObject({ enabled: true, dvr_plan: 'segment' });
    expect(vhostIn('http.hooks.callback.conf').http_hooks.on_publish).toEqual(['http://127.0.0.1:8085/api/v1/streams']);
    expect(vhostIn('ingest.conf').ingests[0]).toMatchObject({ name: 'livestream', enabled: true, input: { type: 'file' } });
    expect(vhostIn('transcode.conf').transcodes[0]!.engines[0]).toMatchObject({ name: 'ff', enabled: true, vcodec: 'libx264' });
    expect(vhostIn('hls.conf').hls.enabled).toBe(true);
    expect(vhostIn('http.flv.live.conf').http_remux.enabled).toBe(true);
  });
});

/** Every directive path the schema knows, e.g. "vhosts>hls>hls_fragment" spelled with conf names. */
function schemaPaths(schema: Schema, prefix: string[] = []): string[][] {
  return Object.entries(schema).flatMap(([key, field]) => {
    const path = [...prefix, directiveName(key, field)];
    return [path, ...(field.children ? schemaPaths(field.children, path) : [])];
  });
}

/** Every directive path the file uses (block arguments ignored: any vhost counts as "vhost"). */
function treePaths(tree: readonly ConfDirective[], prefix: string[] = [], out = new Set<string>()): Set<string> {
  for (const d of tree) {
    const path = [...prefix, d.name];
    out.add(path.join(' '));
    treePaths(d.children, path, out);
  }
  return out;
}

describe('conf/full.conf documents every directive', () => {
  const { tree } = loadFile(join(CONF, 'full.conf'));
  const text = readFileSync(join(CONF, 'full.conf'), 'utf8').split('\n');

  it('uses every directive the model knows', () => {
    const used = treePaths(tree);
    // An ingest engine takes the same directives as a transcode engine, documented there once.
    const documented = (p: string) => used.has(p) || used.has(p.replace('vhost ingest engine ', 'vhost transcode engine '));
    const missing = schemaPaths(serverSchema).map((p) => p.join(' ')).filter((p) => !documented(p));
    expect(missing).toEqual([]);
  });

  it('puts a comment line before every value directive outside free-form parameter blocks', () => {
    const uncommented: number[] = [];
    const check = (ds: readonly ConfDirective[], inParams: boolean) => {
      for (const d of ds) {
        const isBlock = d.children.length > 0 || d.name === 'vhost';
        if (!inParams && !isBlock && !/^\s*#/.test(text[d.line - 2] ?? '')) uncommented.push(d.line);
        check(d.children, ['perfile', 'vfilter', 'vparams', 'aparams'].includes(d.name));
      }
    };
    check(tree, false);
    expect(uncommented).toEqual([]);
  });
});

describe('test/fixtures/conf/srs6-full.conf (an SRS 6 style full config)', () => {
  const { config, warnings } = loadFile(join(FIXTURES, 'srs6-full.conf'));

  it('loads every section without an error or a warning', () => {
    expect(warnings).toEqual([]);
    expect(config.vhosts.length).toBe(19);
  });

  it('reads representative values', () => {
    expect(config.listen).toEqual([{ host: '0.0.0.0', port: 1935 }, { host: '::', port: 1935 }]);
    expect(config.srt_server).toMatchObject({ passphrase: 'srs-passphrase', pbkeylen: 16, latency: 0 });
    expect(config.stream_casters.map((c) => c.caster)).toEqual(['mpegts_over_udp', 'flv', 'gb28181']);
    expect(config.stream_casters[2]!.sip.candidate).toBe('192.168.1.10');
    expect(findVhost(config, 'stream.control.com')).toMatchObject({ chunk_size: 128, play: { send_min_interval: 10, atc_auto: true } });
    expect(findVhost(config, 'same.edge.srs.com')!.security.rules).toHaveLength(5);
    expect(findVhost(config, 'hooks.callback.srs.com')!.http_hooks.on_connect).toHaveLength(2);
    const all = findVhost(config, 'all.transcode.srs.com')!.transcodes[0]!;
    expect(all.name).toBe('live/livestream');
    expect(all.engines.map((e) => e.name)).toEqual(['ffsuper', 'ffcopy']);
    expect(all.engines[0]!.vparams.map((p) => p.name)).toEqual(['t', 'coder', 'b_strategy', 'bf', 'refs']);
    expect(findVhost(config, 'mirror.transcode.srs.com')!.transcodes[0]!.engines[0]!.vfilter[0]!.args[0]).toContain('split [main][tmp];');
  });
});
