/**
 * SRS's `token_traverse`: an edge lets the origin judge each client's token. Before a play
 * it connects to an origin with the client's app and param in the tcUrl (which the origin's
 * on_connect hook sees); a refusal, or no origin answering at all, refuses the client.
 */
import type { ClusterConfig } from '../../core/config/index.js';
import { TsrsError, describeError } from '../../core/errors.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import { RtmpClient } from '../../protocol/rtmp/client.js';
import { RtmpStatusError } from '../../protocol/rtmp/client-status.js';
import { hostForUrl, streamWithQuery } from '../forward/upstream-url.js';
import { upstreamVhost } from './edge-puller.js';
import { originEndpoint, type OriginBalancer } from './origins.js';

export async function checkTokenWithOrigin(
  cluster: ClusterConfig,
  request: StreamRequest,
  balancer: OriginBalancer,
  timeoutMs: number,
): Promise<void> {
  const withQuery = streamWithQuery('', request.param, upstreamVhost(cluster, request.vhost), request.host);
  const reasons: string[] = [];
  for (let i = 0; i < cluster.origin.length; i++) {
    const origin = balancer.select(cluster.origin)!;
    let url: string;
    try {
      const { host, port } = originEndpoint(origin, 'rtmp');
      url = `rtmp://${hostForUrl(host)}:${port}/${request.app}${withQuery}`;
    } catch (err) {
      reasons.push(describeError(err));
      continue;
    }
    try {
      const client = await RtmpClient.connect(url, { timeoutMs });
      await client.close();
      return;
    } catch (err) {
      // The origin answered and said no: that is the verdict, no other origin is asked.
      if (isRefusal(err)) throw new TsrsError('RtmpAccessDenied', `token traverse: origin ${origin} refused ${request.app}${withQuery}: ${describeError(err)}`, { cause: err });
      reasons.push(`${origin}: ${describeError(err)}`);
    }
  }
  throw new TsrsError('RtmpAccessDenied', `token traverse: no origin could check the token (${reasons.join('; ') || 'no origin configured'})`);
}

function isRefusal(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof RtmpStatusError) return true;
  return false;
}
