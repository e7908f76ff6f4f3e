/**
 * The protocol-neutral codec model. FLV codec ids, Enhanced RTMP / ISOBMFF FourCCs, SDP names
 * and MPEG-TS stream types all map onto these names, so HLS, DVR and WebRTC branch on
 * `VideoCodec`/`AudioCodec` and a new codec (HEVC, AV1) is a new case, not a new design.
 */

export type VideoCodec =
  | 'h264'
  | 'hevc'
  | 'av1'
  | 'vp9'
  | 'vp8'
  | 'vp6'
  | 'vp6a'
  | 'h263'
  | 'screen'
  | 'screen2';

export type AudioCodec =
  | 'aac'
  | 'mp3'
  | 'opus'
  | 'pcma'
  | 'pcmu'
  | 'speex'
  | 'pcm'
  | 'pcm-le'
  | 'adpcm'
  | 'nellymoser'
  | 'ac3'
  | 'eac3'
  | 'flac'
  | 'device-specific';

/** What a video sequence header tells about a stream (SRS's stream info in the HTTP API). */
export interface VideoCodecInfo {
  codec: VideoCodec;
  /** SRS's profile name, e.g. "High", "Main10". */
  profile: string;
  /** SRS's level name, e.g. "3.1". */
  level: string;
  width: number;
  height: number;
}

/** What an audio sequence header tells about a stream. */
export interface AudioCodecInfo {
  codec: AudioCodec;
  /** SRS's profile name where the codec has one ("LC", "HE"), else ''. */
  profile: string;
  sampleRate: number;
  channels: number;
}

/**
 * ISOBMFF sample entry FourCCs, which Enhanced RTMP reuses as its codec ids, so one table serves
 * MP4/DVR and RTMP.
 */
const VIDEO_FOURCCS: Readonly<Record<string, VideoCodec>> = {
  avc1: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  av01: 'av1',
  vp09: 'vp9',
  vp08: 'vp8',
};

const AUDIO_FOURCCS: Readonly<Record<string, AudioCodec>> = {
  mp4a: 'aac',
  '.mp3': 'mp3',
  Opus: 'opus',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  fLaC: 'flac',
};

export function videoCodecFromFourcc(fourcc: string): VideoCodec | undefined {
  return Object.hasOwn(VIDEO_FOURCCS, fourcc) ? VIDEO_FOURCCS[fourcc] : undefined;
}

export function audioCodecFromFourcc(fourcc: string): AudioCodec | undefined {
  return Object.hasOwn(AUDIO_FOURCCS, fourcc) ? AUDIO_FOURCCS[fourcc] : undefined;
}

const SRS_VIDEO_NAMES: Readonly<Record<VideoCodec, string>> = {
  h264: 'H264',
  hevc: 'H265',
  av1: 'AV1',
  vp9: 'VP9',
  vp8: 'VP8',
  vp6: 'VP6',
  vp6a: 'VP6Alpha',
  h263: 'H263',
  screen: 'Screen',
  screen2: 'ScreenVideo2',
};

const SRS_AUDIO_NAMES: Readonly<Record<AudioCodec, string>> = {
  aac: 'AAC',
  mp3: 'MP3',
  opus: 'Opus',
  pcma: 'G711APCM',
  pcmu: 'G711MuPCM',
  speex: 'Speex',
  pcm: 'LinearPCMPlatformEndian',
  'pcm-le': 'LinearPCMLittleEndian',
  adpcm: 'ADPCM',
  nellymoser: 'Nellymoser',
  ac3: 'AC3',
  eac3: 'EAC3',
  flac: 'FLAC',
  'device-specific': 'DeviceSpecific',
};

/** The codec name SRS's HTTP API reports (`video.codec`), e.g. "H264", "H265". */
export function srsVideoCodecName(codec: VideoCodec): string {
  return SRS_VIDEO_NAMES[codec];
}

/** The codec name SRS's HTTP API reports (`audio.codec`), e.g. "AAC", "MP3", "Opus". */
export function srsAudioCodecName(codec: AudioCodec): string {
  return SRS_AUDIO_NAMES[codec];
}
