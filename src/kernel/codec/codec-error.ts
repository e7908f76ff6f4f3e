/**
 * The one place codec parsers make their error, so the code they carry can change in one line.
 * SRS reports codec parse failures of RTMP payloads as message decode errors; there is no
 * codec-specific code in src/core/errors.ts yet.
 */
import { TsrsError } from '../../core/errors.js';

export function codecError(message: string): TsrsError {
  return new TsrsError('RtmpMessageDecode', message);
}
