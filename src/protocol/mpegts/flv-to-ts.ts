/**
 * FLV/RTMP media payloads to the elementary-stream form MPEG-TS carries: H.264/HEVC access
 * units from length-prefixed NAL units to Annex B, led by an access unit delimiter and, before
 * every random access point, the parameter sets of the last sequence header (a segment must
 * be decodable alone); AAC raw frames behind an ADTS header; MP3 frames as they are.
 * Codecs MPEG-TS/HLS cannot carry here (VP6, Opus, PCM...) come back as undefined.
 */
import {
  buildAdtsHeader,
  parseAudioSpecificConfig,
  type AacConfig,
} from '../../kernel/codec/aac.js';
import { parseAvcDecoderConfigurationRecord } from '../../kernel/codec/avc.js';
import { parseHevcDecoderConfigurationRecord } from '../../kernel/codec/hevc.js';
import { parseMpegAudioFrameHeader } from '../../kernel/codec/mp3.js';
import { splitLengthPrefixed, type NalLengthSize } from '../../kernel/codec/nalu.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { audioTagData, parseAudioTag } from '../flv/audio.js';
import { parseVideoTag, videoTagData } from '../flv/video.js';
import { msTo90k, type TsAudioCodec, type TsVideoCodec } from './ts-constants.js';
import { tsError } from './ts-error.js';
import type { TsAudioFrame, TsFrame, TsVideoFrame } from './ts-muxer.js';

const START_CODE = Buffer.from([0, 0, 0, 1]);
/** H.264 AUD, primary_pic_type 7 (any slice type) + stop bit. */
const AVC_AUD = Buffer.from([0x09, 0xf0]);
/** HEVC AUD: nal type 35, layer 0, tid 1; pic_type 2 (any) + stop bit. */
const HEVC_AUD = Buffer.from([0x46, 0x01, 0x50]);

interface VideoConfig {
  codec: TsVideoCodec;
  nalLengthSize: NalLengthSize;
  /** VPS (HEVC), SPS and PPS, in the order they go before a random access point. */
  parameterSets: Uint8Array[];
}

export class FlvToTsConverter {
  private video: VideoConfig | undefined;
  private aac: AacConfig | undefined;

  /** The codec of the last video sequence header, once one was seen. */
  get videoCodec(): TsVideoCodec | undefined {
    return this.video?.codec;
  }

  get hasAacConfig(): boolean {
    return this.aac !== undefined;
  }

  /**
   * The TS frame for one packet; undefined for sequence headers (which only update state),
   * metadata, frames before their sequence header, and codecs TS does not carry.
   * Throws a TsrsError on a malformed payload.
   */
  convert(packet: MediaPacket): TsFrame | undefined {
    if (packet.kind === 'video') return this.convertVideo(packet);
    if (packet.kind === 'audio') return this.convertAudio(packet);
    return undefined;
  }

  private convertVideo(packet: MediaPacket): TsVideoFrame | undefined {
    const tag = parseVideoTag(packet.payload);
    if (tag.codec !== 'h264' && tag.codec !== 'hevc') return undefined;
    const data = videoTagData(packet.payload, tag);
    if (tag.isSequenceHeader) {
      this.video = tag.codec === 'h264' ? avcConfig(data) : hevcConfig(data);
      return undefined;
    }
    if (tag.packetType !== 'coded-frames' || !this.video || this.video.codec !== tag.codec) return undefined;
    if (data.length === 0) return undefined;
    const nalus = splitLengthPrefixed(data, this.video.nalLengthSize);
    const isHevc = tag.codec === 'hevc';
    const typeOf = isHevc ? (n: Uint8Array) => (n[0]! >> 1) & 0x3f : (n: Uint8Array) => n[0]! & 0x1f;
    const audType = isHevc ? 35 : 9;
    const spsType = isHevc ? 33 : 7;
    const isIrap = isHevc ? (t: number) => t >= 16 && t <= 23 : (t: number) => t === 5;
    let irap = false;
    let hasSps = false;
    for (const nalu of nalus) {
      const type = typeOf(nalu);
      if (isIrap(type)) irap = true;
      if (type === spsType) hasSps = true;
    }
    const pieces: Uint8Array[] = [isHevc ? HEVC_AUD : AVC_AUD];
    if ((irap || tag.isKeyframe) && !hasSps) pieces.push(...this.video.parameterSets);
    for (const nalu of nalus) if (typeOf(nalu) !== audType) pieces.push(nalu);
    const dts = packet.timestamp;
    return {
      kind: 'video',
      codec: tag.codec,
      dts: msTo90k(dts),
      pts: msTo90k(dts + tag.compositionTime),
      data: joinWithStartCodes(pieces),
      keyframe: irap || tag.isKeyframe,
    };
  }

  private convertAudio(packet: MediaPacket): TsAudioFrame | undefined {
    const tag = parseAudioTag(packet.payload);
    const data = audioTagData(packet.payload, tag);
    if (tag.codec === 'aac') {
      if (tag.isSequenceHeader) {
        this.aac = parseAudioSpecificConfig(data);
        return undefined;
      }
      if (tag.packetType !== 'coded-frames' || !this.aac || data.length === 0) return undefined;
      const header = buildAdtsHeader(this.aac, data.length);
      const frame = Buffer.allocUnsafe(header.length + data.length);
      frame.set(header, 0);
      frame.set(data, header.length);
      return { kind: 'audio', codec: 'aac', pts: msTo90k(packet.timestamp), data: frame };
    }
    if (tag.codec === 'mp3') {
      if (data.length === 0) return undefined;
      const header = parseMpegAudioFrameHeader(data);
      const codec: TsAudioCodec = header.version === 1 ? 'mp3' : 'mp3-lsf';
      return { kind: 'audio', codec, pts: msTo90k(packet.timestamp), data };
    }
    return undefined;
  }
}

function avcConfig(data: Uint8Array): VideoConfig {
  const record = parseAvcDecoderConfigurationRecord(data);
  return { codec: 'h264', nalLengthSize: record.nalLengthSize, parameterSets: [...record.sps, ...record.pps] };
}

function hevcConfig(data: Uint8Array): VideoConfig {
  const record = parseHevcDecoderConfigurationRecord(data);
  if (record.pps.length === 0) throw tsError('hevc sequence header has no pps');
  return {
    codec: 'hevc',
    nalLengthSize: record.nalLengthSize,
    parameterSets: [...record.vps, ...record.sps, ...record.pps],
  };
}

function joinWithStartCodes(nalus: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const nalu of nalus) total += START_CODE.length + nalu.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const nalu of nalus) {
    out.set(START_CODE, at);
    out.set(nalu, at + START_CODE.length);
    at += START_CODE.length + nalu.length;
  }
  return out;
}
