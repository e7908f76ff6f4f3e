/**
 * What SRS's ingester runs for a config (SrsIngester): one FFmpeg per engine of every enabled
 * `ingest` of every enabled vhost, reading the input and publishing the engine's `output`
 * ([vhost] [port] [engine] and time fields substituted). A file input is read in real time
 * (`-re`); when it ends FFmpeg exits and is started again, which loops the file as in SRS. A
 * disabled engine means a plain copy (SRS's initialize_copy); an ingest without engines has no
 * output and is skipped with a warning.
 */
import { join } from 'node:path';
import { findVhost, type IngestConfig, type ServerConfig, type VhostConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import { copyArgs, transcodeArgs } from '../ffmpeg/engine-args.js';
import { streamOfUrl } from '../ffmpeg/rtmp-url.js';
import { NULL_LOG, type ProcessSpec } from '../ffmpeg/supervised-process.js';
import { fillTemplate, safeName } from '../ffmpeg/template.js';

export interface IngestJob {
  /** Stable identity across reloads: vhost, ingest name, engine. */
  id: string;
  spec: ProcessSpec;
}

export function planIngests(config: ServerConfig, rtmpPort: number): IngestJob[] {
  const jobs: IngestJob[] = [];
  for (const vhost of config.vhosts) {
    if (!vhost.enabled) continue;
    for (const ingest of vhost.ingests) {
      if (!ingest.enabled) continue;
      if (!ingest.input.url) {
        log.warn(`ingest ${vhost.name}/${ingest.name}: no input url, skipped`);
        continue;
      }
      if (ingest.engines.length === 0) {
        log.warn(`ingest ${vhost.name}/${ingest.name}: no engine, so no output; skipped`);
        continue;
      }
      ingest.engines.forEach((engine, index) => {
        const job = planEngine(config, vhost, ingest, engine, index, rtmpPort);
        if (job) jobs.push(job);
      });
    }
  }
  return jobs;
}

function planEngine(
  config: ServerConfig,
  vhost: VhostConfig,
  ingest: IngestConfig,
  engine: IngestConfig['engines'][number],
  index: number,
  port: number,
): IngestJob | undefined {
  const label = `ingest ${vhost.name}/${ingest.name} engine ${engine.name || index}`;
  const output = fillTemplate(engine.output, { vhost: vhost.name, port, engine: engine.name });
  const target = streamOfUrl(output, (name) => findVhost(config, name)?.enabled === true);
  if (!target) {
    log.warn(`${label}: output "${engine.output}" is not an RTMP URL, skipped`);
    return undefined;
  }
  const input = ingest.input.url;
  const inputParams = ingest.input.type === 'file' ? ['-re'] : [];
  const run = { input, output, inputParams, logLevel: config.ff_log_level };
  const args = engine.enabled ? transcodeArgs(engine, run) : copyArgs(run);
  const logFile =
    config.ff_log_dir === NULL_LOG
      ? NULL_LOG
      : join(config.ff_log_dir, `ffmpeg-ingest-${[vhost.name, ingest.name, target.app, target.stream].map(safeName).join('-')}.log`);
  return {
    id: `${vhost.name}/${ingest.name}/${engine.name || `#${index}`}`,
    spec: { name: label, bin: ingest.ffmpeg, args, logFile },
  };
}
