/**
 * Publish on an edge: the stream is pushed to the origin (failing over along the origin
 * list) while the publisher lives, and played locally like any other stream.
 */
import type { ClusterConfig } from '../../core/config/index.js';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { StreamRequest } from '../../kernel/stream-url.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { RtmpPusher, type RtmpPusherOptions } from '../forward/rtmp-pusher.js';
import { rtmpUrl, streamWithQuery } from '../forward/upstream-url.js';
import { upstreamVhost } from './edge-puller.js';
import { originEndpoint } from './origins.js';

/** The origin URLs to publish `source` to, in the configured order. */
export function edgePushTargets(cluster: ClusterConfig, source: LiveSource, request: StreamRequest | undefined): string[] {
  const stream = streamWithQuery(source.stream, request?.param ?? '', upstreamVhost(cluster, source.vhost), request?.host ?? '');
  const urls: string[] = [];
  for (const origin of cluster.origin) {
    try {
      // Publishing is RTMP whatever `protocol` says for pulling.
      urls.push(rtmpUrl(originEndpoint(origin, 'rtmp'), source.app, stream));
    } catch (err) {
      log.warn(`edge ${source.url}: origin "${origin}" skipped: ${describeError(err)}`);
    }
  }
  return urls;
}

export class EdgePushOutput implements SourceOutput {
  readonly pusher: RtmpPusher;

  constructor(
    private readonly source: LiveSource,
    targets: string[],
    options: Partial<Pick<RtmpPusherOptions, 'backoff' | 'timeoutMs' | 'maxQueueBytes' | 'stableMs'>> = {},
    private readonly onClosed: (push: EdgePushOutput) => void = () => undefined,
  ) {
    this.pusher = new RtmpPusher({ ...options, targets, label: `edge push ${source.url}`, source, followRedirect: true });
  }

  start(): void {
    this.pusher.start();
  }

  onPacket(packet: MediaPacket): void {
    this.pusher.push(packet);
  }

  onUnpublish(): void {
    this.close();
  }

  isActive(): boolean {
    return false;
  }

  close(): void {
    if (this.pusher.isStopped) return;
    void this.pusher.stop();
    this.source.removeOutput(this);
    this.onClosed(this);
  }
}
