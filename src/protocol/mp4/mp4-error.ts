import { TsrsError } from '../../core/errors.js';

/**
 * Media the MP4 muxer cannot store (a frame before its codec configuration, a broken record).
 * There is no MP4-specific code in src/core/errors.ts; like the FLV and TS parsers, the input
 * is a malformed media message.
 */
export function mp4Error(message: string): TsrsError {
  return new TsrsError('RtmpMessageDecode', `mp4: ${message}`);
}
