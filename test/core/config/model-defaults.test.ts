import { describe, expect, it } from 'vitest';
import { DEFAULT_VHOST, effectiveLogLevel, findVhost, loadConfigFromText, resolveVhost } from '../../../src/core/config/index.js';
import { noFiles } from './helpers.js';

const load = (text: string) => loadConfigFromText(text, 't.conf', noFiles, { env: {} });
const empty = load('');

describe('SRS 6 defaults', () => {
  it('top level: process and logging', () => {
    expect(empty.warnings).toEqual([]);
    expect(empty.config).toMatchObject({
      listen: [{ host: '0.0.0.0', port: 1935 }],
      max_connections: 1000,
      daemon: true,
      pid: './objs/srs.pid',
      chunk_size: 60000,
      srs_log_tank: 'file',
      srs_log_level: 'trace',
      srs_log_level_v2: '',
      srs_log_file: './objs/srs.log',
      ff_log_dir: './objs',
      grace_start_wait: 2300,
      grace_final_wait: 3200,
      force_grace_quit: false,
      disable_daemon_for_docker: true,
      empty_ip_ok: true,
      utc_time: false,
      work_dir: './',
    });
  });

  it('http_api and http_server', () => {
    expect(empty.config.http_api).toMatchObject({
      enabled: false,
      listen: [{ host: '0.0.0.0', port: 1985 }],
      crossdomain: true,
      raw_api: { enabled: false, allow_reload: false, allow_query: false, allow_update: false },
      auth: { enabled: false },
      https: { enabled: false, listen: [{ port: 1990 }] },
    });
    expect(empty.config.http_server).toMatchObject({ enabled: false, listen: [{ port: 8080 }], dir: './objs/nginx/html' });
  });

  it('rtc_server, srt_server and stream casters', () => {
    expect(empty.config.rtc_server).toMatchObject({ enabled: false, listen: [{ port: 8000 }], candidate: '*', protocol: 'udp', ecdsa: true });
    expect(empty.config.srt_server).toMatchObject({ enabled: false, listen: [{ port: 10080 }], latency: 120, mss: 1500, default_app: 'live' });
    expect(empty.config.stream_casters).toEqual([]);
    const casters = load('stream_caster { caster flv; } stream_caster { caster gb28181; } stream_caster { }').config.stream_casters;
    expect(casters.map((c) => [c.caster, c.listen[0]!.port])).toEqual([['flv', 8936], ['gb28181', 9000], ['mpegts_over_udp', 8935]]);
    expect(casters[1]!.sip).toMatchObject({ enabled: true, listen: [{ port: 5060 }] });
  });

  it('ops sections', () => {
    expect(empty.config.exporter).toMatchObject({ enabled: false, listen: [{ port: 9972 }] });
    expect(empty.config.heartbeat).toMatchObject({ enabled: false, interval: 9.3 });
    expect(empty.config.stats).toEqual({ enabled: true, network: 0, disk: [] });
    expect(empty.config.circuit_breaker).toMatchObject({ enabled: true, high_threshold: 90 });
  });

  it('__defaultVhost__ always exists, even when absent from the file', () => {
    expect(empty.config.vhosts.map((v) => v.name)).toEqual([DEFAULT_VHOST]);
    const { config } = load('vhost a.com { }');
    expect(config.vhosts.map((v) => v.name)).toEqual(['a.com', DEFAULT_VHOST]);
    expect(load(`vhost ${DEFAULT_VHOST} { chunk_size 4096; }`).config.vhosts).toHaveLength(1);
  });

  it('vhost scalars and play/publish', () => {
    const vhost = findVhost(empty.config, DEFAULT_VHOST)!;
    expect(vhost).toMatchObject({ enabled: true, min_latency: false, tcp_nodelay: false, chunk_size: 60000, in_ack_size: 0, out_ack_size: 2500000 });
    expect(vhost.play).toEqual({
      gop_cache: true, gop_cache_max_frames: 2500, queue_length: 30, time_jitter: 'full', mix_correct: false, atc: false,
      atc_auto: false, mw_latency: 350, mw_msgs: 8, send_min_interval: 0, reduce_sequence_header: false,
    });
    expect(vhost.publish).toEqual({
      mr: false, mr_latency: 350, firstpkt_timeout: 20000, normal_timeout: 5000, parse_sps: true, try_annexb_first: true, kickoff_for_idle: 0,
    });
  });

  it('vhost hls', () => {
    expect(findVhost(empty.config, DEFAULT_VHOST)!.hls).toMatchObject({
      enabled: false, hls_fragment: 10, hls_td_ratio: 1.5, hls_aof_ratio: 2.1, hls_window: 60, hls_path: './objs/nginx/html',
      hls_m3u8_file: '[app]/[stream].m3u8', hls_ts_file: '[app]/[stream]-[seq].ts', hls_acodec: 'aac', hls_vcodec: 'h264',
      hls_cleanup: true, hls_dispose: 0, hls_nb_notify: 64, hls_wait_keyframe: true, hls_keys: false, hls_fragments_per_key: 5,
      hls_key_file: '[app]/[stream]-[seq].key', hls_key_file_path: './objs/nginx/html', hls_dts_directly: true, hls_on_error: 'continue',
    });
  });

  it('hls_key_file_path follows hls_path unless set', () => {
    const hls = (body: string) => findVhost(load(`vhost v { hls { ${body} } }`).config, 'v')!.hls;
    expect(hls('hls_path /data/hls;').hls_key_file_path).toBe('/data/hls');
    expect(hls('hls_path /data/hls; hls_key_file_path /keys;').hls_key_file_path).toBe('/keys');
  });

  it('vhost delivery, access and cluster sections', () => {
    const vhost = findVhost(empty.config, DEFAULT_VHOST)!;
    expect(vhost.http_remux).toMatchObject({ enabled: false, mount: '[vhost]/[app]/[stream].flv', has_audio: true, guess_has_av: true });
    expect(vhost.http_static).toMatchObject({ enabled: false, mount: '[vhost]/', dir: './objs/nginx/html' });
    expect(vhost.dvr).toEqual({
      enabled: false, dvr_apply: ['all'], dvr_plan: 'session', dvr_path: './objs/nginx/html/[app]/[stream].[timestamp].flv',
      dvr_duration: 30, dvr_wait_keyframe: true, time_jitter: 'full',
    });
    expect(vhost.security).toEqual({ enabled: false, rules: [] });
    expect(vhost.refer).toEqual({ enabled: false, all: [], publish: [], play: [] });
    expect(vhost.http_hooks).toMatchObject({ enabled: false, on_publish: [], on_hls_notify: [] });
    expect(vhost.cluster).toMatchObject({ mode: 'local', origin: [], debug_srs_upnode: true, protocol: 'rtmp' });
    expect(vhost.forward).toEqual({ enabled: false, destination: [], backend: '' });
    expect(vhost.rtc).toMatchObject({ enabled: false, rtmp_to_rtc: false, rtc_to_rtmp: false, nack: true, twcc: true, stun_timeout: 30 });
    expect(vhost.srt).toEqual({ enabled: false, srt_to_rtmp: true });
    expect(vhost.exec).toEqual({ enabled: false, publish: [] });
    expect(vhost.ingests).toEqual([]);
    expect(vhost.transcodes).toEqual([]);
  });

  it('vhost chunk_size falls back to the top-level chunk_size', () => {
    const { config } = load('chunk_size 8192; vhost a { } vhost b { chunk_size 4096; }');
    expect(config.vhosts.map((v) => [v.name, v.chunk_size])).toEqual([['a', 8192], ['b', 4096], [DEFAULT_VHOST, 8192]]);
  });

  it('transcode and ingest engines get defaults', () => {
    const { config } = load('vhost v { transcode { engine { } } ingest s { input { url x.flv; } } }');
    const vhost = findVhost(config, 'v')!;
    expect(vhost.transcodes[0]).toMatchObject({ name: '', enabled: false, ffmpeg: './objs/ffmpeg/bin/ffmpeg' });
    expect(vhost.transcodes[0]!.engines[0]).toMatchObject({ name: '', vcodec: 'copy', acodec: 'copy', iformat: 'flv', oformat: 'flv', vparams: [] });
    expect(vhost.ingests[0]).toMatchObject({ name: 's', input: { type: 'file', url: 'x.flv' }, engines: [] });
  });

  it('the model is frozen plain data', () => {
    const vhost = findVhost(empty.config, DEFAULT_VHOST)!;
    expect(Object.isFrozen(empty.config)).toBe(true);
    expect(Object.isFrozen(vhost.play)).toBe(true);
    expect(JSON.parse(JSON.stringify(empty.config))).toEqual(empty.config);
  });
});

describe('lookups', () => {
  const { config } = load('vhost on.com { } vhost off.com { enabled off; }');

  it('resolveVhost falls back to __defaultVhost__ for an unknown name and refuses a disabled vhost', () => {
    expect(resolveVhost(config, 'on.com')!.name).toBe('on.com');
    expect(resolveVhost(config, 'other.com')!.name).toBe(DEFAULT_VHOST);
    expect(resolveVhost(config, 'off.com')).toBeUndefined();
  });

  it('effectiveLogLevel prefers srs_log_level_v2 with its own names', () => {
    expect(effectiveLogLevel(load('srs_log_level warn;').config)).toBe('warn');
    expect(effectiveLogLevel(load('srs_log_level warn; srs_log_level_v2 info;').config)).toBe('trace');
    expect(effectiveLogLevel(load('srs_log_level_v2 DEBUG;').config)).toBe('info');
    expect(effectiveLogLevel(load('srs_log_level_v2 trace;').config)).toBe('verbose');
    expect(effectiveLogLevel(empty.config)).toBe('trace');
  });
});
