/**
 * HTTP-FLV and WS-FLV for one stream: every packet becomes one FLV tag, encoded once and
 * framed twice (a chunk for HTTP players, a binary frame for WebSocket players), each framing
 * in its own native fan-out so both kinds start at the cached GOP. A framing nobody plays
 * has no fan-out; with no player at all, packets are not even encoded.
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import { MEDIA_TYPE_ID, type MediaPacket } from '../../kernel/packet.js';
import { buildFlvHeader, buildFlvTag, type FlvTagType } from '../../protocol/flv/tag.js';
import type { LiveSource } from '../live/source.js';
import { CHUNKED_FRAMING, WEBSOCKET_FRAMING } from './framing.js';
import { HttpRemuxOutput, type RemuxSettings } from './remux-output.js';
import { StreamChannel, type ChannelSeed } from './stream-channel.js';

export interface FlvFlags {
  hasAudio: boolean;
  hasVideo: boolean;
}

export class HttpFlvOutput extends HttpRemuxOutput {
  readonly contentType = 'video/x-flv';
  readonly http: StreamChannel;
  private readonly wsChannel: StreamChannel;
  private errors = 0;

  constructor(
    source: LiveSource,
    private readonly settings: RemuxSettings,
    label: string,
  ) {
    super();
    const seed: ChannelSeed = () => this.seed(source);
    this.http = new StreamChannel(source.options, CHUNKED_FRAMING, label, seed);
    this.wsChannel = new StreamChannel(source.options, WEBSOCKET_FRAMING, label, seed);
  }

  static of(source: LiveSource, settings: RemuxSettings): HttpFlvOutput {
    let output = source.findOutput(HttpFlvOutput);
    if (!output) {
      output = new HttpFlvOutput(source, settings, `http-flv ${source.url}`);
      source.addOutput(output);
    }
    return output;
  }

  override get ws(): StreamChannel {
    return this.wsChannel;
  }

  wantsFrames(): boolean {
    return this.http.wantsMessages || this.wsChannel.wantsMessages;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    if (!this.wantsFrames()) return;
    if (this.dropped(packet)) return;
    const tag = this.encode(packet, source);
    if (!tag) return;
    const randomAccess = source.isRandomAccess(packet);
    this.http.append(tag, packet.timestamp, randomAccess);
    this.wsChannel.append(tag, packet.timestamp, randomAccess);
  }

  /** The source's cached GOP as FLV tags, for a channel that opens its log mid-stream. */
  private *seed(source: LiveSource): ReturnType<ChannelSeed> {
    for (const { item: packet, randomAccess } of source.gop.snapshot()) {
      if (this.dropped(packet)) continue;
      const tag = this.encode(packet, source);
      if (tag) yield { payload: tag, timestampMs: packet.timestamp, randomAccess };
    }
  }

  /** FLV header with the flags SRS would pick, then metadata and sequence headers. */
  startupBody(source: LiveSource): Uint8Array[] {
    const body: Uint8Array[] = [buildFlvHeader(this.flags(source))];
    for (const packet of source.startupPackets()) {
      if (this.dropped(packet)) continue;
      const tag = this.encode(packet, source);
      if (tag) body.push(tag);
    }
    return body;
  }

  /**
   * has_audio/has_video from the config; with guess_has_av, from what the stream carries
   * (sequence headers, frames seen), falling back to the config before anything was seen.
   */
  flags(source: LiveSource): FlvFlags {
    const remux = this.settings();
    let hasAudio = remux?.has_audio ?? true;
    let hasVideo = remux?.has_video ?? true;
    if (remux?.guess_has_av ?? true) {
      const audio = source.audioSequenceHeader !== undefined || source.counters.audioFrames > 0;
      const video = source.videoSequenceHeader !== undefined || source.hasVideo;
      if (audio || video) {
        hasAudio = audio;
        hasVideo = video;
      }
    }
    if (remux?.drop_if_not_match) {
      hasAudio &&= remux.has_audio;
      hasVideo &&= remux.has_video;
    }
    return { hasAudio, hasVideo };
  }

  /** drop_if_not_match: the kinds the config says the stream has not are left out. */
  private dropped(packet: MediaPacket): boolean {
    const remux = this.settings();
    if (!remux?.drop_if_not_match) return false;
    return (packet.kind === 'audio' && !remux.has_audio) || (packet.kind === 'video' && !remux.has_video);
  }

  private encode(packet: MediaPacket, source: LiveSource): Buffer | undefined {
    try {
      return buildFlvTag(MEDIA_TYPE_ID[packet.kind] as FlvTagType, packet.timestamp, packet.payload);
    } catch (err) {
      if (++this.errors <= 5) log.warn(`http-flv ${source.url}: ${packet.kind} packet at ${packet.timestamp} skipped: ${describeError(err)}`);
      return undefined;
    }
  }
}
