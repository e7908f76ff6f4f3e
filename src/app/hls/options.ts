/**
 * The HLS knobs of a vhost, one field per SRS `hls { ... }` directive (camelCase, SRS units:
 * seconds), flattened from the config model by the lead so the segmenter reads plain fields.
 */

/** What on_hls reports for each segment written (SRS's hook fields in camelCase). */
export interface HlsSegmentInfo {
  vhost: string;
  app: string;
  stream: string;
  /** The .ts file as written: hls_path joined with the rendered hls_ts_file. */
  file: string;
  /** The .ts path relative to hls_path, e.g. "live/livestream-3.ts" (SRS `url`). */
  url: string;
  /** The URI the playlist lists for it (entry prefix applied): what on_hls_notify's [ts_url] is. */
  tsUrl: string;
  /** The playlist file (SRS `m3u8`). */
  m3u8: string;
  /** The playlist path relative to hls_path, e.g. "live/livestream.m3u8" (SRS `m3u8_url`). */
  m3u8Url: string;
  seqNo: number;
  /** Seconds. */
  duration: number;
  /** Whether the segment starts after a discontinuity (republish, codec change). */
  discontinuity: boolean;
}

export type HlsAudioCodecOption = 'aac' | 'mp3' | 'an';
export type HlsVideoCodecOption = 'h264' | 'h265' | 'vn';

export interface HlsOptions {
  /** hls_fragment: target segment length, seconds; a segment is cut at the first keyframe after it. */
  fragment: number;
  /** hls_td_ratio: EXT-X-TARGETDURATION starts at fragment * ratio and grows with longer segments. */
  tdRatio: number;
  /** hls_aof_ratio: pure-audio streams are cut at fragment * ratio. */
  aofRatio: number;
  /** hls_window: seconds of segments the playlist keeps. */
  window: number;
  /** hls_path: root directory of the files. */
  path: string;
  /** hls_m3u8_file, relative to path: [vhost] [app] [stream] and time variables. */
  m3u8File: string;
  /** hls_ts_file, relative to path: also [seq], [timestamp], [duration]. */
  tsFile: string;
  /** hls_ts_floor: [timestamp] becomes floor(now / fragment), SRS's CDN-friendly names. */
  tsFloor: boolean;
  /** hls_entry_prefix: prepended to segment URIs in the playlist (e.g. a CDN host). */
  entryPrefix: string;
  /** hls_acodec / hls_vcodec: 'an' / 'vn' drops that stream from HLS. */
  acodec: HlsAudioCodecOption;
  vcodec: HlsVideoCodecOption;
  /** hls_cleanup: delete segments that leave the window. */
  cleanup: boolean;
  /** hls_dispose: seconds after unpublish to remove every file; 0 keeps them. */
  dispose: number;
  /** hls_wait_keyframe: cut only at keyframes (off: cut at fragment whatever the frame). */
  waitKeyframe: boolean;
  /** hls_dts_directly: use FLV timestamps as they are; off smooths audio time by sample count. */
  dtsDirectly: boolean;
  /** hls_keys: AES-128 encrypt segments. */
  keys: boolean;
  /** hls_fragments_per_key: a new key every N segments. */
  fragmentsPerKey: number;
  /** hls_key_file, relative to keyFilePath: also [seq] (of the first segment using it). */
  keyFile: string;
  /** hls_key_file_path: directory of key files; '' means path. */
  keyFilePath: string;
  /** hls_key_url: prefix of key URIs in the playlist; '' means relative to the playlist. */
  keyUrl: string;
  /** hls_nb_notify: bytes of an on_hls_notify answer to read (used by the hook caller). */
  nbNotify: number;
  /**
   * tsrs: on republish keep the playlist and its sequence numbers, marking the first new
   * segment with EXT-X-DISCONTINUITY (on), or start a fresh playlist from sequence 0 (off).
   */
  continuous: boolean;
  /** Called after each segment and its playlist are on disk (the lead wires on_hls to it). */
  onSegment?: (info: HlsSegmentInfo) => void;
}

/** SRS 6 defaults. */
export const DEFAULT_HLS_OPTIONS: HlsOptions = {
  fragment: 10,
  tdRatio: 1.5,
  aofRatio: 2.1,
  window: 60,
  path: './objs/nginx/html',
  m3u8File: '[app]/[stream].m3u8',
  tsFile: '[app]/[stream]-[seq].ts',
  tsFloor: false,
  entryPrefix: '',
  acodec: 'aac',
  vcodec: 'h264',
  cleanup: true,
  dispose: 120,
  waitKeyframe: true,
  dtsDirectly: true,
  keys: false,
  fragmentsPerKey: 5,
  keyFile: '[app]/[stream]-[seq].key',
  keyFilePath: '',
  keyUrl: '',
  nbNotify: 64,
  continuous: true,
};
