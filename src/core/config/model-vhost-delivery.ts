/** How a vhost's streams leave as files or HTTP: hls, hds, dash, http_remux, http_static, dvr. */
import { block, mapped } from './fields-block.js';
import { flag, int, list, num, oneOf, str } from './fields-scalar.js';

const TIME_JITTER = ['full', 'zero', 'off'] as const;

const hlsSchema = {
  enabled: flag(false),
  /** seconds (float): target segment duration. */
  hls_fragment: num(10, { min: 0.1 }),
  /** A segment is cut at hls_fragment * hls_td_ratio even without a keyframe. */
  hls_td_ratio: num(1.5, { min: 1 }),
  /** Pure-audio segments are cut at hls_fragment * hls_aof_ratio. */
  hls_aof_ratio: num(2.1, { min: 1 }),
  /** seconds: total duration the playlist keeps. */
  hls_window: num(60, { min: 0 }),
  hls_on_error: oneOf(['ignore', 'disconnect', 'continue'] as const, 'continue'),
  hls_path: str('./objs/nginx/html'),
  hls_m3u8_file: str('[app]/[stream].m3u8'),
  hls_ts_file: str('[app]/[stream]-[seq].ts'),
  hls_ts_floor: flag(false),
  hls_entry_prefix: str(''),
  hls_acodec: oneOf(['aac', 'mp3', 'an'] as const, 'aac'),
  hls_vcodec: oneOf(['h264', 'h265', 'vn'] as const, 'h264'),
  hls_cleanup: flag(true),
  /** seconds without a publisher before the files go; 0 keeps them. */
  hls_dispose: num(0, { min: 0 }),
  hls_nb_notify: int(64, { min: 0 }),
  hls_wait_keyframe: flag(true),
  hls_keys: flag(false),
  hls_fragments_per_key: int(5, { min: 1 }),
  hls_key_file: str('[app]/[stream]-[seq].key'),
  /** Empty in the config means hls_path, which the model fills in. */
  hls_key_file_path: str(''),
  hls_key_url: str(''),
  hls_dts_directly: flag(true),
  hls_ctx: flag(true),
  hls_ts_ctx: flag(true),
  hls_continuous: flag(true),
  hls_recover: flag(true),
  hls_use_fmp4: flag(false),
  hls_fmp4_file: str('[app]/[stream]-[seq].m4s'),
  hls_init_file: str('[app]/[stream]/init.mp4'),
};

export const hlsField = mapped(block(hlsSchema), (hls) =>
  hls.hls_key_file_path ? hls : { ...hls, hls_key_file_path: hls.hls_path },
);

export const hdsField = block({
  enabled: flag(false),
  /** seconds */
  hds_fragment: num(10, { min: 0.1 }),
  /** seconds */
  hds_window: num(60, { min: 0 }),
  hds_path: str('./objs/nginx/html'),
});

export const dashField = block({
  enabled: flag(false),
  /** seconds */
  dash_fragment: num(30, { min: 0.1 }),
  /** seconds */
  dash_update_period: num(150, { min: 0 }),
  /** seconds */
  dash_timeshift: num(300, { min: 0 }),
  dash_path: str('./objs/nginx/html'),
  dash_mpd_file: str('[app]/[stream].mpd'),
  /** segments kept in the MPD */
  dash_window_size: int(5, { min: 1 }),
  dash_cleanup: flag(true),
  /** seconds without a publisher before the files go; 0 keeps them. */
  dash_dispose: num(120, { min: 0 }),
});

export const httpRemuxField = block({
  enabled: flag(false),
  /** seconds of audio cache; deprecated in SRS, accepted and unused. */
  fast_cache: num(0, { min: 0 }),
  drop_if_not_match: flag(false),
  has_audio: flag(true),
  has_video: flag(true),
  guess_has_av: flag(true),
  /** .flv, .ts, .aac or .mp3 decides the container. */
  mount: str('[vhost]/[app]/[stream].flv'),
});

export const httpStaticField = block({
  enabled: flag(false),
  mount: str('[vhost]/'),
  dir: str('./objs/nginx/html'),
});

export const dvrField = block({
  enabled: flag(false),
  /** `all`, or app/stream names the DVR applies to. */
  dvr_apply: list(['all']),
  dvr_plan: oneOf(['session', 'segment'] as const, 'session'),
  dvr_path: str('./objs/nginx/html/[app]/[stream].[timestamp].flv'),
  /** seconds, for the segment plan. */
  dvr_duration: num(30, { min: 0.1 }),
  dvr_wait_keyframe: flag(true),
  time_jitter: oneOf(TIME_JITTER, 'full'),
});
