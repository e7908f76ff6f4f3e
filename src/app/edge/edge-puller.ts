/**
 * An edge's one upstream for one stream, however many players watch it: it plays the stream
 * from an origin and publishes it into the local source, where the usual fan-out serves
 * every player. It moves to the next origin when one fails (a doubling delay once every
 * origin failed in a row), and it ends a short while after the last player left.
 */
import type { ClusterConfig } from '../../core/config/index.js';
import { describeError } from '../../core/errors.js';
import { log, newContextId } from '../../core/logger.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import { mediaFromFlv } from '../live/media-from-flv.js';
import type { LiveSource, SourcePublisher } from '../live/source.js';
import { Backoff, CancellableDelay, type BackoffOptions } from '../forward/backoff.js';
import { streamWithQuery } from '../forward/upstream-url.js';
import { openFlvUpstream } from './flv-upstream.js';
import { originEndpoint, type OriginBalancer } from './origins.js';
import { openRtmpUpstream } from './rtmp-upstream.js';
import type { Upstream, UpstreamHandlers, UpstreamTarget } from './upstream.js';

export interface EdgePullerOptions {
  /** How long the upstream outlives the last player. */
  idleCloseMs: number;
  /** Limit for connecting to an origin and each protocol step. */
  timeoutMs: number;
  backoff: BackoffOptions;
  /** A pull that lasted this long was healthy: the next attempt starts without delay. */
  stableMs: number;
}

export interface EdgePullerDeps {
  source: LiveSource;
  /** The request of the player that started the pull: its param travels to the origin. */
  request: StreamRequest | undefined;
  /** The vhost's cluster section now, undefined once it is no longer an edge (reload). */
  cluster(): ClusterConfig | undefined;
  balancer: OriginBalancer;
  /** Whether a player id is still connected (guards against a missed leave notice). */
  isClientAlive(id: string): boolean;
  onEnded(puller: EdgePuller): void;
  options: EdgePullerOptions;
}

/** The vhost asked of the origin: the cluster's `vhost` when set, else this one. */
export function upstreamVhost(cluster: ClusterConfig, vhost: string): string {
  return cluster.vhost || vhost;
}

export class EdgePuller {
  /** Upstream connections made so far (tests check there is one per stream). */
  connects = 0;
  private readonly players = new Set<string>();
  private readonly publisher: SourcePublisher;
  private readonly backoff: Backoff;
  private readonly delay = new CancellableDelay();
  private upstream: Upstream | undefined;
  private publishing = false;
  private stopped = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private badMessages = 0;

  constructor(private readonly deps: EdgePullerDeps) {
    this.publisher = {
      clientId: `edge-${newContextId()}`,
      // A kick (API, timeout) drops the current upstream; players still there get a new one.
      kick: (reason) => {
        log.trace(`edge ${deps.source.url}: upstream kicked: ${reason}`);
        this.upstream?.close();
      },
    };
    this.backoff = new Backoff(deps.options.backoff);
  }

  get clientId(): string {
    return this.publisher.clientId;
  }

  get playerCount(): number {
    return this.players.size;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get upstreamUrl(): string | undefined {
    return this.upstream?.url;
  }

  start(): void {
    void this.run();
  }

  addPlayer(id: string): void {
    this.players.add(id);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  removePlayer(id: string): void {
    this.players.delete(id);
    if (this.players.size === 0) this.scheduleIdleClose();
  }

  private scheduleIdleClose(): void {
    if (this.idleTimer || this.stopped) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      for (const id of this.players) if (!this.deps.isClientAlive(id)) this.players.delete(id);
      if (this.players.size > 0) return;
      log.trace(`edge ${this.deps.source.url}: no player for ${this.deps.options.idleCloseMs} ms, closing the upstream`);
      this.stop();
    }, this.deps.options.idleCloseMs);
    this.idleTimer.unref();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.idleTimer);
    this.delay.cancel();
    this.upstream?.close();
    this.upstream = undefined;
    this.unpublishLocal();
    this.deps.onEnded(this);
  }

  private async run(): Promise<void> {
    let failedInRound = 0;
    while (!this.stopped) {
      const cluster = this.deps.cluster();
      const origin = cluster && this.deps.balancer.select(cluster.origin);
      if (!cluster || !origin) {
        log.warn(`edge ${this.deps.source.url}: no origin to pull from`);
        this.stop();
        return;
      }
      const healthy = await this.pullOnce(cluster, origin);
      if (this.stopped) return;
      if (healthy) {
        this.backoff.reset();
        failedInRound = 0;
        continue;
      }
      if (++failedInRound < cluster.origin.length) continue;
      failedInRound = 0;
      // Every origin failed: players must not wait on a stream that looks published.
      this.unpublishLocal();
      const delay = this.backoff.next();
      log.trace(`edge ${this.deps.source.url}: every origin failed, retrying in ${delay} ms`);
      if (!(await this.delay.wait(delay))) return;
    }
  }

  private target(cluster: ClusterConfig, origin: string): UpstreamTarget {
    const { source, request } = this.deps;
    return {
      protocol: cluster.protocol,
      origin: originEndpoint(origin, cluster.protocol),
      app: source.app,
      stream: streamWithQuery(source.stream, request?.param ?? '', upstreamVhost(cluster, source.vhost), request?.host ?? ''),
      timeoutMs: this.deps.options.timeoutMs,
    };
  }

  /** One upstream connection's life; true when it lasted long enough to count as healthy. */
  private async pullOnce(cluster: ClusterConfig, origin: string): Promise<boolean> {
    const startedAt = Date.now();
    let target: UpstreamTarget;
    try {
      target = this.target(cluster, origin);
    } catch (err) {
      log.warn(`edge ${this.deps.source.url}: origin "${origin}" skipped: ${describeError(err)}`);
      return false;
    }
    const handlers: UpstreamHandlers = {
      onMessage: (typeId, timestamp, payload) => this.onMessage(typeId, timestamp, payload),
      onUnpublish: () => this.unpublishLocal(),
    };
    let upstream: Upstream;
    try {
      upstream = target.protocol === 'rtmp' ? await openRtmpUpstream(target, handlers) : await openFlvUpstream(target, handlers);
    } catch (err) {
      if (!this.stopped) log.warn(`edge ${this.deps.source.url}: cannot pull from ${origin} (${target.protocol}): ${describeError(err)}`);
      return false;
    }
    if (this.stopped) {
      upstream.close();
      return false;
    }
    this.upstream = upstream;
    this.connects++;
    log.trace(`edge ${this.deps.source.url}: pulling from ${upstream.url}`);
    if (!this.publishLocal()) return false;
    const error = await upstream.ended;
    if (this.upstream === upstream) this.upstream = undefined;
    if (this.stopped) return false;
    log.warn(`edge ${this.deps.source.url}: upstream ${upstream.url} ended: ${error ? describeError(error) : 'closed'}`);
    return Date.now() - startedAt >= this.deps.options.stableMs;
  }

  private onMessage(typeId: number, timestamp: number, payload: Buffer): void {
    if (this.stopped) return;
    let packet;
    try {
      packet = mediaFromFlv(typeId, timestamp, payload);
    } catch (err) {
      // One bad message is the origin's bug, not a reason to drop every player.
      if (this.badMessages++ % 1000 === 0) log.warn(`edge ${this.deps.source.url}: message type ${typeId} skipped: ${describeError(err)}`);
      return;
    }
    if (!packet) return;
    if (!this.publishing && !this.publishLocal()) return;
    this.deps.source.feed(packet);
  }

  /** Publishes the upstream into the local source; false (and the pull ends) when a local publisher has it. */
  private publishLocal(): boolean {
    if (this.publishing) return true;
    try {
      this.deps.source.publish(this.publisher);
    } catch (err) {
      log.warn(`edge ${this.deps.source.url}: ${describeError(err)}, not pulling`);
      this.stop();
      return false;
    }
    this.publishing = true;
    return true;
  }

  private unpublishLocal(): void {
    if (!this.publishing) return;
    this.publishing = false;
    this.deps.source.unpublish(this.publisher);
  }
}
