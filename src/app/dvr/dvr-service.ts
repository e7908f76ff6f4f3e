/**
 * DVR wired into a server: `createDvrFactory` gives the per-source factory the server registers
 * with `sources.addOutputFactory`; `DvrService` does that registration itself and gives the
 * server's lifecycle what DVR needs: a reload re-applies the dvr section to streams being
 * recorded, and close() completes every open file (graceful quit finishes recordings).
 */
import { resolveVhost, type ConfigDiff, type DvrConfig, type ServerConfig } from '../../core/config/index.js';
import type { ClientEntry, ClientInfo } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import type { SourceRegistry } from '../live/source-registry.js';
import type { Service } from '../service.js';
import { dvrApplies } from './dvr-path.js';
import { DvrOutput, type DvrHost, type OnDvr } from './dvr-output.js';

export interface DvrFactory {
  /** Attaches a DvrOutput to a source (what addOutputFactory calls). */
  (source: LiveSource): void;
  /** Every DvrOutput attached and not yet closed. */
  readonly outputs: ReadonlySet<DvrOutput>;
  /** Resolves once every file completed so far is on disk and announced. */
  idle(): Promise<void>;
  /** Completes every open file (server quit); resolves when they are renamed and announced. */
  closeAll(): Promise<void>;
}

export interface DvrFactoryOptions {
  /** The server's clients, to give on_dvr the publisher's request (tcUrl, param, ip). */
  clients?: ReadonlyMap<string, ClientEntry>;
}

/** The dvr section recording this stream under `config`, or undefined. */
export function dvrConfigFor(config: ServerConfig, source: Pick<LiveSource, 'vhost' | 'app' | 'stream'>): DvrConfig | undefined {
  const vhost = resolveVhost(config, source.vhost);
  const dvr = vhost?.dvr;
  if (!dvr?.enabled || !dvrApplies(dvr.dvr_apply, source.app, source.stream)) return undefined;
  return dvr;
}

export function createDvrFactory(getConfig: () => ServerConfig, onDvr: OnDvr, options: DvrFactoryOptions = {}): DvrFactory {
  const outputs = new Set<DvrOutput>();
  const pending = new Set<Promise<unknown>>();
  const host: DvrHost = {
    dvrFor: (source) => dvrConfigFor(getConfig(), source),
    clientOf: (id): ClientInfo | undefined => options.clients?.get(id)?.info,
    onDvr,
    track(done) {
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
    forget: (output) => outputs.delete(output),
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  const attach = (source: LiveSource) => {
    const output = new DvrOutput(host);
    outputs.add(output);
    source.addOutput(output);
  };
  return Object.assign(attach, {
    outputs,
    idle,
    async closeAll() {
      for (const output of [...outputs]) output.close();
      await idle();
    },
  });
}

export class DvrService implements Service {
  readonly name = 'dvr';
  readonly factory: DvrFactory;
  private sources: SourceRegistry;

  constructor(sources: SourceRegistry, getConfig: () => ServerConfig, onDvr: OnDvr, options: DvrFactoryOptions = {}) {
    this.sources = sources;
    this.factory = createDvrFactory(getConfig, onDvr, options);
    sources.addOutputFactory(this.factory);
  }

  async start(): Promise<void> {}

  /** Streams whose dvr section changed (or whose vhost came or went) restart their recording. */
  async reload(_config: ServerConfig, diff: ConfigDiff): Promise<void> {
    if (diff.vhosts.added.length + diff.vhosts.removed.length + diff.vhosts.changed.length === 0) return;
    for (const source of this.sources.all()) source.findOutput(DvrOutput)?.reconfigure(source);
  }

  async stopAccepting(): Promise<void> {}

  close(): Promise<void> {
    return this.factory.closeAll();
  }
}
