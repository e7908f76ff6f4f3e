/**
 * The whole server: builds the shared live context and every service from the config,
 * and carries out reload, graceful quit and fast quit.
 */
import { describeError } from '../core/errors.js';
import { diffConfig, effectiveLogLevel, findVhost, resolveVhost, type ServerConfig } from '../core/config/index.js';
import { log, resetLogTank, setLogLevel, setLogTank } from '../core/logger.js';
import { TSRS_SERVER } from '../core/version.js';
import type { LiveContext } from '../app/live/context.js';
import { DEFAULT_LIVE_OPTIONS, liveOptionsFromVhost, type LiveOptions } from '../app/live/options.js';
import { SourceRegistry } from '../app/live/source-registry.js';
import { RtmpService } from '../app/rtmp/service.js';
import { createHlsFactory } from '../app/hls/hls-factory.js';
import { HttpStreamServer } from '../app/http/server.js';
import { ApiServer } from '../app/api/api-server.js';
import { ClusterService } from '../app/cluster/cluster-service.js';
import { HttpHooks, subjectOfSource } from '../app/hooks/http-hooks.js';
import { subjectOfClient } from '../app/hooks/hook-bodies.js';
import { DvrService } from '../app/dvr/dvr-service.js';
import type { DvrFileInfo } from '../app/dvr/dvr-output.js';
import { createExecFactory } from '../app/exec/exec-output.js';
import { ProcessOutputService } from '../app/ffmpeg/stream-processes.js';
import { IngestService } from '../app/ingest/ingest-service.js';
import { createTranscodeFactory } from '../app/transcode/transcode-output.js';
import type { HlsSegmentInfo } from '../app/hls/options.js';
import { ExporterServer } from '../app/metrics/exporter-server.js';
import { createGuards } from '../app/security/guards.js';
import { Heartbeat } from '../app/stats/heartbeat.js';
import { createServerIdentity } from '../app/stats/identity.js';
import { StatsRegistry } from '../app/stats/stats-registry.js';
import type { Service } from '../app/service.js';
import { readConfigFile } from './config-file.js';
import { LogFileTank } from './log-file-tank.js';
import { removePidFile, writePidFile } from './pid-file.js';

/** How long a source with no publisher and no players lives on (its gop cache, stats). */
const SOURCE_IDLE_GRACE_MS = 10_000;

export class TsrsServer {
  private config: ServerConfig;
  private readonly ctx: LiveContext;
  private readonly services: Service[] = [];
  private readonly stats: StatsRegistry;
  private readonly hooks: HttpHooks;
  private logFile: LogFileTank | undefined;
  private quitting = false;

  constructor(
    private readonly configPath: string,
    initial: ServerConfig,
  ) {
    this.config = initial;
    const sources = new SourceRegistry((vhost) => this.liveOptions(vhost), SOURCE_IDLE_GRACE_MS);
    this.ctx = {
      sources,
      liveOptions: (vhost) => this.liveOptions(vhost),
      knownVhost: (name) => findVhost(this.config, name)?.enabled === true,
      guards: {},
      clients: new Map(),
    };
    const getConfig = () => this.config;
    const identity = createServerIdentity(initial.server_id);
    this.stats = new StatsRegistry({ ctx: this.ctx, getConfig, identity });
    this.hooks = new HttpHooks({ getConfig, identity, streamIdFor: (v, a, s) => this.stats.streamIdFor(v, a, s) });
    this.ctx.guards = createGuards({ getConfig, hooks: this.hooks, stats: this.stats });
    this.ctx.onConnectionRefused = () => this.stats.onConnectionRefused();
    // Order matters: quit closes services in reverse, so ingest stops first and DVR, closing
    // last among the stream outputs, finishes its files after every publisher has gone.
    const rtmp = new RtmpService(this.ctx);
    const rtmpPort = () => rtmp.server.ports[0] ?? this.config.listen[0]?.port ?? 1935;
    const processOptions = { clients: this.ctx.clients };
    this.services.push(
      new DvrService(sources, getConfig, (info) => this.onDvrFile(info), processOptions),
      new ProcessOutputService('exec', sources, createExecFactory(getConfig, processOptions)),
      new ProcessOutputService('transcode', sources, createTranscodeFactory(getConfig, { ...processOptions, rtmpPort })),
      rtmp,
      new HttpStreamServer(this.ctx, getConfig),
      new ApiServer({ ctx: this.ctx, stats: this.stats, requestReload: () => this.reload().then(() => undefined) }),
      new ExporterServer(this.stats),
      new Heartbeat(this.stats),
      new IngestService({ rtmpPort }),
    );
    // Edge, origin cluster (ctx.cluster) and forward (an output on every source).
    const cluster = new ClusterService({ ctx: this.ctx, getConfig, serverId: identity.serverId });
    cluster.install();
    this.services.push(cluster);
    sources.addOutputFactory(createHlsFactory(getConfig, (info) => this.onHlsSegment(info)));
  }

  private onDvrFile(info: DvrFileInfo): void {
    const subject = info.client
      ? subjectOfClient(info.client)
      : { clientId: info.clientId ?? '', ip: '', vhost: info.vhost, app: info.app, stream: info.stream, param: '', tcUrl: '', pageUrl: '' };
    void this.hooks.onDvr({ ...subject, cwd: info.cwd, file: info.file });
  }

  private onHlsSegment(info: HlsSegmentInfo): void {
    const source = this.ctx.sources.find(info.vhost, info.app, info.stream);
    if (!source) return;
    const subject = subjectOfSource(this.ctx, source);
    void this.hooks.onHls({ ...subject, duration: info.duration, cwd: process.cwd(), file: info.file, url: info.url, m3u8: info.m3u8, m3u8Url: info.m3u8Url, seqNo: info.seqNo });
    const nbNotify = resolveVhost(this.config, info.vhost)?.hls.hls_nb_notify ?? 64;
    void this.hooks.onHlsNotify({ ...subject, tsUrl: info.tsUrl, nbNotify });
  }

  get currentConfig(): ServerConfig {
    return this.config;
  }

  get context(): LiveContext {
    return this.ctx;
  }

  private liveOptions(vhost: string): LiveOptions {
    const found = resolveVhost(this.config, vhost);
    return found ? liveOptionsFromVhost(found) : DEFAULT_LIVE_OPTIONS;
  }

  async start(): Promise<void> {
    this.applyLogging(this.config);
    writePidFile(this.config.pid);
    log.trace(`${TSRS_SERVER} starting, pid=${process.pid}, config ${this.configPath}`);
    for (const service of this.services) await service.start(this.config);
    log.trace(`${TSRS_SERVER} ready`);
  }

  private applyLogging(config: ServerConfig): void {
    setLogLevel(effectiveLogLevel(config));
    if (config.srs_log_tank === 'file') {
      this.logFile?.close();
      this.logFile = new LogFileTank(config.srs_log_file);
      setLogTank(this.logFile);
    } else {
      this.logFile?.close();
      this.logFile = undefined;
      resetLogTank();
    }
  }

  /** SIGHUP: re-read the config; a broken file keeps the running config. */
  async reload(): Promise<boolean> {
    let next: ServerConfig;
    try {
      const loaded = readConfigFile(this.configPath);
      for (const warning of loaded.warnings) log.warn(`config: ${warning}`);
      next = loaded.config;
    } catch (err) {
      log.error(`reload: keeping the running config, ${this.configPath} is invalid: ${describeError(err)}`);
      return false;
    }
    const diff = diffConfig(this.config, next);
    if (diff.equal) {
      log.trace('reload: config unchanged');
      return true;
    }
    this.config = next;
    if (diff.log) this.applyLogging(next);
    for (const change of [...diff.vhosts.changed.map((c) => c.name), ...diff.vhosts.added]) this.ctx.sources.updateOptions(change);
    for (const service of this.services) {
      try {
        await service.reload(next, diff);
      } catch (err) {
        log.error(`reload: service ${service.name} failed to apply: ${describeError(err)}`);
      }
    }
    log.trace(`reload: applied (listen ${diff.listen.join(',') || 'same'}, vhosts +${diff.vhosts.added.length} -${diff.vhosts.removed.length} ~${diff.vhosts.changed.length})`);
    return true;
  }

  /** SIGUSR1 (logrotate). */
  reopenLog(): void {
    this.logFile?.reopen();
    log.trace('log file reopened');
  }

  /** SIGTERM: stop accepting, give clients grace_final_wait, then close files and quit. */
  async gracefulQuit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    log.trace(`graceful quit: stop accepting, wait ${this.config.grace_final_wait} ms`);
    await Promise.all(this.services.map((s) => s.stopAccepting().catch(() => undefined)));
    await new Promise((resolve) => setTimeout(resolve, this.config.grace_final_wait));
    await this.close();
  }

  /** SIGINT, or the end of a graceful quit. */
  async close(): Promise<void> {
    for (const service of [...this.services].reverse()) {
      await service.close().catch((err) => log.error(`quit: ${service.name}: ${describeError(err)}`));
    }
    await this.ctx.sources.close();
    this.stats.close();
    removePidFile(this.config.pid);
    log.trace('quit');
    this.logFile?.close();
  }
}
