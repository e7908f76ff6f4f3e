/**
 * H.265/HEVC (ITU-T H.265 and ISO/IEC 14496-15): the HEVCDecoderConfigurationRecord carried by
 * Enhanced RTMP ('hvc1') and the legacy FLV codec id 12, the SPS fields a server needs, and
 * NAL unit helpers. Mirrors avc.ts so consumers treat both the same way.
 */
import { BitReader, nalToRbsp } from './bit-reader.js';
import { codecError } from './codec-error.js';
import { isNalLengthSize, splitLengthPrefixed, type NalLengthSize } from './nalu.js';
import type { VideoCodecInfo } from './types.js';

/** nal_unit_type values (Table 7-1). */
export const HevcNalType = {
  TrailN: 0,
  TrailR: 1,
  BlaWLp: 16,
  BlaWRadl: 17,
  BlaNLp: 18,
  IdrWRadl: 19,
  IdrNLp: 20,
  Cra: 21,
  ReservedIrap23: 23,
  Vps: 32,
  Sps: 33,
  Pps: 34,
  AccessUnitDelimiter: 35,
  EndOfSequence: 36,
  EndOfBitstream: 37,
  Filler: 38,
  PrefixSei: 39,
  SuffixSei: 40,
} as const;

export function hevcNalType(nalu: Uint8Array): number {
  if (nalu.length < 2) throw codecError(`hevc: nal unit of ${nalu.length} bytes has no 2-byte header`);
  return (nalu[0]! >>> 1) & 0x3f;
}

/** IRAP pictures (BLA, IDR, CRA): where a decoder, an HLS segment or a GOP can start. */
export function isHevcIrap(nalu: Uint8Array): boolean {
  if (nalu.length < 2) return false;
  const type = (nalu[0]! >>> 1) & 0x3f;
  return type >= HevcNalType.BlaWLp && type <= HevcNalType.ReservedIrap23;
}

export function hevcHasIrap(data: Uint8Array, nalLengthSize: NalLengthSize): boolean {
  return splitLengthPrefixed(data, nalLengthSize).some(isHevcIrap);
}

export interface HevcNalArray {
  nalType: number;
  arrayCompleteness: boolean;
  nalus: Uint8Array[];
}

export interface HevcDecoderConfigurationRecord {
  version: number;
  profileSpace: number;
  tierFlag: boolean;
  profileIdc: number;
  profileCompatibilityFlags: number;
  /** general_constraint_indicator_flags, 48 bits. */
  constraintIndicatorFlags: Uint8Array;
  levelIdc: number;
  minSpatialSegmentationIdc: number;
  parallelismType: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  avgFrameRate: number;
  constantFrameRate: number;
  numTemporalLayers: number;
  temporalIdNested: boolean;
  nalLengthSize: NalLengthSize;
  arrays: HevcNalArray[];
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export function parseHevcDecoderConfigurationRecord(data: Uint8Array): HevcDecoderConfigurationRecord {
  const what = 'hevc decoder configuration record';
  const r = new BitReader(data, what);
  const version = r.u8();
  // Version 0 appears in records written against drafts of 14496-15; the layout is the same.
  if (version > 1) throw codecError(`${what}: version ${version}, expected 1`);
  const profileSpace = r.bits(2);
  const tierFlag = r.flag();
  const profileIdc = r.bits(5);
  const profileCompatibilityFlags = r.bits(32);
  const constraintIndicatorFlags = r.bytes(6);
  const levelIdc = r.u8();
  r.skip(4);
  const minSpatialSegmentationIdc = r.bits(12);
  r.skip(6);
  const parallelismType = r.bits(2);
  r.skip(6);
  const chromaFormatIdc = r.bits(2);
  r.skip(5);
  const bitDepthLuma = r.bits(3) + 8;
  r.skip(5);
  const bitDepthChroma = r.bits(3) + 8;
  const avgFrameRate = r.u16();
  const constantFrameRate = r.bits(2);
  const numTemporalLayers = r.bits(3);
  const temporalIdNested = r.flag();
  const nalLengthSize = r.bits(2) + 1;
  if (!isNalLengthSize(nalLengthSize)) throw codecError(`${what}: invalid NAL length size ${nalLengthSize}`);

  const arrays: HevcNalArray[] = [];
  const numArrays = r.u8();
  for (let i = 0; i < numArrays; i++) {
    const arrayCompleteness = r.flag();
    r.skip(1);
    const nalType = r.bits(6);
    const count = r.u16();
    const nalus: Uint8Array[] = [];
    for (let j = 0; j < count; j++) {
      const length = r.u16();
      if (length === 0) throw codecError(`${what}: empty nal unit in array of type ${nalType}`);
      nalus.push(r.bytes(length));
    }
    arrays.push({ nalType, arrayCompleteness, nalus });
  }
  const ofType = (type: number) => arrays.filter((a) => a.nalType === type).flatMap((a) => a.nalus);
  const sps = ofType(HevcNalType.Sps);
  if (sps.length === 0) throw codecError(`${what}: no sps`);
  return {
    version,
    profileSpace,
    tierFlag,
    profileIdc,
    profileCompatibilityFlags,
    constraintIndicatorFlags,
    levelIdc,
    minSpatialSegmentationIdc,
    parallelismType,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    avgFrameRate,
    constantFrameRate,
    numTemporalLayers,
    temporalIdNested,
    nalLengthSize,
    arrays,
    vps: ofType(HevcNalType.Vps),
    sps,
    pps: ofType(HevcNalType.Pps),
  };
}

export interface HevcSps {
  maxSubLayers: number;
  profileSpace: number;
  tierFlag: boolean;
  profileIdc: number;
  profileCompatibilityFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Size after the conformance window: what players show. */
  width: number;
  height: number;
  codedWidth: number;
  codedHeight: number;
}

/** Parses an SPS NAL unit (2-byte header included) as far as size, bit depth and profile. */
export function parseHevcSps(nalu: Uint8Array): HevcSps {
  if (nalu.length < 4) throw codecError(`hevc sps: ${nalu.length} bytes is too short`);
  const type = (nalu[0]! >>> 1) & 0x3f;
  if (type !== HevcNalType.Sps) throw codecError(`hevc sps: nal type ${type}, expected 33`);
  const r = new BitReader(nalToRbsp(nalu.subarray(2)), 'hevc sps');
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayers = r.bits(3) + 1;
  if (maxSubLayers > 7) throw codecError('hevc sps: sps_max_sub_layers_minus1 out of range');
  r.skip(1); // sps_temporal_id_nesting_flag

  // profile_tier_level(1, sps_max_sub_layers_minus1), 7.3.3
  const profileSpace = r.bits(2);
  const tierFlag = r.flag();
  const profileIdc = r.bits(5);
  const profileCompatibilityFlags = r.bits(32);
  r.skip(48); // source flags and constraint flags
  const levelIdc = r.u8();
  const subLayerProfile: boolean[] = [];
  const subLayerLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayers - 1; i++) {
    subLayerProfile.push(r.flag());
    subLayerLevel.push(r.flag());
  }
  if (maxSubLayers > 1) r.skip(2 * (9 - maxSubLayers)); // reserved_zero_2bits up to 8 entries
  for (let i = 0; i < maxSubLayers - 1; i++) {
    if (subLayerProfile[i]) r.skip(88);
    if (subLayerLevel[i]) r.skip(8);
  }

  const spsId = r.ue();
  if (spsId > 15) throw codecError(`hevc sps: sps_seq_parameter_set_id ${spsId} out of range`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw codecError(`hevc sps: chroma_format_idc ${chromaFormatIdc} out of range`);
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  if (codedWidth === 0 || codedHeight === 0) throw codecError(`hevc sps: picture size ${codedWidth}x${codedHeight}`);
  let width = codedWidth;
  let height = codedHeight;
  if (r.flag()) {
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    // Window offsets count chroma samples (Table 6-1).
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
    if (width <= 0 || height <= 0) throw codecError(`hevc sps: conformance window leaves ${width}x${height}`);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > 16 || bitDepthChroma > 16) throw codecError('hevc sps: bit depth out of range');
  return {
    maxSubLayers,
    profileSpace,
    tierFlag,
    profileIdc,
    profileCompatibilityFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    width,
    height,
    codedWidth,
    codedHeight,
  };
}

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  1: 'Main',
  2: 'Main10',
  3: 'Main Still Picture',
  4: 'RExt',
};

/**
 * SRS-style profile name. general_profile_idc may be 0 when only the compatibility flags say
 * which profile conforms, so those are consulted next (flag j is bit 31 - j).
 */
export function hevcProfileName(profileIdc: number, compatibilityFlags = 0): string {
  let idc = profileIdc;
  if (idc === 0) {
    for (let j = 1; j < 32; j++) {
      if ((compatibilityFlags >>> (31 - j)) & 1) {
        idc = j;
        break;
      }
    }
  }
  return PROFILE_NAMES[idc] ?? 'Other';
}

/** general_level_idc is 30 x the level: 93 -> "3.1", 120 -> "4". */
export function hevcLevelName(levelIdc: number): string {
  if (levelIdc === 0 || levelIdc % 3 !== 0 || levelIdc > 255) return 'Other';
  const major = Math.floor(levelIdc / 30);
  const minor = (levelIdc % 30) / 3;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}

export function hevcVideoInfo(record: HevcDecoderConfigurationRecord): VideoCodecInfo {
  const sps = parseHevcSps(record.sps[0]!);
  return {
    codec: 'hevc',
    profile: hevcProfileName(record.profileIdc, record.profileCompatibilityFlags),
    level: hevcLevelName(record.levelIdc),
    width: sps.width,
    height: sps.height,
  };
}
