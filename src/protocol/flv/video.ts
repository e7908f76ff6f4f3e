/**
 * FLV VIDEODATA headers, which are also the RTMP video message payload: the classic header
 * (frame type + codec id, AVC/HEVC packet type, composition time) and Enhanced RTMP's ExVideoTagHeader
 * (IsExHeader bit, FourCC, packet types, ModEx, multitrack). The gop cache, HLS and DVR rely on
 * isKeyframe / isSequenceHeader, so those follow the specs exactly.
 */
import { videoCodecFromFourcc, type VideoCodec } from '../../kernel/codec/types.js';
import { readModEx, readMultitrackHeader, readTrackSpans, type MultitrackType } from './enhanced.js';
import { flvError } from './flv-error.js';
import { TagCursor } from './tag-cursor.js';

/** FLV frame types (classic 4 bits, enhanced 3 bits; same values). */
export const VideoFrameType = {
  Key: 1,
  Inter: 2,
  DisposableInter: 3,
  GeneratedKey: 4,
  /** Video info / command frame: a command byte, no picture. */
  Command: 5,
} as const;

/** Classic FLV codec ids; 12 is the HEVC id Chinese CDNs and SRS used before Enhanced RTMP. */
export const FlvVideoCodecId = {
  H263: 2,
  Screen: 3,
  VP6: 4,
  VP6Alpha: 5,
  Screen2: 6,
  AVC: 7,
  HEVC: 12,
} as const;

const CLASSIC_CODECS: Readonly<Record<number, VideoCodec>> = {
  2: 'h263',
  3: 'screen',
  4: 'vp6',
  5: 'vp6a',
  6: 'screen2',
  7: 'h264',
  12: 'hevc',
};

/** Enhanced RTMP VideoPacketType values. */
export const ExVideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  /** Coded frames with an implied composition time of 0. */
  CodedFramesX: 3,
  Metadata: 4,
  MPEG2TSSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;

export type VideoPacketKind =
  | 'sequence-start'
  | 'coded-frames'
  | 'sequence-end'
  | 'metadata'
  | 'mpeg2ts-sequence-start'
  | 'command';

const EX_PACKET_KINDS: Readonly<Record<number, VideoPacketKind>> = {
  0: 'sequence-start',
  1: 'coded-frames',
  2: 'sequence-end',
  3: 'coded-frames',
  4: 'metadata',
  5: 'mpeg2ts-sequence-start',
};

export interface VideoTrack {
  trackId: number;
  fourcc: string;
  codec: VideoCodec | undefined;
  compositionTime: number;
  dataOffset: number;
  dataLength: number;
}

export interface VideoTag {
  /** Enhanced RTMP header (IsExHeader set). */
  enhanced: boolean;
  frameType: number;
  /** Classic header only. */
  codecId?: number;
  /** Enhanced header only (of the first track for multitrack tags). */
  fourcc?: string;
  /** undefined: a codec tsrs does not know; forward it as opaque bytes. */
  codec: VideoCodec | undefined;
  packetType: VideoPacketKind;
  /** A coded key frame: where a GOP starts. False for sequence headers, ends, metadata, commands. */
  isKeyframe: boolean;
  /** A decoder configuration (AVC/HEVC record, av1C, vpcC, or an MPEG-2 TS descriptor). */
  isSequenceHeader: boolean;
  isEndOfSequence: boolean;
  /** Milliseconds, pts = dts + compositionTime; signed. */
  compositionTime: number;
  /** The codec data (record, NAL units, OBUs) of the first track. */
  dataOffset: number;
  dataLength: number;
  /** Command frames only: 0 start of seek, 1 end of seek. */
  command?: number;
  /** Enhanced ModEx TimestampOffsetNano, 0 when absent. */
  timestampNanoOffset: number;
  multitrack?: { type: MultitrackType; tracks: VideoTrack[] };
}

/** Parses the header of an RTMP video message / FLV video tag body; throws RtmpMessageDecode. */
export function parseVideoTag(payload: Uint8Array): VideoTag {
  if (payload.length === 0) throw flvError('video tag: empty payload');
  return (payload[0]! & 0x80) !== 0 ? parseEnhanced(payload) : parseClassic(payload);
}

function parseClassic(payload: Uint8Array): VideoTag {
  const cursor = new TagCursor(payload, 'video tag');
  const first = cursor.u8('header');
  const frameType = first >> 4;
  const codecId = first & 0x0f;
  if (frameType < VideoFrameType.Key || frameType > VideoFrameType.Command) {
    throw flvError(`video tag: frame type ${frameType} is reserved`);
  }
  const codec = CLASSIC_CODECS[codecId];
  const tag: VideoTag = {
    enhanced: false,
    frameType,
    codecId,
    codec,
    packetType: 'coded-frames',
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    compositionTime: 0,
    dataOffset: 1,
    dataLength: payload.length - 1,
    timestampNanoOffset: 0,
  };
  // A command frame carries one UI8 instead of any codec header.
  if (frameType === VideoFrameType.Command) {
    tag.packetType = 'command';
    tag.command = cursor.u8('command');
    return withData(tag, payload, cursor.pos);
  }
  if (codecId === FlvVideoCodecId.AVC || codecId === FlvVideoCodecId.HEVC) {
    const packetType = cursor.u8('avc packet type');
    if (packetType > 2) throw flvError(`video tag: avc packet type ${packetType} is not 0, 1 or 2`);
    tag.packetType = packetType === 0 ? 'sequence-start' : packetType === 1 ? 'coded-frames' : 'sequence-end';
    tag.compositionTime = cursor.s24('composition time');
  } else if (payload.length < 2) {
    throw flvError(`video tag: no data after the header (codec id ${codecId})`);
  }
  return classify(withData(tag, payload, cursor.pos));
}

function parseEnhanced(payload: Uint8Array): VideoTag {
  const cursor = new TagCursor(payload, 'enhanced video tag');
  const first = cursor.u8('header');
  const frameType = (first >> 4) & 0x07;
  if (frameType < VideoFrameType.Key || frameType > VideoFrameType.Command) {
    throw flvError(`enhanced video tag: frame type ${frameType} is reserved`);
  }
  const modEx = readModEx(cursor, first & 0x0f);
  let packetType = modEx.packetType;
  const base = {
    enhanced: true,
    frameType,
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    compositionTime: 0,
    timestampNanoOffset: modEx.timestampNanoOffset,
  };
  if (frameType === VideoFrameType.Command && packetType !== ExVideoPacketType.Metadata) {
    const command = cursor.u8('command');
    return { ...base, codec: undefined, packetType: 'command', command, dataOffset: cursor.pos, dataLength: cursor.remaining };
  }

  const multitrack = packetType === ExVideoPacketType.Multitrack ? readMultitrackHeader(cursor, packetType) : undefined;
  if (multitrack) packetType = multitrack.packetType;
  const kind = EX_PACKET_KINDS[packetType];
  if (!kind) throw flvError(`enhanced video tag: packet type ${packetType} is reserved`);
  const fourcc = multitrack ? (multitrack.fourcc ?? '') : cursor.fourcc('fourcc');

  const tracks = readTrackSpans(cursor, multitrack, fourcc).map((span): VideoTrack => {
    const codec = videoCodecFromFourcc(span.fourcc);
    let dataOffset = span.bodyStart;
    let compositionTime = 0;
    // Only AVC and HEVC carry a composition time, and only in CodedFrames (not CodedFramesX).
    if (packetType === ExVideoPacketType.CodedFrames && (codec === 'h264' || codec === 'hevc')) {
      const body = new TagCursor(payload.subarray(0, span.bodyEnd), 'enhanced video tag');
      body.pos = span.bodyStart;
      compositionTime = body.s24('composition time');
      dataOffset = body.pos;
    }
    return { trackId: span.trackId, fourcc: span.fourcc, codec, compositionTime, dataOffset, dataLength: span.bodyEnd - dataOffset };
  });
  const primary = tracks[0]!;
  const tag: VideoTag = {
    ...base,
    fourcc: primary.fourcc,
    codec: primary.codec,
    packetType: kind,
    compositionTime: primary.compositionTime,
    dataOffset: primary.dataOffset,
    dataLength: primary.dataLength,
  };
  if (multitrack) tag.multitrack = { type: multitrack.type, tracks };
  return classify(tag);
}

function withData(tag: VideoTag, payload: Uint8Array, offset: number): VideoTag {
  tag.dataOffset = offset;
  tag.dataLength = payload.length - offset;
  return tag;
}

function classify(tag: VideoTag): VideoTag {
  tag.isSequenceHeader = tag.packetType === 'sequence-start' || tag.packetType === 'mpeg2ts-sequence-start';
  tag.isEndOfSequence = tag.packetType === 'sequence-end';
  tag.isKeyframe = tag.packetType === 'coded-frames' && tag.frameType === VideoFrameType.Key;
  return tag;
}

/** The codec data of the first (or only) track. */
export function videoTagData(payload: Uint8Array, tag: VideoTag): Uint8Array {
  return payload.subarray(tag.dataOffset, tag.dataOffset + tag.dataLength);
}
