/**
 * SRS's path variables for hls_m3u8_file, hls_ts_file and hls_key_file: [vhost] [app]
 * [stream], [seq], [duration] (ms), [timestamp] (ms since the epoch) and Go-style local time
 * fields [2006] [01] [02] [15] [04] [05] [999].
 */

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

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export function renderHlsTemplate(template: string, vars: HlsTemplateVars): string {
  const t = vars.time;
  const ms = t.getTime();
  const timestamp = vars.floorFragmentMs ? Math.floor(ms / vars.floorFragmentMs) : ms;
  const values: Record<string, string | undefined> = {
    vhost: vars.vhost,
    app: vars.app,
    stream: vars.stream,
    seq: vars.seq === undefined ? undefined : String(vars.seq),
    duration: vars.durationMs === undefined ? undefined : String(Math.round(vars.durationMs)),
    timestamp: String(timestamp),
    '2006': pad(t.getFullYear(), 4),
    '01': pad(t.getMonth() + 1, 2),
    '02': pad(t.getDate(), 2),
    '15': pad(t.getHours(), 2),
    '04': pad(t.getMinutes(), 2),
    '05': pad(t.getSeconds(), 2),
    '999': pad(t.getMilliseconds(), 3),
  };
  // Unknown or unset variables stay as written, as SRS leaves them.
  return template.replace(/\[([a-z0-9]+)\]/g, (whole, name: string) => values[name] ?? whole);
}
