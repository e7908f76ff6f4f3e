/**
 * The ingesters as a server service: started with the server, re-planned on every reload
 * (an ingest removed, disabled or changed is stopped; a new or changed one is started;
 * untouched ones keep running), all stopped at quit.
 */
import type { ConfigDiff, ServerConfig } from '../../core/config/index.js';
import { deepEqual } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import type { Service } from '../service.js';
import { SupervisedProcess, type SuperviseOptions } from '../ffmpeg/supervised-process.js';
import { planIngests } from './ingest-plan.js';

export interface IngestServiceOptions {
  /** The RTMP port [port] means; defaults to the first `listen` port of the config. */
  rtmpPort?: () => number;
  supervise?: Partial<SuperviseOptions>;
}

export class IngestService implements Service {
  readonly name = 'ingest';
  private readonly running = new Map<string, SupervisedProcess>();

  constructor(private readonly options: IngestServiceOptions = {}) {}

  /** The ingesters by id (vhost/ingest/engine), for tests and the API. */
  get ingesters(): ReadonlyMap<string, SupervisedProcess> {
    return this.running;
  }

  async start(config: ServerConfig): Promise<void> {
    await this.apply(config);
  }

  async reload(config: ServerConfig, _diff: ConfigDiff): Promise<void> {
    await this.apply(config);
  }

  /** Ingesters publish into this server; they stay until close() so their streams end cleanly. */
  async stopAccepting(): Promise<void> {}

  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((p) => p.stop()));
  }

  private async apply(config: ServerConfig): Promise<void> {
    const port = this.options.rtmpPort?.() ?? config.listen[0]?.port ?? 1935;
    const wanted = new Map(planIngests(config, port).map((job) => [job.id, job.spec]));
    const stopping: Promise<void>[] = [];
    for (const [id, process] of this.running) {
      const spec = wanted.get(id);
      if (spec && deepEqual(spec, process.spec)) continue;
      log.trace(`ingest ${id}: ${spec ? 'changed' : 'removed'}, stopping`);
      this.running.delete(id);
      stopping.push(process.stop());
    }
    await Promise.all(stopping);
    for (const [id, spec] of wanted) {
      if (this.running.has(id)) continue;
      const process = new SupervisedProcess(spec, this.options.supervise);
      this.running.set(id, process);
      process.start();
    }
  }
}
