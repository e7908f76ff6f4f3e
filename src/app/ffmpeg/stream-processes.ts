/**
 * Processes that live with a publish (exec commands, transcode engines): a SourceOutput that
 * starts its commands when the stream is published and stops them at unpublish, the factory the
 * server registers with `sources.addOutputFactory`, and a Service wrapper for the server's
 * lifecycle: a reload restarts the commands of streams whose command lines changed (as SRS
 * reloads exec and transcode), quit stops every one. Subclasses only say what to run.
 */
import { deepEqual, type ConfigDiff, type ServerConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import type { SourceRegistry } from '../live/source-registry.js';
import type { Service } from '../service.js';
import { SupervisedProcess, type ProcessSpec, type SuperviseOptions } from './supervised-process.js';

export interface ProcessOwner {
  /** Keeps a stop in flight, for closeAll. */
  track(stopping: Promise<void>): void;
  forget(output: StreamProcessOutput): void;
  supervise: Partial<SuperviseOptions>;
}

export abstract class StreamProcessOutput implements SourceOutput {
  private running: SupervisedProcess[] = [];
  private specs: ProcessSpec[] = [];
  private source: LiveSource | undefined;
  private decided = false;
  private closed = false;

  constructor(protected readonly owner: ProcessOwner) {}

  /** The processes of the current publish. */
  get processes(): readonly SupervisedProcess[] {
    return this.running;
  }

  /** What to run for this publish under the current config (nothing, when it says so). No side effects. */
  protected abstract specsFor(source: LiveSource): ProcessSpec[];

  /** The processes of a publish were started / told to stop. */
  protected started(_specs: readonly ProcessSpec[]): void {}
  protected stopped(_specs: readonly ProcessSpec[]): void {}

  onPublish(source: LiveSource): void {
    if (this.closed) return;
    this.decided = true;
    this.source = source;
    this.launch(this.specsFor(source));
  }

  /** A frame only matters to start commands for a stream that was publishing already. */
  wantsFrames(): boolean {
    return !this.decided && !this.closed;
  }

  onPacket(_packet: MediaPacket, source: LiveSource): void {
    // Attached while the stream was already publishing: start now.
    if (!this.decided && !this.closed && source.isPublishing) this.onPublish(source);
  }

  onUnpublish(): void {
    this.decided = false;
    this.halt();
  }

  /** The commands never keep a source alive. */
  isActive(): boolean {
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.halt();
    this.owner.forget(this);
  }

  /** After a reload: restart the commands when what should run changed. */
  reconfigure(): void {
    const source = this.source;
    if (this.closed || !this.decided || !source?.isPublishing) return;
    const next = this.specsFor(source);
    if (deepEqual(next, this.specs)) return;
    log.trace(`${source.url}: commands changed by reload, restarting them`);
    this.halt();
    this.launch(next);
  }

  private launch(specs: ProcessSpec[]): void {
    this.specs = specs;
    if (specs.length === 0) return;
    for (const spec of specs) {
      const process = new SupervisedProcess(spec, this.owner.supervise);
      this.running.push(process);
      process.start();
    }
    this.started(specs);
  }

  private halt(): void {
    const processes = this.running;
    const specs = this.specs;
    this.running = [];
    this.specs = [];
    if (processes.length === 0) return;
    this.stopped(specs);
    const all = Promise.all(processes.map((p) => p.stop())).then(() => undefined);
    this.owner.track(all);
  }
}

export interface ProcessOutputFactory<T extends StreamProcessOutput> {
  (source: LiveSource): void;
  readonly outputs: ReadonlySet<T>;
  /** Resolves once every stop in flight is done. */
  idle(): Promise<void>;
  /** Re-reads the config for every publishing stream (reload). */
  reconfigureAll(): void;
  /** Stops every process of every stream (server quit). */
  closeAll(): Promise<void>;
}

export function processOutputFactory<T extends StreamProcessOutput>(
  make: (owner: ProcessOwner) => T,
  supervise: Partial<SuperviseOptions> = {},
): ProcessOutputFactory<T> {
  const outputs = new Set<T>();
  const pending = new Set<Promise<void>>();
  const owner: ProcessOwner = {
    supervise,
    track(stopping) {
      pending.add(stopping);
      void stopping.finally(() => pending.delete(stopping));
    },
    forget: (output) => outputs.delete(output as T),
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  const attach = (source: LiveSource) => {
    const output = make(owner);
    outputs.add(output);
    source.addOutput(output);
  };
  return Object.assign(attach, {
    outputs,
    idle,
    reconfigureAll() {
      for (const output of outputs) output.reconfigure();
    },
    async closeAll() {
      for (const output of [...outputs]) output.close();
      await idle();
    },
  });
}

/** A process output factory as a server service: registered on construction, reload and quit wired. */
export class ProcessOutputService<T extends StreamProcessOutput> implements Service {
  constructor(
    readonly name: string,
    sources: SourceRegistry,
    readonly factory: ProcessOutputFactory<T>,
  ) {
    sources.addOutputFactory(factory);
  }

  async start(): Promise<void> {}

  async reload(_config: ServerConfig, diff: ConfigDiff): Promise<void> {
    if (!diff.equal) this.factory.reconfigureAll();
  }

  async stopAccepting(): Promise<void> {}

  close(): Promise<void> {
    return this.factory.closeAll();
  }
}
