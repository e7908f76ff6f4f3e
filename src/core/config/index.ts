/** The config module's public face: parse, load, diff. */
export { configError, type ConfDirective, type ReadFile } from './directive.js';
export { parseConfigFile, parseConfigText, type ParseOptions } from './parser.js';
export type { Env } from './env.js';
export * from './model.js';
export { LOG_LEVELS, LOG_LEVELS_V2, type LogLevelV2 } from './model-server.js';
export { diffConfig, diffVhost, type ConfigDiff, type ListenService, type GlobalSetting, type VhostChange, type VhostSection } from './diff.js';
export { loadConfigFromFile, loadConfigFromText, type ConfigFileResult } from './load.js';
export { deepEqual } from './plain-data.js';
