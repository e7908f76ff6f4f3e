/**
 * The quick look a publisher's hot path takes at a media message, read in place: is it a
 * plain coded AVC/HEVC or AAC frame, and a keyframe? Those are nearly every message of a
 * stream and need nothing more. Anything else (sequence headers, Enhanced RTMP, other
 * codecs, command frames, anything malformed) answers NotPlain and takes the full parse
 * (parseVideoTag / parseAudioTag), which agrees with this one on every plain frame.
 */
import { FlvSoundFormat } from './audio.js';
import { FlvTagType } from './tag.js';
import { FlvVideoCodecId, VideoFrameType } from './video.js';

export const PlainFrame = {
  NotPlain: 0,
  Frame: 1,
  Keyframe: 2,
} as const;
export type PlainFrame = (typeof PlainFrame)[keyof typeof PlainFrame];

/** AVCPacketType / AACPacketType of coded data (0 is the sequence header). */
const CODED_DATA = 1;
/** Frame type, packet type and composition time come before an AVC/HEVC frame's data. */
const AVC_HEADER_BYTES = 5;

export function classifyPlainFrame(typeId: number, bytes: Uint8Array, offset: number, length: number): PlainFrame {
  if (typeId === FlvTagType.Video) {
    if (length < AVC_HEADER_BYTES || bytes[offset + 1] !== CODED_DATA) return PlainFrame.NotPlain;
    const first = bytes[offset]!;
    const codecId = first & 0x0f;
    if (codecId !== FlvVideoCodecId.AVC && codecId !== FlvVideoCodecId.HEVC) return PlainFrame.NotPlain;
    // The Enhanced RTMP bit (0x80) makes the frame type 8 or more: not plain.
    const frameType = first >> 4;
    if (frameType === VideoFrameType.Key) return PlainFrame.Keyframe;
    return frameType === VideoFrameType.Inter || frameType === VideoFrameType.DisposableInter ? PlainFrame.Frame : PlainFrame.NotPlain;
  }
  if (typeId === FlvTagType.Audio) {
    return length >= 2 && bytes[offset]! >> 4 === FlvSoundFormat.Aac && bytes[offset + 1] === CODED_DATA ? PlainFrame.Frame : PlainFrame.NotPlain;
  }
  return PlainFrame.NotPlain;
}
