/**
 * HTTP-AAC and HTTP-MP3 for one stream (SRS's `.aac` and `.mp3` mounts): the audio frames
 * alone, as a player or a plain `curl > file` can read them: ADTS frames for AAC, MPEG audio
 * frames as they are for MP3. Every frame is a start point. A stream whose audio is another
 * codec sends nothing on this mount (logged once per publish).
 */
import { describeError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { FlvToTsConverter } from '../../protocol/mpegts/flv-to-ts.js';
import type { TsAudioCodec } from '../../protocol/mpegts/ts-constants.js';
import type { LiveOptions } from '../live/options.js';
import type { LiveSource } from '../live/source.js';
import { CHUNKED_FRAMING } from './framing.js';
import { HttpRemuxOutput } from './remux-output.js';
import { StreamChannel } from './stream-channel.js';

abstract class HttpAudioOutput extends HttpRemuxOutput {
  readonly http: StreamChannel;
  private converter = new FlvToTsConverter();
  private primed = false;
  private warned = false;

  protected constructor(
    options: LiveOptions,
    private readonly label: string,
    private readonly codecName: string,
    private readonly accepts: (codec: TsAudioCodec) => boolean,
  ) {
    super();
    this.http = new StreamChannel(options, CHUNKED_FRAMING, label);
  }

  onPublish(): void {
    this.converter = new FlvToTsConverter();
    this.primed = true;
    this.warned = false;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    if (packet.kind !== 'audio') return;
    if (!this.primed) {
      this.primed = true;
      if (source.audioSequenceHeader && source.audioSequenceHeader !== packet) this.convert(source.audioSequenceHeader);
    }
    const frame = this.convert(packet);
    if (!frame || frame.kind !== 'audio') return;
    if (!this.accepts(frame.codec)) {
      if (!this.warned) log.warn(`${this.label}: audio is ${frame.codec}, not ${this.codecName}; nothing to send`);
      this.warned = true;
      return;
    }
    this.http.append(frame.data, packet.timestamp, true);
  }

  startupBody(): Uint8Array[] {
    return [];
  }

  private convert(packet: MediaPacket) {
    try {
      return this.converter.convert(packet);
    } catch (err) {
      if (!this.warned) log.warn(`${this.label}: audio packet at ${packet.timestamp} skipped: ${describeError(err)}`);
      this.warned = true;
      return undefined;
    }
  }
}

export class HttpAacOutput extends HttpAudioOutput {
  readonly contentType = 'audio/x-aac';

  constructor(options: LiveOptions, label: string) {
    super(options, label, 'aac', (codec) => codec === 'aac');
  }

  static of(source: LiveSource): HttpAacOutput {
    let output = source.findOutput(HttpAacOutput);
    if (!output) {
      output = new HttpAacOutput(source.options, `http-aac ${source.url}`);
      source.addOutput(output);
    }
    return output;
  }
}

export class HttpMp3Output extends HttpAudioOutput {
  readonly contentType = 'audio/mpeg';

  constructor(options: LiveOptions, label: string) {
    super(options, label, 'mp3', (codec) => codec === 'mp3' || codec === 'mp3-lsf');
  }

  static of(source: LiveSource): HttpMp3Output {
    let output = source.findOutput(HttpMp3Output);
    if (!output) {
      output = new HttpMp3Output(source.options, `http-mp3 ${source.url}`);
      source.addOutput(output);
    }
    return output;
  }
}
