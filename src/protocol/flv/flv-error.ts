import { TsrsError } from '../../core/errors.js';

/** A malformed FLV tag or RTMP audio/video payload: the connection carrying it gets closed. */
export function flvError(message: string): TsrsError {
  return new TsrsError('RtmpMessageDecode', message);
}
