/**
 * SRS's `forward`: while a stream is published in a vhost with `forward { enabled on; }`,
 * it is pushed to every `destination` (and to the URLs the `backend` names), one RTMP link
 * each, reconnecting while the publish lasts. The vhost's section is read on each publish,
 * so a reload applies to the next one.
 */
import { resolveVhost, type ServerConfig } from '../../core/config/index.js';
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveContext } from '../live/context.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { completeRtmpUrl, destinationUrl, type ForwardedStream } from './destinations.js';
import { askForwardBackend } from './forward-backend.js';
import { RtmpPusher, type RtmpPusherOptions } from './rtmp-pusher.js';

export interface ForwardOptions {
  /** Reported to the backend as server_id. */
  serverId?: string;
  /** Overrides for each link (tests shorten the backoff). */
  pusher?: Partial<Pick<RtmpPusherOptions, 'backoff' | 'timeoutMs' | 'maxQueueBytes' | 'stableMs'>>;
}

/** What the publisher asked for, as far as the live context still knows it. */
function forwardedStream(ctx: LiveContext, source: LiveSource): { stream: ForwardedStream; clientId: string; ip: string; tcUrl: string } {
  const clientId = source.publisher?.clientId ?? '';
  const info = ctx.clients.get(clientId)?.info;
  const request = info?.request;
  return {
    stream: { vhost: source.vhost, app: source.app, stream: source.stream, param: request?.param ?? '', clientHost: request?.host ?? '' },
    clientId,
    ip: info?.ip ?? '',
    tcUrl: request?.tcUrl ?? '',
  };
}

export class ForwardOutput implements SourceOutput {
  private pushers: RtmpPusher[] = [];
  /** Bumped on every publish and unpublish: a backend answer for an older publish is ignored. */
  private session = 0;

  constructor(
    private readonly getConfig: () => ServerConfig,
    private readonly ctx: LiveContext,
    private readonly options: ForwardOptions = {},
  ) {}

  /** The live links, for tests and stats. */
  get links(): readonly RtmpPusher[] {
    return this.pushers;
  }

  onPublish(source: LiveSource): void {
    this.stopAll();
    const forward = resolveVhost(this.getConfig(), source.vhost)?.forward;
    if (!forward?.enabled) return;
    const asked = forwardedStream(this.ctx, source);
    for (const destination of forward.destination) {
      try {
        this.addLink(source, destinationUrl(destination, asked.stream));
      } catch (err) {
        log.warn(`forward ${source.url}: destination "${destination}" skipped: ${describeError(err)}`);
      }
    }
    if (forward.backend) void this.askBackend(source, forward.backend, asked);
  }

  private async askBackend(source: LiveSource, backend: string, asked: ReturnType<typeof forwardedStream>): Promise<void> {
    const session = this.session;
    let urls: string[];
    try {
      urls = await askForwardBackend(backend, {
        serverId: this.options.serverId ?? '',
        clientId: asked.clientId,
        ip: asked.ip,
        vhost: source.vhost,
        app: source.app,
        stream: source.stream,
        param: asked.stream.param,
        tcUrl: asked.tcUrl,
      });
    } catch (err) {
      log.warn(`forward ${source.url}: backend gave no destinations: ${describeError(err)}`);
      return;
    }
    if (session !== this.session || !source.isPublishing) return;
    log.trace(`forward ${source.url}: backend ${backend} gave ${urls.length} destinations`);
    for (const url of urls) {
      try {
        this.addLink(source, completeRtmpUrl(url, asked.stream));
      } catch (err) {
        log.warn(`forward ${source.url}: backend url "${url}" skipped: ${describeError(err)}`);
      }
    }
  }

  private addLink(source: LiveSource, url: string): void {
    const pusher = new RtmpPusher({ ...this.options.pusher, targets: [url], label: `forward ${source.url}`, source });
    this.pushers.push(pusher);
    pusher.start();
  }

  wantsFrames(): boolean {
    return this.pushers.length > 0;
  }

  onPacket(packet: MediaPacket): void {
    for (const pusher of this.pushers) pusher.push(packet);
  }

  onUnpublish(): void {
    this.stopAll();
  }

  /** Forwarding never keeps a source alive on its own: the publisher does. */
  isActive(): boolean {
    return false;
  }

  close(): void {
    this.stopAll();
  }

  private stopAll(): void {
    this.session++;
    for (const pusher of this.pushers) void pusher.stop();
    this.pushers = [];
  }
}

/** Gives every source a forward output (idle unless its vhost forwards). */
export function createForwardFactory(
  getConfig: () => ServerConfig,
  ctx: LiveContext,
  options: ForwardOptions = {},
): (source: LiveSource) => void {
  return (source) => source.addOutput(new ForwardOutput(getConfig, ctx, options));
}
