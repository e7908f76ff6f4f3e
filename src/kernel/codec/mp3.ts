/**
 * MPEG-1/2/2.5 audio frame headers (ISO/IEC 11172-3, 13818-3): the 4 bytes before every MP3
 * frame, which carry all there is to know about the stream (RTMP has no MP3 sequence header).
 */
import { codecError } from './codec-error.js';
import type { AudioCodecInfo } from './types.js';

export type MpegAudioVersion = 1 | 2 | 2.5;
export type MpegAudioChannelMode = 'stereo' | 'joint-stereo' | 'dual-channel' | 'mono';

export interface MpegAudioFrameHeader {
  version: MpegAudioVersion;
  layer: 1 | 2 | 3;
  /** A 16-bit CRC follows the header. */
  crc: boolean;
  /** Bits per second; 0 for free format. */
  bitrate: number;
  sampleRate: number;
  padding: boolean;
  channelMode: MpegAudioChannelMode;
  channels: 1 | 2;
  samplesPerFrame: number;
  /** Whole frame in bytes, header included; 0 for free format (unknown from the header). */
  frameLength: number;
}

// kbit/s by bitrate index 1..14 (0 is free format, 15 is invalid).
const BITRATES_V1: Record<number, readonly number[]> = {
  1: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  2: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  3: [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
};
const BITRATES_V2: Record<number, readonly number[]> = {
  1: [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  2: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  3: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<MpegAudioVersion, readonly number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};
const CHANNEL_MODES: readonly MpegAudioChannelMode[] = ['stereo', 'joint-stereo', 'dual-channel', 'mono'];

export const MPEG_AUDIO_HEADER_SIZE = 4;

export function parseMpegAudioFrameHeader(data: Uint8Array, offset = 0): MpegAudioFrameHeader {
  if (data.length - offset < MPEG_AUDIO_HEADER_SIZE) throw codecError('mp3: truncated frame header');
  const b1 = data[offset + 1]!;
  const b2 = data[offset + 2]!;
  const b3 = data[offset + 3]!;
  if (data[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) throw codecError('mp3: no frame sync');
  const versionBits = (b1 >> 3) & 3;
  if (versionBits === 1) throw codecError('mp3: reserved version');
  const version: MpegAudioVersion = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layerBits = (b1 >> 1) & 3;
  if (layerBits === 0) throw codecError('mp3: reserved layer');
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b2 >> 4;
  if (bitrateIndex === 15) throw codecError('mp3: invalid bitrate index 15');
  const rateIndex = (b2 >> 2) & 3;
  if (rateIndex === 3) throw codecError('mp3: reserved sample rate index');
  const sampleRate = SAMPLE_RATES[version][rateIndex]!;
  const table = version === 1 ? BITRATES_V1 : BITRATES_V2;
  const bitrate = bitrateIndex === 0 ? 0 : table[layer]![bitrateIndex - 1]! * 1000;
  const padding = ((b2 >> 1) & 1) === 1;
  const channelMode = CHANNEL_MODES[b3 >> 6]!;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;

  let frameLength = 0;
  if (bitrate > 0) {
    frameLength =
      layer === 1
        ? (Math.floor((12 * bitrate) / sampleRate) + (padding ? 1 : 0)) * 4
        : Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + (padding ? 1 : 0);
  }
  return {
    version,
    layer,
    crc: (b1 & 1) === 0,
    bitrate,
    sampleRate,
    padding,
    channelMode,
    channels: channelMode === 'mono' ? 1 : 2,
    samplesPerFrame,
    frameLength,
  };
}

export function mp3AudioInfo(header: MpegAudioFrameHeader): AudioCodecInfo {
  return { codec: 'mp3', profile: '', sampleRate: header.sampleRate, channels: header.channels };
}
