/**
 * SRS's path variables for hls_m3u8_file, hls_ts_file and hls_key_file: [vhost] [app]
 * [stream], [seq], [duration] (ms), [timestamp] (ms since the epoch) and Go-style local time
 * fields [2006] [01] [02] [15] [04] [05] [999].
 */
import { fillTemplate } from '../../kernel/srs-template.js';

export interface HlsTemplateVars {
  vhost: string;
  app: string;
  stream: string;
  seq?: number;
  /** Segment duration, ms. */
  durationMs?: number;
  /** When the segment (or playlist) began. */
  time: Date;
  /** hls_ts_floor: replaces [timestamp] with floor(epoch ms / fragment ms). */
  floorFragmentMs?: number;
}

export function renderHlsTemplate(template: string, vars: HlsTemplateVars): string {
  const ms = vars.time.getTime();
  const values: Record<string, string | number> = {
    vhost: vars.vhost,
    app: vars.app,
    stream: vars.stream,
    timestamp: vars.floorFragmentMs ? Math.floor(ms / vars.floorFragmentMs) : ms,
  };
  if (vars.seq !== undefined) values.seq = vars.seq;
  if (vars.durationMs !== undefined) values.duration = Math.round(vars.durationMs);
  // Unset variables ([seq] in a playlist name) stay as written, as SRS leaves them.
  return fillTemplate(template, values, vars.time);
}
