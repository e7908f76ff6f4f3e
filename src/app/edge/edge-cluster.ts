/**
 * The edge role of vhosts with `cluster { mode remote; origin ...; }`: plays start one
 * upstream per stream (EdgePuller), publishes are pushed to the origin (EdgePushOutput),
 * and with `token_traverse` the origin judges each player's token first. Each event reads
 * the vhost's current section, so a reload applies to the next play or publish.
 */
import { resolveVhost, type ClusterConfig, type ServerConfig } from '../../core/config/index.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import type { ClientInfo, LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import { DEFAULT_BACKOFF } from '../forward/backoff.js';
import type { RtmpPusherOptions } from '../forward/rtmp-pusher.js';
import { EdgePuller, type EdgePullerOptions } from './edge-puller.js';
import { EdgePushOutput, edgePushTargets } from './edge-push.js';
import { OriginBalancer } from './origins.js';
import { checkTokenWithOrigin } from './token-traverse.js';

export interface EdgeOptions extends EdgePullerOptions {
  /** Overrides for the push to the origin (tests shorten the backoff). */
  push: Partial<Pick<RtmpPusherOptions, 'backoff' | 'timeoutMs' | 'maxQueueBytes' | 'stableMs'>>;
}

export const DEFAULT_EDGE_OPTIONS: EdgeOptions = {
  idleCloseMs: 3000,
  timeoutMs: 5000,
  backoff: DEFAULT_BACKOFF,
  stableMs: 5000,
  push: {},
};

export interface EdgeClusterDeps {
  ctx: LiveContext;
  getConfig: () => ServerConfig;
  options?: Partial<EdgeOptions>;
}

export class EdgeCluster {
  private readonly pullers = new Map<string, EdgePuller>();
  private readonly pushes = new Set<EdgePushOutput>();
  /** One round-robin per vhost, shared by its streams. */
  private readonly balancers = new Map<string, OriginBalancer>();
  private readonly options: EdgeOptions;

  constructor(private readonly deps: EdgeClusterDeps) {
    this.options = { ...DEFAULT_EDGE_OPTIONS, ...deps.options };
  }

  /** The vhost's cluster section when it is an edge with origins. */
  edgeConfig(vhost: string): ClusterConfig | undefined {
    const cluster = resolveVhost(this.deps.getConfig(), vhost)?.cluster;
    return cluster?.mode === 'remote' && cluster.origin.length > 0 ? cluster : undefined;
  }

  /** The puller of a stream, if one runs (tests, stats). */
  puller(source: LiveSource): EdgePuller | undefined {
    return this.pullers.get(source.key);
  }

  get upstreamCount(): number {
    return this.pullers.size;
  }

  private balancer(vhost: string): OriginBalancer {
    let balancer = this.balancers.get(vhost);
    if (!balancer) {
      balancer = new OriginBalancer();
      this.balancers.set(vhost, balancer);
    }
    return balancer;
  }

  /** token_traverse: rejects (RtmpAccessDenied) when the origin refuses the client. */
  async checkToken(request: StreamRequest): Promise<void> {
    const cluster = this.edgeConfig(request.vhost);
    if (!cluster?.token_traverse) return;
    await checkTokenWithOrigin(cluster, request, this.balancer(request.vhost), this.options.timeoutMs);
  }

  onPlayerJoin(source: LiveSource, client: ClientInfo): void {
    if (!this.edgeConfig(source.vhost)) return;
    let puller = this.pullers.get(source.key);
    if (!puller) {
      // Published here (a publish on this edge): the local source already serves it.
      if (source.isPublishing) return;
      puller = new EdgePuller({
        source,
        request: client.request,
        cluster: () => this.edgeConfig(source.vhost),
        balancer: this.balancer(source.vhost),
        isClientAlive: (id) => this.deps.ctx.clients.has(id),
        onEnded: (ended) => {
          if (this.pullers.get(source.key) === ended) this.pullers.delete(source.key);
        },
        options: this.options,
      });
      this.pullers.set(source.key, puller);
      puller.addPlayer(client.id);
      puller.start();
      return;
    }
    puller.addPlayer(client.id);
  }

  onPlayerLeave(source: LiveSource, client: ClientInfo): void {
    this.pullers.get(source.key)?.removePlayer(client.id);
  }

  onPublisherJoin(source: LiveSource, client: ClientInfo): void {
    const cluster = this.edgeConfig(source.vhost);
    if (!cluster) return;
    const targets = edgePushTargets(cluster, source, client.request);
    if (targets.length === 0) return;
    const push = new EdgePushOutput(source, targets, this.options.push, (closed) => this.pushes.delete(closed));
    this.pushes.add(push);
    source.addOutput(push);
    push.start();
  }

  /** The pushes running now (tests). */
  get pushCount(): number {
    return this.pushes.size;
  }

  close(): void {
    for (const puller of [...this.pullers.values()]) puller.stop();
    this.pullers.clear();
    for (const push of [...this.pushes]) push.close();
    this.pushes.clear();
  }
}
