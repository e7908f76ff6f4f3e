/**
 * SRS's transcode (SrsEncoder): when a stream is published, every enabled engine of the
 * vhost's `transcode` blocks whose scope matches (no name: every stream; `APP`; `APP/STREAM`)
 * runs FFmpeg pulling the stream from this server and publishing its `output` (with [vhost]
 * [port] [app] [stream] [engine] [param] substituted), until unpublish.
 *
 * A transcode's output is itself a published stream; transcoding it again would loop (s,
 * s_sd, s_sd_sd...). As in SRS, a stream that is the output of a running engine is never
 * transcoded. FFmpeg logs go to `[ff_log_dir]/ffmpeg-encoder-[vhost]-[app]-[stream]-[engine].log`.
 */
import { join } from 'node:path';
import { findVhost, resolveVhost, type ServerConfig, type TranscodeConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import { streamKey } from '../../kernel/stream-url.js';
import type { ClientEntry } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import { transcodeArgs } from '../ffmpeg/engine-args.js';
import { streamKeyOfUrl } from '../ffmpeg/rtmp-url.js';
import { processOutputFactory, StreamProcessOutput, type ProcessOutputFactory, type ProcessOwner } from '../ffmpeg/stream-processes.js';
import { NULL_LOG, type ProcessSpec, type SuperviseOptions } from '../ffmpeg/supervised-process.js';
import { fillTemplate, safeName } from '../ffmpeg/template.js';

export interface TranscodeFactoryOptions {
  /** The RTMP port FFmpeg pulls from and [port] means; defaults to the first `listen` port. */
  rtmpPort?: () => number;
  /** The server's clients: the publisher's query is [param]. */
  clients?: ReadonlyMap<string, ClientEntry>;
  supervise?: Partial<SuperviseOptions>;
}

/** The transcode blocks applying to app/stream, in SRS's order: vhost-wide, app, app/stream. */
export function transcodeScopes(transcodes: readonly TranscodeConfig[], app: string, stream: string): TranscodeConfig[] {
  return ['', app, `${app}/${stream}`].flatMap((scope) => transcodes.filter((t) => t.name === scope && t.enabled));
}

/** Streams that running engines publish; shared by every stream's output. */
class TranscodeOutputs {
  private readonly counts = new Map<string, number>();

  has(key: string): boolean {
    return this.counts.has(key);
  }

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  remove(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
}

/** A transcode engine's process, with the stream it publishes. */
interface EngineSpec extends ProcessSpec {
  publishes: string;
}

export class TranscodeOutput extends StreamProcessOutput {
  constructor(
    owner: ProcessOwner,
    private readonly getConfig: () => ServerConfig,
    private readonly rtmpPort: () => number,
    private readonly published: TranscodeOutputs,
    private readonly clients: ReadonlyMap<string, ClientEntry> | undefined,
  ) {
    super(owner);
  }

  protected specsFor(source: LiveSource): EngineSpec[] {
    const config = this.getConfig();
    const vhost = resolveVhost(config, source.vhost);
    if (!vhost) return [];
    if (this.published.has(streamKey(source.vhost, source.app, source.stream))) {
      log.trace(`transcode ${source.url}: is the output of a transcode, not transcoded again`);
      return [];
    }
    const knownVhost = (name: string) => findVhost(config, name)?.enabled === true;
    const port = this.rtmpPort();
    const input = `rtmp://127.0.0.1:${port}/${source.app}?vhost=${source.vhost}/${source.stream}`;
    const publisher = source.publisher ? this.clients?.get(source.publisher.clientId) : undefined;
    const param = publisher?.info.request?.param ?? '';
    const specs: EngineSpec[] = [];
    for (const transcode of transcodeScopes(vhost.transcodes, source.app, source.stream)) {
      for (const engine of transcode.engines) {
        if (!engine.enabled) continue;
        const vars = { vhost: source.vhost, port, app: source.app, stream: source.stream, engine: engine.name, param };
        const output = fillTemplate(engine.output, vars);
        const key = streamKeyOfUrl(output, knownVhost);
        if (!output || !key) {
          log.warn(`transcode ${source.url}: engine ${engine.name}: output "${engine.output}" is not an RTMP URL, skipped`);
          continue;
        }
        if (key === source.key) {
          log.warn(`transcode ${source.url}: engine ${engine.name} would publish its own input, skipped`);
          continue;
        }
        const logFile =
          config.ff_log_dir === NULL_LOG
            ? NULL_LOG
            : join(config.ff_log_dir, `ffmpeg-encoder-${[source.vhost, source.app, source.stream, engine.name].map(safeName).join('-')}.log`);
        specs.push({
          name: `transcode ${source.url} engine ${engine.name || '(unnamed)'}`,
          bin: transcode.ffmpeg,
          args: transcodeArgs(engine, { input, output, logLevel: config.ff_log_level }),
          logFile,
          publishes: key,
        });
      }
    }
    return specs;
  }

  protected override started(specs: readonly ProcessSpec[]): void {
    for (const spec of specs) this.published.add((spec as EngineSpec).publishes);
  }

  protected override stopped(specs: readonly ProcessSpec[]): void {
    for (const spec of specs) this.published.remove((spec as EngineSpec).publishes);
  }
}

export type TranscodeFactory = ProcessOutputFactory<TranscodeOutput>;

/** The factory the server registers with `sources.addOutputFactory`; closeAll() at quit. */
export function createTranscodeFactory(getConfig: () => ServerConfig, options: TranscodeFactoryOptions = {}): TranscodeFactory {
  const published = new TranscodeOutputs();
  const rtmpPort = options.rtmpPort ?? (() => getConfig().listen[0]?.port ?? 1935);
  return processOutputFactory((owner) => new TranscodeOutput(owner, getConfig, rtmpPort, published, options.clients), options.supervise);
}
