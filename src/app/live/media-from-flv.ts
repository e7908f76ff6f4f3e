/**
 * Turns an RTMP/FLV media message (audio 8, video 9, AMF data 18/15) into a MediaPacket:
 * flags from the tag header, and metadata normalised to `onMetaData` as players expect it
 * (a publisher's `@setDataFrame("onMetaData", ...)` loses its wrapper, as SRS does).
 */
import { TsrsError } from '../../core/errors.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { parseAudioTag } from '../../protocol/flv/audio.js';
import { parseVideoTag } from '../../protocol/flv/video.js';
import { decodeData } from '../../protocol/rtmp/messages-command.js';
import { encodeOnMetaData } from '../../protocol/rtmp/messages-replies.js';
import { RtmpCommandName, RtmpMessageType } from '../../protocol/rtmp/messages.js';
import type { AmfEcmaArray, AmfObject } from '../../protocol/amf/amf-types.js';

/** A media packet, or undefined for messages players need not see (empty, other data). */
export function mediaFromFlv(typeId: number, timestamp: number, payload: Buffer): MediaPacket | undefined {
  if (payload.length === 0) return undefined;
  switch (typeId) {
    case RtmpMessageType.Video: {
      const tag = parseVideoTag(payload);
      return { kind: 'video', timestamp, payload, isKeyframe: tag.isKeyframe, isSequenceHeader: tag.isSequenceHeader };
    }
    case RtmpMessageType.Audio: {
      const tag = parseAudioTag(payload);
      return { kind: 'audio', timestamp, payload, isKeyframe: false, isSequenceHeader: tag.isSequenceHeader };
    }
    case RtmpMessageType.DataAmf0:
    case RtmpMessageType.DataAmf3:
      return metadataPacket(typeId, timestamp, payload);
    default:
      throw new TsrsError('RtmpMessageDecode', `message type ${typeId} is not media`);
  }
}

function metadataPacket(typeId: number, timestamp: number, payload: Buffer): MediaPacket | undefined {
  const data = decodeData(typeId, payload);
  let metadata: unknown;
  if (data.name === RtmpCommandName.SetDataFrame && data.values[0] === RtmpCommandName.OnMetaData) {
    metadata = data.values[1];
  } else if (data.name === RtmpCommandName.OnMetaData) {
    metadata = data.values[0];
  } else {
    return undefined;
  }
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const body = encodeOnMetaData(metadata as AmfObject | AmfEcmaArray);
  return { kind: 'data', timestamp, payload: body, isKeyframe: false, isSequenceHeader: false };
}
