/**
 * SRS's variables in configured paths and command lines: [vhost] [app] [stream] [seq]...
 * as the caller gives them, plus the time fields srs_path_build_timestamp knows:
 * [timestamp] (ms since the epoch) and Go-style local time [2006] [01] [02] [15] [04] [05]
 * [999]. Unknown variables stay as written, as in SRS. Used by HLS, DVR, exec, ingest and
 * transcode alike.
 */

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export function timeVariables(t: Date): Record<string, string> {
  return {
    timestamp: String(t.getTime()),
    '2006': pad(t.getFullYear(), 4),
    '01': pad(t.getMonth() + 1, 2),
    '02': pad(t.getDate(), 2),
    '15': pad(t.getHours(), 2),
    '04': pad(t.getMinutes(), 2),
    '05': pad(t.getSeconds(), 2),
    '999': pad(t.getMilliseconds(), 3),
  };
}

export function fillTemplate(template: string, vars: Readonly<Record<string, string | number>>, now = new Date()): string {
  const all: Record<string, string | number> = { ...timeVariables(now), ...vars };
  return template.replace(/\[([A-Za-z0-9_]+)\]/g, (whole, name: string) => {
    const value = all[name];
    return value === undefined ? whole : String(value);
  });
}
