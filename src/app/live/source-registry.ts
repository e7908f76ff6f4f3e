/**
 * Owns every live source: creates one on first publish or play, and frees it (with its
 * outputs, gop cache and stats) once it has been idle for a grace period. The explicit
 * owner is what lets a server that sees millions of short streams keep a flat heap.
 */
import { log } from '../../core/logger.js';
import { streamKey } from '../../kernel/stream-url.js';
import { LiveSource } from './source.js';
import type { LiveOptions } from './options.js';

export class SourceRegistry {
  private readonly sources = new Map<string, LiveSource>();
  /** Services that keep a per-stream output on every source (the RTMP fan-out and its gop cache). */
  private readonly outputFactories: ((source: LiveSource) => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly optionsFor: (vhost: string) => LiveOptions,
    private readonly idleGraceMs = 10_000,
    sweepIntervalMs = Math.max(50, Math.min(idleGraceMs, 1000)),
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sources.size;
  }

  find(vhost: string, app: string, stream: string): LiveSource | undefined {
    return this.sources.get(streamKey(vhost, app, stream));
  }

  fetchOrCreate(vhost: string, app: string, stream: string): LiveSource {
    const key = streamKey(vhost, app, stream);
    let source = this.sources.get(key);
    if (!source) {
      source = new LiveSource(key, vhost, app, stream, this.optionsFor(vhost));
      this.sources.set(key, source);
      for (const attach of this.outputFactories) attach(source);
    }
    source.lastActiveAt = Date.now();
    return source;
  }

  /** Every source, existing and future, gets this output (the gop cache must fill from the publish on). */
  addOutputFactory(attach: (source: LiveSource) => void): void {
    this.outputFactories.push(attach);
    for (const source of this.sources.values()) attach(source);
  }

  all(): IterableIterator<LiveSource> {
    return this.sources.values();
  }

  /** Frees sources idle for longer than the grace period. */
  sweep(now = Date.now()): void {
    for (const [key, source] of this.sources) {
      if (!source.isIdle()) {
        source.lastActiveAt = now;
        continue;
      }
      if (now - source.lastActiveAt >= this.idleGraceMs) {
        void source.dispose();
        this.sources.delete(key);
        log.info(`source ${source.url}: freed after ${now - source.lastActiveAt} ms idle`);
      }
    }
  }

  /** Applies reloaded vhost options to the sources of that vhost. */
  updateOptions(vhost: string): void {
    for (const source of this.sources.values()) if (source.vhost === vhost) source.options = this.optionsFor(vhost);
  }

  /** Frees every source; resolves when their files (HLS, DVR) are complete. */
  close(): Promise<void> {
    clearInterval(this.sweeper);
    const disposing = [...this.sources.values()].map((source) => source.dispose());
    this.sources.clear();
    return Promise.all(disposing).then(() => undefined);
  }
}
