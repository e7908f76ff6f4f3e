/**
 * The `video` / `audio` objects of a stream in the API, read from its sequence headers only
 * (the decoder configuration records), never from frames.
 */
import { aacAudioInfo, parseAudioSpecificConfig } from '../../kernel/codec/aac.js';
import { avcVideoInfo, parseAvcDecoderConfigurationRecord } from '../../kernel/codec/avc.js';
import { hevcVideoInfo, parseHevcDecoderConfigurationRecord } from '../../kernel/codec/hevc.js';
import { srsAudioCodecName, srsVideoCodecName } from '../../kernel/codec/types.js';
import { audioTagData, parseAudioTag } from '../../protocol/flv/audio.js';
import { parseVideoTag, videoTagData } from '../../protocol/flv/video.js';

/** SRS's `video` object of a stream. */
export interface StreamVideoJson {
  codec: string;
  profile: string;
  level: string;
  width: number;
  height: number;
}

/** SRS's `audio` object of a stream. */
export interface StreamAudioJson {
  codec: string;
  sample_rate: number;
  channel: number;
  profile: string;
}

/**
 * From an FLV/RTMP video payload: AVC and HEVC sequence headers give the full picture (their
 * frames give nothing); other codecs only their name. Throws (coded) on a malformed record.
 */
export function videoInfoOf(payload: Uint8Array): StreamVideoJson | undefined {
  const tag = parseVideoTag(payload);
  if (!tag.codec) return undefined;
  if (tag.codec === 'h264' || tag.codec === 'hevc') {
    if (!tag.isSequenceHeader) return undefined;
    const data = videoTagData(payload, tag);
    const info = tag.codec === 'h264'
      ? avcVideoInfo(parseAvcDecoderConfigurationRecord(data))
      : hevcVideoInfo(parseHevcDecoderConfigurationRecord(data));
    return { codec: srsVideoCodecName(info.codec), profile: info.profile, level: info.level, width: info.width, height: info.height };
  }
  return { codec: srsVideoCodecName(tag.codec), profile: 'Other', level: 'Other', width: 0, height: 0 };
}

/** From an FLV/RTMP audio payload: AAC's AudioSpecificConfig, else the tag header's facts. */
export function audioInfoOf(payload: Uint8Array): StreamAudioJson | undefined {
  const tag = parseAudioTag(payload);
  if (!tag.codec) return undefined;
  if (tag.codec === 'aac') {
    if (!tag.isSequenceHeader) return undefined;
    const info = aacAudioInfo(parseAudioSpecificConfig(audioTagData(payload, tag)));
    return { codec: srsAudioCodecName('aac'), sample_rate: info.sampleRate, channel: info.channels, profile: info.profile };
  }
  // Codecs without a config record (MP3, G.711...) describe themselves in the tag header.
  return {
    codec: srsAudioCodecName(tag.codec),
    sample_rate: tag.sampleRate ?? 0,
    channel: tag.channels ?? 0,
    profile: 'Other',
  };
}
