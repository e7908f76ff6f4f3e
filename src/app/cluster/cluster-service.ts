/**
 * tsrs as part of a cluster: the one ClusterHooks object the live context carries (edge
 * pulls and pushes, origin-cluster redirects, per vhost as its `cluster` section says) and
 * the forward output every source gets. `install()` puts both in place.
 */
import { resolveVhost, type ServerConfig } from '../../core/config/index.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import type { ClusterHooks, LiveContext } from '../live/context.js';
import type { LiveSource } from '../live/source.js';
import type { Service } from '../service.js';
import { EdgeCluster, type EdgeOptions } from '../edge/edge-cluster.js';
import { createForwardFactory, type ForwardOptions } from '../forward/forward-output.js';
import { locateOnCoworkers } from './coworkers.js';

export interface ClusterServiceDeps {
  ctx: LiveContext;
  getConfig: () => ServerConfig;
  /** Reported to the forward backend as server_id. */
  serverId?: string;
  edge?: Partial<EdgeOptions>;
  forward?: Omit<ForwardOptions, 'serverId'>;
  /** How long a coworker may take to say whether it has a stream. Default 3000 ms. */
  coworkerTimeoutMs?: number;
}

export class ClusterService implements Service {
  readonly name = 'cluster';
  readonly edge: EdgeCluster;
  readonly hooks: ClusterHooks;
  readonly forwardFactory: (source: LiveSource) => void;

  constructor(private readonly deps: ClusterServiceDeps) {
    this.edge = new EdgeCluster({ ctx: deps.ctx, getConfig: deps.getConfig, options: deps.edge ?? {} });
    this.forwardFactory = createForwardFactory(deps.getConfig, deps.ctx, { ...deps.forward, serverId: deps.serverId ?? '' });
    this.hooks = {
      locateStream: (request) => this.locateStream(request),
      onPlayerJoin: (source, client) => this.edge.onPlayerJoin(source, client),
      onPlayerLeave: (source, client) => this.edge.onPlayerLeave(source, client),
      onPublisherJoin: (source, client) => this.edge.onPublisherJoin(source, client),
    };
  }

  /** Sets ctx.cluster and gives every source its forward output. */
  install(): void {
    this.deps.ctx.cluster = this.hooks;
    this.deps.ctx.sources.addOutputFactory(this.forwardFactory);
  }

  /**
   * Before a play: an edge checks the token with its origin (token_traverse); an origin
   * cluster member without the stream redirects to the coworker that has it.
   */
  private async locateStream(request: StreamRequest): Promise<string | undefined> {
    if (this.edge.edgeConfig(request.vhost)) {
      await this.edge.checkToken(request);
      return undefined;
    }
    const cluster = resolveVhost(this.deps.getConfig(), request.vhost)?.cluster;
    if (!cluster?.origin_cluster || cluster.coworkers.length === 0) return undefined;
    if (this.deps.ctx.sources.find(request.vhost, request.app, request.stream)?.isPublishing) return undefined;
    return locateOnCoworkers(cluster.coworkers, request, this.deps.coworkerTimeoutMs ?? 3000);
  }

  async start(): Promise<void> {}

  /** Nothing to reopen: every play and publish reads the vhost's current section. */
  async reload(): Promise<void> {}

  async stopAccepting(): Promise<void> {}

  async close(): Promise<void> {
    this.edge.close();
  }
}
