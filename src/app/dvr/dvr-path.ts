/**
 * Where a DVR file goes: dvr_path with SRS's variables ([vhost] [app] [stream] [timestamp] and
 * the Go-style time fields [2006] [01] [02] [15] [04] [05] [999]). As in SRS, a dvr_path that
 * does not end in .flv or .mp4 is a directory and gets "/[stream].[timestamp].flv"; the
 * extension decides the container.
 */
import { TsrsError } from '../../core/errors.js';
import { fillTemplate } from '../ffmpeg/template.js';

export interface StreamNames {
  vhost: string;
  app: string;
  stream: string;
}

export function dvrPathTemplate(dvrPath: string): string {
  return /\.(flv|mp4)$/i.test(dvrPath) ? dvrPath : `${dvrPath.replace(/\/+$/, '')}/[stream].[timestamp].flv`;
}

/** A client names app and stream; one that climbs out of the DVR directory is refused. */
function checkName(what: string, value: string): void {
  if (value.startsWith('/') || value.split(/[\\/]/).includes('..') || value.includes('\0')) {
    throw new TsrsError('Unknown', `dvr: ${what} "${value}" would leave the dvr_path directory`);
  }
}

export function renderDvrPath(dvrPath: string, names: StreamNames, now: Date): string {
  checkName('vhost', names.vhost);
  checkName('app', names.app);
  checkName('stream', names.stream);
  return fillTemplate(dvrPathTemplate(dvrPath), { vhost: names.vhost, app: names.app, stream: names.stream }, now);
}

/** dvr_apply: `all`, or a list of app/stream the DVR records. */
export function dvrApplies(apply: readonly string[], app: string, stream: string): boolean {
  return apply.some((entry) => entry === 'all' || entry === `${app}/${stream}`);
}
