/**
 * The typed config: SRS 6 defaults for every directive tsrs knows, values validated, unknown
 * directives reported as `FILE:LINE: unknown directive "x" in vhost.play` warnings. Property
 * names are the SRS directive names and values keep SRS units (noted on each schema field:
 * mw_latency ms, queue_length seconds, hls_fragment seconds...), so the conf, the docs and the
 * code say the same thing. Lists of blocks are plural: vhosts, stream_casters, ingests,
 * transcodes, engines. Everything is plain readonly data, comparable with a deep equal.
 */
import type { LogLevel } from '../logger.js';
import type { ConfDirective } from './directive.js';
import { modernizeLegacyDirectives } from './legacy.js';
import { deepFreeze } from './plain-data.js';
import { serverSchema } from './model-server.js';
import { DEFAULT_VHOST } from './model-vhost.js';
import { at } from './directive.js';
import { loadBlock, type ConfWarning, type Loaded } from './schema.js';

export type ServerConfig = Loaded<typeof serverSchema>;
export type VhostConfig = ServerConfig['vhosts'][number];
export type HttpApiConfig = ServerConfig['http_api'];
export type HttpServerConfig = ServerConfig['http_server'];
export type RtcServerConfig = ServerConfig['rtc_server'];
export type SrtServerConfig = ServerConfig['srt_server'];
export type StreamCasterConfig = ServerConfig['stream_casters'][number];
export type HlsConfig = VhostConfig['hls'];
export type DvrConfig = VhostConfig['dvr'];
export type PlayConfig = VhostConfig['play'];
export type PublishConfig = VhostConfig['publish'];
export type HttpHooksConfig = VhostConfig['http_hooks'];
export type HttpRemuxConfig = VhostConfig['http_remux'];
export type ClusterConfig = VhostConfig['cluster'];
export type ForwardConfig = VhostConfig['forward'];
export type IngestConfig = VhostConfig['ingests'][number];
export type TranscodeConfig = VhostConfig['transcodes'][number];
export type EngineConfig = TranscodeConfig['engines'][number];
export type { SecurityConfig, SecurityRule } from './model-vhost-access.js';
export type { Endpoint } from './values.js';
export type { Param } from './fields-block.js';
export { DEFAULT_VHOST };

export interface LoadedConfig {
  readonly config: ServerConfig;
  readonly warnings: string[];
}

/** Builds the typed config from a parsed tree; throws TsrsError('ConfigInvalid') on a bad value. */
export function loadConfig(root: readonly ConfDirective[]): LoadedConfig {
  const tree = modernizeLegacyDirectives(root);
  const found: ConfWarning[] = [];
  const config = deepFreeze(loadBlock(serverSchema, tree, { warnings: found, path: '', root: tree }));
  return { config, warnings: inFileOrder(found, tree).map((w) => `${at(w.file, w.line)}: ${w.message}`) };
}

/** Warnings are found section by section; a reader wants them in the order the files say them. */
function inFileOrder(warnings: ConfWarning[], tree: readonly ConfDirective[]): ConfWarning[] {
  const fileRank = new Map<string, number>();
  const visit = (ds: readonly ConfDirective[]): void => {
    for (const d of ds) {
      if (!fileRank.has(d.file)) fileRank.set(d.file, fileRank.size);
      visit(d.children);
    }
  };
  visit(tree);
  const rank = (w: ConfWarning) => fileRank.get(w.file) ?? fileRank.size;
  return [...warnings].sort((a, b) => rank(a) - rank(b) || a.line - b.line);
}

/** The vhost block for a name (exact match, as SRS), else undefined. */
export function findVhost(config: ServerConfig, name: string): VhostConfig | undefined {
  return config.vhosts.find((v) => v.name === name);
}

/** The vhost a stream lands in: its own block when enabled, else __defaultVhost__ (SRS fallback). */
export function resolveVhost(config: ServerConfig, name: string): VhostConfig | undefined {
  const vhost = findVhost(config, name) ?? findVhost(config, DEFAULT_VHOST);
  return vhost?.enabled ? vhost : undefined;
}

const V2_TO_LEVEL: Record<string, LogLevel> = { trace: 'verbose', debug: 'info', info: 'trace', warn: 'warn', error: 'error' };

/** srs_log_level_v2 when set, else srs_log_level, as the logger's level names. */
export function effectiveLogLevel(config: ServerConfig): LogLevel {
  return config.srs_log_level_v2 ? V2_TO_LEVEL[config.srs_log_level_v2]! : config.srs_log_level;
}
