/**
 * AAC (ISO/IEC 14496-3): the AudioSpecificConfig an RTMP/FLV sequence header carries, and the
 * 7-byte ADTS header MPEG-TS (HLS) and raw .aac streams put before every frame.
 */
import { BitReader } from './bit-reader.js';
import { codecError } from './codec-error.js';
import type { AudioCodecInfo } from './types.js';

/** Audio object types (Table 1.17) the server names or treats specially. */
export const AacObjectType = {
  Main: 1,
  LC: 2,
  SSR: 3,
  LTP: 4,
  /** SBR, HE-AAC v1. */
  HE: 5,
  /** PS, HE-AAC v2. */
  HEv2: 29,
} as const;

/** sampling_frequency_index -> Hz; 13 and 14 are reserved, 15 means "explicit 24-bit rate follows". */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

const EXPLICIT_RATE_INDEX = 0xf;

export interface AacConfig {
  /** The first (signalled) object type: 5 or 29 for explicitly signalled HE-AAC. */
  objectType: number;
  /** SRS's profile name for objectType: "Main", "LC", "HE", "HEv2", "SSR", else "Other". */
  profile: string;
  /** 0..12, or 15 when the rate is explicit. */
  sampleRateIndex: number;
  /** The core rate in Hz (for HE-AAC, half the output rate). */
  sampleRate: number;
  channelConfig: number;
  /** Channels the channel configuration implies; 0 when a program config element defines them. */
  channels: number;
  /** For explicit SBR/PS signalling: the output rate and the underlying object type. */
  extensionSampleRate?: number;
  coreObjectType?: number;
}

export function parseAudioSpecificConfig(data: Uint8Array): AacConfig {
  if (data.length < 2) throw codecError(`aac config: ${data.length} bytes is too short, need 2`);
  const r = new BitReader(data, 'aac config');
  const objectType = readObjectType(r);
  if (objectType === 0) throw codecError('aac config: object type 0 is not valid');
  const { index: sampleRateIndex, rate: sampleRate } = readSampleRate(r);
  const channelConfig = r.bits(4);
  if (channelConfig > 7) throw codecError(`aac config: channel configuration ${channelConfig} is reserved`);
  const config: AacConfig = {
    objectType,
    profile: aacProfileName(objectType),
    sampleRateIndex,
    sampleRate,
    channelConfig,
    channels: channelConfig === 7 ? 8 : channelConfig,
  };
  if (objectType === AacObjectType.HE || objectType === AacObjectType.HEv2) {
    config.extensionSampleRate = readSampleRate(r).rate;
    config.coreObjectType = readObjectType(r);
  }
  return config;
}

function readObjectType(r: BitReader): number {
  const type = r.bits(5);
  return type === 31 ? 32 + r.bits(6) : type;
}

function readSampleRate(r: BitReader): { index: number; rate: number } {
  const index = r.bits(4);
  if (index === EXPLICIT_RATE_INDEX) {
    const rate = r.bits(24);
    if (rate === 0) throw codecError('aac config: explicit sample rate 0');
    return { index, rate };
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw codecError(`aac config: sample rate index ${index} is reserved`);
  return { index, rate };
}

/** Builds a 2-byte AudioSpecificConfig (5 bytes for a non-standard rate), e.g. from ADTS input. */
export function buildAudioSpecificConfig(objectType: number, sampleRate: number, channelConfig: number): Uint8Array {
  if (objectType < 1 || objectType > 30) throw codecError(`aac config: cannot build object type ${objectType}`);
  if (channelConfig < 0 || channelConfig > 7) throw codecError(`aac config: channel configuration ${channelConfig}`);
  const index = AAC_SAMPLE_RATES.indexOf(sampleRate);
  if (index >= 0) {
    return Uint8Array.of((objectType << 3) | (index >> 1), ((index & 1) << 7) | (channelConfig << 3));
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffff) {
    throw codecError(`aac config: sample rate ${sampleRate}`);
  }
  // 5 (type) + 4 (0xF) + 24 (rate) + 4 (channels) + 3 (GASpecificConfig zeros) = 40 bits.
  const bits = BigInt(objectType) << 35n | BigInt(EXPLICIT_RATE_INDEX) << 31n | BigInt(sampleRate) << 7n | BigInt(channelConfig) << 3n;
  const out = new Uint8Array(5);
  for (let i = 0; i < 5; i++) out[i] = Number((bits >> BigInt(8 * (4 - i))) & 0xffn);
  return out;
}

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  1: 'Main',
  2: 'LC',
  3: 'SSR',
  5: 'HE',
  29: 'HEv2',
};

export function aacProfileName(objectType: number): string {
  return PROFILE_NAMES[objectType] ?? 'Other';
}

export function aacAudioInfo(config: AacConfig): AudioCodecInfo {
  return { codec: 'aac', profile: config.profile, sampleRate: config.sampleRate, channels: config.channels };
}

export const ADTS_HEADER_SIZE = 7;
const ADTS_MAX_FRAME = 0x1fff;

/**
 * The 7-byte ADTS header (no CRC) for one raw AAC frame. ADTS has a 2-bit profile, so HE-AAC is
 * written as its LC core, as SRS does; a config with an explicit rate must match a standard one.
 */
export function buildAdtsHeader(config: AacConfig, rawFrameLength: number): Uint8Array {
  let objectType = config.objectType;
  if (objectType === AacObjectType.HE || objectType === AacObjectType.HEv2) objectType = AacObjectType.LC;
  if (objectType < 1 || objectType > 4) throw codecError(`adts: object type ${objectType} has no ADTS profile`);
  let rateIndex = config.sampleRateIndex;
  if (rateIndex === EXPLICIT_RATE_INDEX) {
    rateIndex = AAC_SAMPLE_RATES.indexOf(config.sampleRate);
    if (rateIndex < 0) throw codecError(`adts: sample rate ${config.sampleRate} has no ADTS index`);
  }
  const frameLength = ADTS_HEADER_SIZE + rawFrameLength;
  if (rawFrameLength < 0 || frameLength > ADTS_MAX_FRAME) throw codecError(`adts: frame of ${rawFrameLength} bytes too long`);
  const profile = objectType - 1;
  const channels = config.channelConfig;
  const fullness = 0x7ff; // variable bitrate
  return Uint8Array.of(
    0xff,
    0xf1, // syncword end, MPEG-4, layer 0, protection absent
    (profile << 6) | (rateIndex << 2) | (channels >> 2),
    ((channels & 3) << 6) | (frameLength >> 11),
    (frameLength >> 3) & 0xff,
    ((frameLength & 7) << 5) | (fullness >> 6),
    ((fullness & 0x3f) << 2) | 0, // one raw data block
  );
}

export interface AdtsHeader {
  objectType: number;
  sampleRateIndex: number;
  sampleRate: number;
  channelConfig: number;
  /** Header plus payload, bytes. */
  frameLength: number;
  headerLength: 7 | 9;
  rawDataBlocks: number;
}

/** Parses the ADTS header at `offset` (MPEG-TS and raw .aac ingest). */
export function parseAdtsHeader(data: Uint8Array, offset = 0): AdtsHeader {
  if (data.length - offset < ADTS_HEADER_SIZE) throw codecError('adts: truncated header');
  const b = data.subarray(offset, offset + ADTS_HEADER_SIZE);
  if (b[0] !== 0xff || (b[1]! & 0xf6) !== 0xf0) throw codecError('adts: no syncword');
  const protectionAbsent = (b[1]! & 1) === 1;
  const objectType = (b[2]! >> 6) + 1;
  const sampleRateIndex = (b[2]! >> 2) & 0xf;
  const sampleRate = AAC_SAMPLE_RATES[sampleRateIndex];
  if (sampleRate === undefined) throw codecError(`adts: sample rate index ${sampleRateIndex} is reserved`);
  const channelConfig = ((b[2]! & 1) << 2) | (b[3]! >> 6);
  const frameLength = ((b[3]! & 3) << 11) | (b[4]! << 3) | (b[5]! >> 5);
  const headerLength = protectionAbsent ? 7 : 9;
  if (frameLength < headerLength) throw codecError(`adts: frame length ${frameLength} shorter than its header`);
  return {
    objectType,
    sampleRateIndex,
    sampleRate,
    channelConfig,
    frameLength,
    headerLength,
    rawDataBlocks: (b[6]! & 3) + 1,
  };
}
