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
    this.services.push(new RtmpService(this.ctx));
    this.services.push(new HttpStreamServer(this.ctx, () => this.config));
    sources.addOutputFactory(createHlsFactory(() => this.config));
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
    removePidFile(this.config.pid);
    log.trace('quit');
    this.logFile?.close();
  }
}
