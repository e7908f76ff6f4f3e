import { TsrsError } from '../../core/errors.js';

/**
 * A malformed MPEG-TS packet, section or PES. There is no TS-specific code in
 * src/core/errors.ts yet (SRS has ERROR_STREAM_CASTER_TS_*); message decode is the closest.
 */
export function tsError(message: string): TsrsError {
  return new TsrsError('RtmpMessageDecode', `mpegts: ${message}`);
}
