/**
 * SRS's `exec` (SrsNgExec): each `publish` command of the vhost runs while the stream is
 * published, restarted if it exits (with back-off), killed at unpublish. Output goes where the
 * command line redirects it, else to `[ff_log_dir]/exec-[vhost]-[app]-[stream]-N.log`.
 */
import { join } from 'node:path';
import { resolveVhost, type ServerConfig } from '../../core/config/index.js';
import type { ClientEntry } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import { processOutputFactory, StreamProcessOutput, type ProcessOutputFactory, type ProcessOwner } from '../ffmpeg/stream-processes.js';
import { NULL_LOG, type ProcessSpec, type SuperviseOptions } from '../ffmpeg/supervised-process.js';
import { safeName } from '../ffmpeg/template.js';
import { buildExecCommand, type ExecVars } from './exec-command.js';

export interface ExecFactoryOptions {
  /** The server's clients: the publisher's request gives [tcUrl], [param], [port]... */
  clients?: ReadonlyMap<string, ClientEntry>;
  supervise?: Partial<SuperviseOptions>;
}

export class ExecOutput extends StreamProcessOutput {
  constructor(
    owner: ProcessOwner,
    private readonly getConfig: () => ServerConfig,
    private readonly clients: ReadonlyMap<string, ClientEntry> | undefined,
  ) {
    super(owner);
  }

  protected specsFor(source: LiveSource): ProcessSpec[] {
    const config = this.getConfig();
    const exec = resolveVhost(config, source.vhost)?.exec;
    if (!exec?.enabled || exec.publish.length === 0) return [];
    const vars = this.varsOf(source, config);
    const logDir = config.ff_log_dir;
    return exec.publish.map((line, i) => {
      const command = buildExecCommand(line, vars);
      const log = logDir === NULL_LOG ? NULL_LOG : join(logDir, `exec-${safeName(source.vhost)}-${safeName(source.app)}-${safeName(source.stream)}-${i}.log`);
      const stdout = command.stdoutFile ?? log;
      return {
        name: `exec ${source.url} #${i}`,
        bin: command.bin,
        args: command.args,
        stdoutFile: stdout,
        logFile: command.stderrToStdout ? stdout : (command.stderrFile ?? log),
      };
    });
  }

  private varsOf(source: LiveSource, config: ServerConfig): ExecVars {
    const client = source.publisher ? this.clients?.get(source.publisher.clientId)?.info : undefined;
    const request = client?.request;
    return {
      vhost: source.vhost,
      app: source.app,
      stream: source.stream,
      host: request?.host || '127.0.0.1',
      port: request?.port ?? config.listen[0]?.port ?? 1935,
      tcUrl: request?.tcUrl ?? '',
      swfUrl: client?.swfUrl ?? '',
      pageUrl: client?.pageUrl ?? '',
      param: request?.param ?? '',
    };
  }
}

export type ExecFactory = ProcessOutputFactory<ExecOutput>;

/** The factory the server registers with `sources.addOutputFactory`; closeAll() at quit. */
export function createExecFactory(getConfig: () => ServerConfig, options: ExecFactoryOptions = {}): ExecFactory {
  return processOutputFactory((owner) => new ExecOutput(owner, getConfig, options.clients), options.supervise);
}
