/** Pulls a stream from an origin over RTMP (play), following an RTMP 302 once. */
import type { TsrsError } from '../../core/errors.js';
import { RtmpClient } from '../../protocol/rtmp/client.js';
import { rtmpUrl } from '../forward/upstream-url.js';
import type { Upstream, UpstreamHandlers, UpstreamTarget } from './upstream.js';

const UNPUBLISH_NOTIFY = 'NetStream.Play.UnpublishNotify';

export async function openRtmpUpstream(target: UpstreamTarget, handlers: UpstreamHandlers): Promise<Upstream> {
  const url = rtmpUrl(target.origin, target.app, target.stream);
  const client = await RtmpClient.connect(url, { followRedirect: true, timeoutMs: target.timeoutMs });
  // Subscribed before play: metadata and sequence headers follow Play.Start in the same read.
  client.on('media', (m) => handlers.onMessage(m.typeId, m.timestamp, m.payload));
  client.on('status', (s) => {
    if (s.code === UNPUBLISH_NOTIFY) handlers.onUnpublish();
  });
  const ended = new Promise<TsrsError | undefined>((resolve) => client.once('close', resolve));
  await client.play();
  return {
    url: client.redirectedTo ?? url,
    ended,
    close: () => client.destroy(),
  };
}
