/**
 * FLV AUDIODATA headers, which are also the RTMP audio message payload: the classic header
 * (sound format, rate, size, type; AAC packet type) and Enhanced RTMP's ExAudioTagHeader
 * (sound format 9, FourCC, packet types, ModEx, multitrack).
 */
import { audioCodecFromFourcc, type AudioCodec } from '../../kernel/codec/types.js';
import { readModEx, readMultitrackHeader, readTrackSpans, type MultitrackType } from './enhanced.js';
import { flvError } from './flv-error.js';
import { TagCursor } from './tag-cursor.js';

/** Classic SoundFormat values. 13 is Opus as SRS numbers it; 9 switches to the enhanced header. */
export const FlvSoundFormat = {
  LinearPcmPlatformEndian: 0,
  Adpcm: 1,
  Mp3: 2,
  LinearPcmLittleEndian: 3,
  Nellymoser16kMono: 4,
  Nellymoser8kMono: 5,
  Nellymoser: 6,
  G711ALaw: 7,
  G711MuLaw: 8,
  ExHeader: 9,
  Aac: 10,
  Speex: 11,
  Opus: 13,
  Mp38k: 14,
  DeviceSpecific: 15,
} as const;

const CLASSIC_CODECS: Readonly<Record<number, AudioCodec>> = {
  0: 'pcm',
  1: 'adpcm',
  2: 'mp3',
  3: 'pcm-le',
  4: 'nellymoser',
  5: 'nellymoser',
  6: 'nellymoser',
  7: 'pcma',
  8: 'pcmu',
  10: 'aac',
  11: 'speex',
  13: 'opus',
  14: 'mp3',
  15: 'device-specific',
};

/** SoundRate bits -> Hz (AAC always signals 3 and takes its real rate from the config). */
export const FLV_SOUND_RATES: readonly number[] = [5512, 11025, 22050, 44100];

/** Enhanced RTMP AudioPacketType values. */
export const ExAudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;

export type AudioPacketKind = 'sequence-start' | 'coded-frames' | 'sequence-end' | 'multichannel-config';

const EX_PACKET_KINDS: Readonly<Record<number, AudioPacketKind>> = {
  0: 'sequence-start',
  1: 'coded-frames',
  2: 'sequence-end',
  4: 'multichannel-config',
};

export interface AudioTrack {
  trackId: number;
  fourcc: string;
  codec: AudioCodec | undefined;
  dataOffset: number;
  dataLength: number;
}

export interface AudioTag {
  enhanced: boolean;
  /** The 4-bit SoundFormat (9 for enhanced tags). */
  soundFormat: number;
  /** Enhanced header only (of the first track for multitrack tags). */
  fourcc?: string;
  /** undefined: a format tsrs does not know; forward it as opaque bytes. */
  codec: AudioCodec | undefined;
  packetType: AudioPacketKind;
  /** AudioSpecificConfig / OpusHead / FLAC header: what a late joiner needs first. */
  isSequenceHeader: boolean;
  /** Classic header only: the rate, sample size and channel bits as signalled. */
  sampleRate?: number;
  sampleSize?: 8 | 16;
  channels?: 1 | 2;
  dataOffset: number;
  dataLength: number;
  /** Enhanced ModEx TimestampOffsetNano, 0 when absent. */
  timestampNanoOffset: number;
  multitrack?: { type: MultitrackType; tracks: AudioTrack[] };
}

/** Parses the header of an RTMP audio message / FLV audio tag body; throws RtmpMessageDecode. */
export function parseAudioTag(payload: Uint8Array): AudioTag {
  if (payload.length === 0) throw flvError('audio tag: empty payload');
  return payload[0]! >> 4 === FlvSoundFormat.ExHeader ? parseEnhanced(payload) : parseClassic(payload);
}

function parseClassic(payload: Uint8Array): AudioTag {
  const cursor = new TagCursor(payload, 'audio tag');
  const first = cursor.u8('header');
  const soundFormat = first >> 4;
  const tag: AudioTag = {
    enhanced: false,
    soundFormat,
    codec: CLASSIC_CODECS[soundFormat],
    packetType: 'coded-frames',
    isSequenceHeader: false,
    sampleRate: FLV_SOUND_RATES[(first >> 2) & 3]!,
    sampleSize: first & 0x02 ? 16 : 8,
    channels: first & 0x01 ? 2 : 1,
    dataOffset: 1,
    dataLength: 0,
    timestampNanoOffset: 0,
  };
  if (soundFormat === FlvSoundFormat.Aac) {
    const packetType = cursor.u8('aac packet type');
    if (packetType > 1) throw flvError(`audio tag: aac packet type ${packetType} is not 0 or 1`);
    tag.packetType = packetType === 0 ? 'sequence-start' : 'coded-frames';
    tag.isSequenceHeader = packetType === 0;
  } else if (payload.length < 2) {
    throw flvError(`audio tag: no data after the header (sound format ${soundFormat})`);
  }
  tag.dataOffset = cursor.pos;
  tag.dataLength = payload.length - cursor.pos;
  return tag;
}

function parseEnhanced(payload: Uint8Array): AudioTag {
  const cursor = new TagCursor(payload, 'enhanced audio tag');
  const first = cursor.u8('header');
  const modEx = readModEx(cursor, first & 0x0f);
  let packetType = modEx.packetType;
  const multitrack = packetType === ExAudioPacketType.Multitrack ? readMultitrackHeader(cursor, packetType) : undefined;
  if (multitrack) packetType = multitrack.packetType;
  const kind = EX_PACKET_KINDS[packetType];
  if (!kind) throw flvError(`enhanced audio tag: packet type ${packetType} is reserved`);
  const fourcc = multitrack ? (multitrack.fourcc ?? '') : cursor.fourcc('fourcc');

  const tracks = readTrackSpans(cursor, multitrack, fourcc).map(
    (span): AudioTrack => ({
      trackId: span.trackId,
      fourcc: span.fourcc,
      codec: audioCodecFromFourcc(span.fourcc),
      dataOffset: span.bodyStart,
      dataLength: span.bodyEnd - span.bodyStart,
    }),
  );
  const primary = tracks[0]!;
  const tag: AudioTag = {
    enhanced: true,
    soundFormat: FlvSoundFormat.ExHeader,
    fourcc: primary.fourcc,
    codec: primary.codec,
    packetType: kind,
    isSequenceHeader: kind === 'sequence-start',
    dataOffset: primary.dataOffset,
    dataLength: primary.dataLength,
    timestampNanoOffset: modEx.timestampNanoOffset,
  };
  if (multitrack) tag.multitrack = { type: multitrack.type, tracks };
  return tag;
}

/** The codec data of the first (or only) track. */
export function audioTagData(payload: Uint8Array, tag: AudioTag): Uint8Array {
  return payload.subarray(tag.dataOffset, tag.dataOffset + tag.dataLength);
}
