/**
 * MPEG-TS (ISO/IEC 13818-1) numbers tsrs uses, and the PID layout SRS writes so players and
 * tools that learned SRS's streams see the same thing.
 */

export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
export const TS_HEADER_SIZE = 4;
/** Payload bytes of a packet without an adaptation field. */
export const TS_MAX_PAYLOAD = TS_PACKET_SIZE - TS_HEADER_SIZE;

export const TsPid = {
  Pat: 0x0000,
  Null: 0x1fff,
  /** SRS's PMT, video and audio PIDs. */
  Pmt: 0x1001,
  Video: 0x100,
  Audio: 0x101,
} as const;

export const TS_PROGRAM_NUMBER = 1;
export const TS_TRANSPORT_STREAM_ID = 1;

export const TsTableId = {
  Pat: 0x00,
  Pmt: 0x02,
} as const;

/** stream_type values of the PMT (Table 2-34 and its amendments). */
export const TsStreamType = {
  Mpeg1Audio: 0x03,
  Mpeg2Audio: 0x04,
  AacAdts: 0x0f,
  H264: 0x1b,
  Hevc: 0x24,
} as const;

/** PES stream_id values: the first video and audio streams. */
export const PesStreamId = {
  Video: 0xe0,
  Audio: 0xc0,
} as const;

export type TsVideoCodec = 'h264' | 'hevc';
/** 'mp3-lsf': MPEG-2/2.5 audio at the lower sampling frequencies (16-24 kHz and below). */
export type TsAudioCodec = 'aac' | 'mp3' | 'mp3-lsf';

export function videoStreamType(codec: TsVideoCodec): number {
  return codec === 'h264' ? TsStreamType.H264 : TsStreamType.Hevc;
}

/** MP3 at MPEG-1 rates is stream type 3; MPEG-2/2.5 (half/quarter) rates are type 4. */
export function audioStreamType(codec: TsAudioCodec): number {
  if (codec === 'aac') return TsStreamType.AacAdts;
  return codec === 'mp3' ? TsStreamType.Mpeg1Audio : TsStreamType.Mpeg2Audio;
}

/** The 90 kHz PTS/DTS/PCR-base clock wraps at 2^33. */
export const TS_CLOCK_WRAP = 2 ** 33;
export const TS_CLOCK_HZ = 90_000;

/** Milliseconds (possibly beyond 2^32, possibly negative) to the wrapped 33-bit 90 kHz clock. */
export function msTo90k(ms: number): number {
  const ticks = Math.round(ms * 90) % TS_CLOCK_WRAP;
  return ticks < 0 ? ticks + TS_CLOCK_WRAP : ticks;
}
