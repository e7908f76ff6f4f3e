import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findVhost, loadConfigFromFile, loadConfigFromText } from '../../../src/core/config/index.js';
import { noFiles } from './helpers.js';

const FIXTURE = resolve(__dirname, '../../fixtures/conf/srs3-legacy.conf');
const readFile = (p: string) => readFileSync(p, 'utf8');

describe('older SRS spellings', () => {
  const { config, warnings } = loadConfigFromFile(FIXTURE, readFile, { env: {} });
  const vhost = findVhost(config, 'legacy.srs.com')!;

  it('load without warnings', () => {
    expect(warnings).toEqual([]);
  });

  it('vhost-level play settings move into play', () => {
    expect(vhost.play).toMatchObject({ gop_cache: false, queue_length: 10, time_jitter: 'zero', mw_latency: 100, mix_correct: true });
  });

  it('publish timeouts and mr {} move into publish', () => {
    expect(vhost.publish).toMatchObject({ firstpkt_timeout: 12000, normal_timeout: 4000, mr: true, mr_latency: 500 });
  });

  it('refer, refer_publish and refer_play become refer {}', () => {
    expect(vhost.refer).toEqual({ enabled: true, all: ['github.com'], publish: ['github.io'], play: ['example.com'] });
  });

  it('forward with destinations becomes forward {}', () => {
    expect(vhost.forward).toEqual({ enabled: true, destination: ['127.0.0.1:1936', '127.0.0.1:1937'], backend: '' });
  });

  it('mode and origin move into cluster', () => {
    expect(vhost.cluster).toMatchObject({ mode: 'remote', origin: ['127.0.0.1:19350'] });
  });

  it('http {} is http_static, http_stream is http_server, rtc aac/bframe are the SRS 5 names', () => {
    expect(vhost.http_static).toEqual({ enabled: true, mount: '[vhost]/', dir: './html' });
    expect(config.http_server).toMatchObject({ enabled: true, listen: [{ port: 8081 }] });
    expect(vhost.rtc).toMatchObject({ enabled: true, rtmp_to_rtc: true, keep_bframe: false });
  });

  it('a setting in the SRS 6 block wins over its old vhost-level spelling', () => {
    const { config: c, warnings: w } = loadConfigFromText('vhost v { gop_cache off; play { gop_cache on; mw_latency 0; } }', 't.conf', noFiles);
    expect(findVhost(c, 'v')!.play).toMatchObject({ gop_cache: true, mw_latency: 0 });
    expect(w).toEqual([]);
  });

  it('an invalid old-style value still names its own line', () => {
    expect(() => loadConfigFromText('vhost v {\n  queue_length long;\n}', 't.conf', noFiles)).toThrow(
      't.conf:2: invalid value "long" for vhost.play.queue_length',
    );
  });
});
