/**
 * What a reload changes: the server layer restarts only the listeners whose endpoints moved,
 * re-applies only the vhost sections that differ, and reopens the log when its settings did,
 * so unrelated clients keep streaming through a SIGHUP.
 */
import { deepEqual } from './plain-data.js';
import type { ServerConfig, VhostConfig } from './model.js';

export type ListenService = 'rtmp' | 'http_api' | 'http_server' | 'rtc' | 'srt' | 'stream_casters' | 'exporter';
export type GlobalSetting = Exclude<keyof ServerConfig, 'vhosts'>;
export type VhostSection = Exclude<keyof VhostConfig, 'name'>;

export interface VhostChange {
  readonly name: string;
  /** The vhost's settings that differ: sections (hls, dvr, play...) and scalars (chunk_size...). */
  readonly sections: readonly VhostSection[];
}

export interface ConfigDiff {
  /** Nothing at all changed. */
  readonly equal: boolean;
  /** Services whose listening endpoints (or enabled state, which opens or closes them) changed. */
  readonly listen: readonly ListenService[];
  /** Any of the log settings changed (tank, level, file, ffmpeg log). */
  readonly log: boolean;
  /** Every top-level setting that changed, by directive name (http_api, heartbeat, max_connections...). */
  readonly globals: readonly GlobalSetting[];
  readonly vhosts: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly VhostChange[];
  };
}

const LOG_SETTINGS: readonly GlobalSetting[] = ['srs_log_tank', 'srs_log_level', 'srs_log_level_v2', 'srs_log_file', 'ff_log_dir', 'ff_log_level'];

/** The part of the config that decides what a service listens on. */
const listenPart: Record<ListenService, (c: ServerConfig) => unknown> = {
  rtmp: (c) => c.listen,
  http_api: (c) => [c.http_api.enabled, c.http_api.listen, c.http_api.https.enabled, c.http_api.https.listen],
  http_server: (c) => [c.http_server.enabled, c.http_server.listen, c.http_server.https.enabled, c.http_server.https.listen],
  rtc: (c) => [c.rtc_server.enabled, c.rtc_server.listen, c.rtc_server.protocol, c.rtc_server.tcp],
  srt: (c) => [c.srt_server.enabled, c.srt_server.listen],
  stream_casters: (c) => c.stream_casters.map((s) => [s.enabled, s.caster, s.listen, s.sip.enabled, s.sip.listen]),
  exporter: (c) => [c.exporter.enabled, c.exporter.listen],
};

export function diffVhost(old: VhostConfig, next: VhostConfig): VhostSection[] {
  const keys = Object.keys(next).filter((k) => k !== 'name') as VhostSection[];
  return keys.filter((key) => !deepEqual(old[key], next[key]));
}

export function diffConfig(old: ServerConfig, next: ServerConfig): ConfigDiff {
  const listen = (Object.keys(listenPart) as ListenService[]).filter((s) => !deepEqual(listenPart[s](old), listenPart[s](next)));
  const globals = (Object.keys(next) as (keyof ServerConfig)[]).filter(
    (key): key is GlobalSetting => key !== 'vhosts' && !deepEqual(old[key], next[key]),
  );
  const oldNames = new Set(old.vhosts.map((v) => v.name));
  const nextNames = new Set(next.vhosts.map((v) => v.name));
  const added = next.vhosts.filter((v) => !oldNames.has(v.name)).map((v) => v.name);
  const removed = old.vhosts.filter((v) => !nextNames.has(v.name)).map((v) => v.name);
  const changed: VhostChange[] = [];
  for (const vhost of next.vhosts) {
    const before = old.vhosts.find((v) => v.name === vhost.name);
    if (!before) continue;
    const sections = diffVhost(before, vhost);
    if (sections.length > 0) changed.push({ name: vhost.name, sections });
  }
  return {
    equal: globals.length === 0 && added.length === 0 && removed.length === 0 && changed.length === 0,
    listen,
    log: LOG_SETTINGS.some((key) => globals.includes(key)),
    globals,
    vhosts: { added, removed, changed },
  };
}
