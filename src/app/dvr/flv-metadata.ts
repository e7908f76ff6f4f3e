/**
 * The onMetaData a DVR FLV file starts with: the publisher's metadata plus `duration` and
 * `filesize` (and `service`), as SRS writes it. Both numbers are placeholders patched when
 * the file is closed, so players and ffprobe see the real length of a recording that was
 * written while it happened. They are put first so their byte offsets are fixed.
 */
import { TSRS_SERVER } from '../../core/version.js';
import type { AmfObject } from '../../protocol/amf/amf-types.js';
import { AmfEcmaArray, amfProperties } from '../../protocol/amf/amf-types.js';
import { decodeAll, encodeAmf0 } from '../../protocol/amf/amf0.js';

export interface DvrMetadata {
  body: Buffer;
  /** Offsets inside body of the 8-byte doubles to patch. */
  durationAt: number;
  filesizeAt: number;
}

/** The publisher's onMetaData properties, or none when it sent none (or something unreadable). */
function publisherProperties(payload: Buffer | undefined): AmfObject {
  if (!payload) return {};
  try {
    const [name, value] = decodeAll(payload);
    if (name !== 'onMetaData' || value === undefined) return {};
    return amfProperties(value) ?? {};
  } catch {
    return {};
  }
}

export function buildDvrMetadata(publisherPayload: Buffer | undefined): DvrMetadata {
  const properties: AmfObject = { duration: 0, filesize: 0 };
  for (const [key, value] of Object.entries(publisherProperties(publisherPayload))) {
    if (key !== 'duration' && key !== 'filesize' && key !== 'service') properties[key] = value;
  }
  properties.service = TSRS_SERVER;
  const body = encodeAmf0('onMetaData', new AmfEcmaArray(properties));
  // string marker + u16 length + "onMetaData", ECMA marker + u32 count, then the first key.
  const firstKey = 1 + 2 + 'onMetaData'.length + 1 + 4;
  const durationAt = firstKey + 2 + 'duration'.length + 1;
  const filesizeAt = durationAt + 8 + 2 + 'filesize'.length + 1;
  return { body, durationAt, filesizeAt };
}

export function amfNumber(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(value, 0);
  return out;
}
