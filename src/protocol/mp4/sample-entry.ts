/**
 * Sample entries (the stsd children) for the codecs an RTMP stream carries into a recording:
 * avc1 + avcC and hvc1 + hvcC hold the FLV sequence header's decoder configuration record as is;
 * mp4a + esds holds the AAC AudioSpecificConfig (or nothing, for MP3), per ISO/IEC 14496-14/15.
 */
import { box, Fields, fullBox } from './box.js';
import { mp4Error } from './mp4-error.js';

export interface VideoSampleEntry {
  kind: 'video';
  format: 'avc1' | 'hvc1';
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord or HEVCDecoderConfigurationRecord. */
  record: Uint8Array;
}

/** MPEG-4 objectTypeIndication values (ISO/IEC 14496-1 Table 5, MP4RA). */
export const ObjectTypeIndication = {
  Aac: 0x40,
  Mp3: 0x6b,
} as const;

export interface AudioSampleEntry {
  kind: 'audio';
  format: 'mp4a';
  channels: number;
  sampleRate: number;
  objectTypeIndication: number;
  /** AudioSpecificConfig for AAC; absent for MP3. */
  decoderSpecificInfo?: Uint8Array;
}

export type SampleEntry = VideoSampleEntry | AudioSampleEntry;

export function sameSampleEntry(a: SampleEntry, b: SampleEntry): boolean {
  if (a.kind === 'video' && b.kind === 'video') {
    return a.format === b.format && a.width === b.width && a.height === b.height && Buffer.compare(a.record, b.record) === 0;
  }
  if (a.kind === 'audio' && b.kind === 'audio') {
    const da = a.decoderSpecificInfo ?? new Uint8Array(0);
    const db = b.decoderSpecificInfo ?? new Uint8Array(0);
    return (
      a.channels === b.channels &&
      a.sampleRate === b.sampleRate &&
      a.objectTypeIndication === b.objectTypeIndication &&
      Buffer.compare(da, db) === 0
    );
  }
  return false;
}

export function buildSampleEntry(entry: SampleEntry): Buffer {
  return entry.kind === 'video' ? visualEntry(entry) : audioEntry(entry);
}

/** SampleEntry's common start: 6 reserved bytes and data_reference_index 1 (the one dref url). */
function entryStart(f: Fields): Fields {
  return f.zeros(6).u16(1);
}

function visualEntry(e: VideoSampleEntry): Buffer {
  if (e.width > 0xffff || e.height > 0xffff) throw mp4Error(`video size ${e.width}x${e.height} does not fit 16 bits`);
  const f = entryStart(new Fields(86));
  f.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined[3]
  f.u16(e.width).u16(e.height);
  f.u32(0x00480000).u32(0x00480000); // 72 dpi
  f.u32(0); // reserved
  f.u16(1); // frame_count
  f.zeros(32); // compressorname: empty Pascal string
  f.u16(0x0018); // depth: colour, no alpha
  f.u16(0xffff); // pre_defined = -1
  return box(e.format, f.toBuffer(), box(e.format === 'avc1' ? 'avcC' : 'hvcC', e.record));
}

function audioEntry(e: AudioSampleEntry): Buffer {
  const f = entryStart(new Fields(28));
  f.zeros(8); // reserved[2]
  f.u16(e.channels).u16(16).u16(0).u16(0);
  // 16.16 fixed point: rates above 65535 Hz do not fit; the decoder config has the real one.
  f.u32(e.sampleRate <= 0xffff ? e.sampleRate * 0x10000 : 0);
  return box('mp4a', f.toBuffer(), esds(e));
}

/** An MPEG-4 descriptor: tag, expandable length (7 bits per byte, high bit = more), body. */
function descriptor(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length >= 1 << 28) throw mp4Error(`descriptor of ${body.length} bytes is too long`);
  const lengthBytes: number[] = [];
  let n = body.length;
  do {
    lengthBytes.unshift(n & 0x7f);
    n >>>= 7;
  } while (n > 0);
  for (let i = 0; i < lengthBytes.length - 1; i++) lengthBytes[i]! |= 0x80;
  return Buffer.concat([Buffer.from([tag, ...lengthBytes]), body]);
}

function esds(e: AudioSampleEntry): Buffer {
  const AUDIO_STREAM = 0x05;
  const decoderConfig = new Fields(13)
    .u8(e.objectTypeIndication)
    .u8((AUDIO_STREAM << 2) | 0x01) // streamType, upStream 0, reserved 1
    .u24(0) // bufferSizeDB: unknown
    .u32(0) // maxBitrate: unknown
    .u32(0) // avgBitrate: variable/unknown
    .toBuffer();
  const dsi = e.decoderSpecificInfo ? [descriptor(0x05, e.decoderSpecificInfo)] : [];
  const es = descriptor(
    0x03,
    new Fields(3).u16(0).u8(0).toBuffer(), // ES_ID 0 (the track's), no dependency/URL/OCR
    descriptor(0x04, decoderConfig, ...dsi),
    descriptor(0x06, Buffer.from([0x02])), // SLConfigDescriptor: predefined MP4
  );
  return fullBox('esds', 0, 0, es);
}
