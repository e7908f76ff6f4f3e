/**
 * The SessionGuards every session calls: security rules, refer and http_hooks in SRS 6's
 * order, plus the stats bookkeeping of clients. For a publisher or an RTMP/SRT player:
 *   refer(all) + on_connect (once per connection, after the client said what it wants: SRS 6
 *   sends on_connect with the stream name) -> security -> refer(publish|play) -> on_publish|on_play.
 * HTTP-FLV, HLS and WebRTC clients get no on_connect/on_close, as in SRS.
 * refer(play) runs before on_play (SRS checks it just after, then sends on_stop): the client
 * gets the same answer and the callback server never hears of a play that did not happen.
 */
import { DEFAULT_VHOST, findVhost, type ServerConfig, type VhostConfig } from '../../core/config/index.js';
import type { TsrsError } from '../../core/errors.js';
import type { ClientInfo, ClientKind, SessionGuards } from '../live/context.js';
import type { HttpHooks } from '../hooks/http-hooks.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import { checkRefer } from './refer.js';
import { checkSecurity, type SecurityMethod } from './security.js';

/** Client kinds that are connections of their own and so get on_connect and on_close. */
const CONNECTION_KINDS: ReadonlySet<ClientKind> = new Set<ClientKind>([
  'fmle-publish',
  'flash-publish',
  'haivision-publish',
  'rtmp-play',
  'srt-publish',
  'srt-play',
]);

export interface GuardsOptions {
  getConfig: () => ServerConfig;
  hooks: HttpHooks;
  stats?: StatsRegistry;
}

function fail(err: TsrsError | undefined): void {
  if (err) throw err;
}

export function createGuards({ getConfig, hooks, stats }: GuardsOptions): SessionGuards {
  /** Clients whose on_connect was asked: they are owed an on_close. */
  const connected = new WeakSet<ClientInfo>();

  const vhostOf = (client: ClientInfo): VhostConfig | undefined => {
    const config = getConfig();
    return findVhost(config, client.request?.vhost ?? DEFAULT_VHOST) ?? findVhost(config, DEFAULT_VHOST);
  };

  async function connectStage(client: ClientInfo): Promise<void> {
    if (connected.has(client) || !CONNECTION_KINDS.has(client.kind)) return;
    connected.add(client);
    const refer = vhostOf(client)?.refer;
    if (refer?.enabled) fail(checkRefer(client.pageUrl, refer.all, 'connect'));
    await hooks.onConnect(client);
  }

  async function streamStage(client: ClientInfo, method: SecurityMethod): Promise<void> {
    stats?.onClientSeen(client);
    await connectStage(client);
    const vhost = vhostOf(client);
    if (vhost) {
      fail(checkSecurity(vhost.security, method, client.ip));
      if (vhost.refer.enabled) fail(checkRefer(client.pageUrl, vhost.refer[method], method));
    }
    if (method === 'publish') await hooks.onPublish(client);
    else await hooks.onPlay(client);
  }

  return {
    async onConnect(client) {
      stats?.onClientSeen(client);
      // An RTMP connect does not name the stream yet; on_connect waits for publish/play.
      await connectStage(client);
    },
    onPublish: (client) => streamStage(client, 'publish'),
    onPlay: (client) => streamStage(client, 'play'),
    onUnpublish(client) {
      hooks.onUnpublish(client);
    },
    onStop(client) {
      hooks.onStop(client);
    },
    onClose(client) {
      const sent = stats ? stats.onClientClosed(client) : client.bytesOut;
      if (connected.has(client)) hooks.onClose(client, sent);
    },
  };
}
