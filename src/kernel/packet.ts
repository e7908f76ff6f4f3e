/**
 * A media message as the kernel sees it, whatever protocol brought it in: the FLV tag body
 * (identical to the RTMP message payload) plus what the source needs to know about it.
 * Payloads are shared by every output and never mutated.
 */
export type MediaKind = 'audio' | 'video' | 'data';

/** RTMP/FLV message type ids of the three media kinds. */
export const MEDIA_TYPE_ID: Record<MediaKind, number> = { audio: 8, video: 9, data: 18 };

export interface MediaPacket {
  kind: MediaKind;
  /** Corrected timestamp in ms; may exceed 2^32 (wire formats reduce it). */
  timestamp: number;
  payload: Buffer;
  /** A video frame a decoder can start from (not a sequence header). */
  isKeyframe: boolean;
  /** AVC/HEVC/AV1 decoder configuration or AAC AudioSpecificConfig. */
  isSequenceHeader: boolean;
}
