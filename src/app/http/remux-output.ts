/**
 * What every live HTTP container (FLV, TS, AAC, MP3) shares as a per-stream source output:
 * its channels of players, the graceful end on unpublish (SRS 6 closes HTTP stream players
 * when the publisher leaves; players that connected before a publish keep waiting), and the
 * teardown when the source is freed.
 */
import type { HttpRemuxConfig } from '../../core/config/index.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import type { StreamChannel } from './stream-channel.js';

/** The vhost's current http_remux settings (they may change on reload). */
export type RemuxSettings = () => HttpRemuxConfig | undefined;

export abstract class HttpRemuxOutput implements SourceOutput {
  abstract readonly contentType: string;

  /** The chunked-HTTP players. */
  abstract readonly http: StreamChannel;

  /** The WebSocket players, for containers that offer them. */
  get ws(): StreamChannel | undefined {
    return undefined;
  }

  abstract onPacket(packet: MediaPacket, source: LiveSource): void;

  /** The body a new player gets before the first message: container header, startup messages. */
  abstract startupBody(source: LiveSource): Uint8Array[];

  protected channels(): StreamChannel[] {
    return this.ws ? [this.http, this.ws] : [this.http];
  }

  onUnpublish(): void {
    for (const channel of this.channels()) channel.endPlayers();
  }

  isActive(): boolean {
    return this.channels().some((c) => c.playerCount > 0);
  }

  get playerCount(): number {
    return this.channels().reduce((n, c) => n + c.playerCount, 0);
  }

  close(): void {
    for (const channel of this.channels()) channel.close('stream source closed');
  }
}
