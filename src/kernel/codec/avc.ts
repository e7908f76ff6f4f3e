/**
 * H.264/AVC (ISO/IEC 14496-10 and -15): the AVCDecoderConfigurationRecord an RTMP/FLV sequence
 * header carries, the SPS fields a server needs (size, profile, level), and NAL unit helpers.
 */
import { BitReader, nalToRbsp } from './bit-reader.js';
import { codecError } from './codec-error.js';
import { isNalLengthSize, splitLengthPrefixed, type NalLengthSize } from './nalu.js';
import type { VideoCodecInfo } from './types.js';

export {
  annexBToLengthPrefixed,
  lengthPrefixedToAnnexB,
  splitAnnexB,
  splitLengthPrefixed,
} from './nalu.js';

/** nal_unit_type values (Table 7-1). */
export const AvcNalType = {
  NonIdr: 1,
  DataPartitionA: 2,
  Idr: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  AccessUnitDelimiter: 9,
  EndOfSequence: 10,
  EndOfStream: 11,
  Filler: 12,
  SpsExtension: 13,
  Prefix: 14,
  SubsetSps: 15,
} as const;

export function avcNalType(nalu: Uint8Array): number {
  if (nalu.length === 0) throw codecError('avc: empty nal unit');
  return nalu[0]! & 0x1f;
}

export function isAvcIdr(nalu: Uint8Array): boolean {
  return nalu.length > 0 && (nalu[0]! & 0x1f) === AvcNalType.Idr;
}

/** Whether a length-prefixed access unit holds an IDR slice (a true random access point). */
export function avcHasIdr(data: Uint8Array, nalLengthSize: NalLengthSize): boolean {
  return splitLengthPrefixed(data, nalLengthSize).some(isAvcIdr);
}

export interface AvcDecoderConfigurationRecord {
  version: number;
  profileIdc: number;
  profileCompatibility: number;
  levelIdc: number;
  nalLengthSize: NalLengthSize;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export function parseAvcDecoderConfigurationRecord(data: Uint8Array): AvcDecoderConfigurationRecord {
  const r = new BitReader(data, 'avc decoder configuration record');
  const version = r.u8();
  if (version !== 1) throw codecError(`avc decoder configuration record: version ${version}, expected 1`);
  const profileIdc = r.u8();
  const profileCompatibility = r.u8();
  const levelIdc = r.u8();
  r.skip(6);
  const nalLengthSize = r.bits(2) + 1;
  // lengthSizeMinusOne = 2 (3-byte lengths) is not allowed by ISO 14496-15; SRS rejects it too.
  if (!isNalLengthSize(nalLengthSize)) {
    throw codecError(`avc decoder configuration record: invalid NAL length size ${nalLengthSize}`);
  }
  r.skip(3);
  const sps = readParameterSets(r, r.bits(5), 'sps');
  const pps = readParameterSets(r, r.u8(), 'pps');
  if (sps.length === 0) throw codecError('avc decoder configuration record: no sps');
  if (pps.length === 0) throw codecError('avc decoder configuration record: no pps');
  // High-profile records may append chroma/bit-depth/SPS-ext fields; the SPS has the same facts.
  return { version, profileIdc, profileCompatibility, levelIdc, nalLengthSize, sps, pps };
}

function readParameterSets(r: BitReader, count: number, what: string): Uint8Array[] {
  const sets: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.u16();
    if (length === 0) throw codecError(`avc decoder configuration record: empty ${what} #${i}`);
    sets.push(r.bytes(length));
  }
  return sets;
}

/** Builds a record from parameter sets (for sources that arrive as Annex B: RTC, SRT, TS ingest). */
export function buildAvcDecoderConfigurationRecord(
  sps: readonly Uint8Array[],
  pps: readonly Uint8Array[],
  nalLengthSize: NalLengthSize = 4,
): Uint8Array {
  const first = sps[0];
  if (!first || first.length < 4) throw codecError('avc: need an sps of at least 4 bytes to build a record');
  if (pps.length === 0) throw codecError('avc: need a pps to build a record');
  if (sps.length > 31 || pps.length > 255) throw codecError('avc: too many parameter sets for a record');
  const size = 7 + [...sps, ...pps].reduce((sum, set) => sum + 2 + set.length, 0);
  const out = new Uint8Array(size);
  out.set([1, first[1]!, first[2]!, first[3]!, 0xfc | (nalLengthSize - 1), 0xe0 | sps.length]);
  let pos = 6;
  const put = (set: Uint8Array) => {
    if (set.length > 0xffff) throw codecError('avc: parameter set longer than 65535 bytes');
    out[pos] = set.length >>> 8;
    out[pos + 1] = set.length & 0xff;
    out.set(set, pos + 2);
    pos += 2 + set.length;
  };
  sps.forEach(put);
  out[pos++] = pps.length;
  pps.forEach(put);
  return out;
}

export interface AvcSps {
  profileIdc: number;
  /** constraint_set0..5 flags and the 2 reserved bits, as the byte. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  frameMbsOnly: boolean;
  /** Size in pixels after frame cropping: what players show. */
  width: number;
  height: number;
  /** Size before cropping, whole macroblocks. */
  codedWidth: number;
  codedHeight: number;
}

/** Profiles whose SPS carries chroma format, bit depth and scaling matrices (7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an SPS NAL unit, header byte included. */
export function parseAvcSps(nalu: Uint8Array): AvcSps {
  if (nalu.length < 4) throw codecError(`avc sps: ${nalu.length} bytes is too short`);
  if ((nalu[0]! & 0x1f) !== AvcNalType.Sps) throw codecError(`avc sps: nal type ${nalu[0]! & 0x1f}, expected 7`);
  const r = new BitReader(nalToRbsp(nalu.subarray(1)), 'avc sps');
  const profileIdc = r.u8();
  const constraintFlags = r.u8();
  const levelIdc = r.u8();
  const spsId = r.ue();
  if (spsId > 31) throw codecError(`avc sps: seq_parameter_set_id ${spsId} out of range`);

  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw codecError(`avc sps: chroma_format_idc ${chromaFormatIdc} out of range`);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    if (bitDepthLuma > 14 || bitDepthChroma > 14) throw codecError('avc sps: bit depth out of range');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  r.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = r.ue();
  if (picOrderCntType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) throw codecError(`avc sps: num_ref_frames_in_pic_order_cnt_cycle ${cycle} out of range`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (picOrderCntType !== 2) {
    throw codecError(`avc sps: pic_order_cnt_type ${picOrderCntType} out of range`);
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag

  const codedWidth = widthInMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
  let width = codedWidth;
  let height = codedHeight;
  if (r.flag()) {
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    // Crop offsets count chroma samples (and field pairs when interlaced), Table 6-1 / 7.4.2.1.1.
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    width -= cropUnitX * (left + right);
    height -= cropUnitY * (top + bottom);
    if (width <= 0 || height <= 0) throw codecError(`avc sps: cropping leaves ${width}x${height}`);
  }
  return {
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    frameMbsOnly,
    width,
    height,
    codedWidth,
    codedHeight,
  };
}

/** scaling_list() syntax (7.3.2.1.1.1): only read to get past it. */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) throw codecError(`avc sps: delta_scale ${delta} out of range`);
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High(10)',
  122: 'High(422)',
  144: 'High(444)',
  244: 'High(444+Predictive)',
};

/**
 * SRS's name for profile_idc as its HTTP API reports it ("Baseline", "High", ...), else "Other".
 * Like SRS, only the profile byte counts, so constrained/intra variants share their base name.
 */
export function avcProfileName(profileIdc: number): string {
  return PROFILE_NAMES[profileIdc] ?? 'Other';
}

/** level_idc as SRS shows it: 31 -> "3.1", 30 -> "3", 9 -> "1b". */
export function avcLevelName(levelIdc: number): string {
  if (levelIdc === 9) return '1b';
  if (levelIdc < 10 || levelIdc > 99) return 'Other';
  const major = Math.floor(levelIdc / 10);
  const minor = levelIdc % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}

/**
 * Stream facts from a sequence header: profile and level from the record (as SRS reports them),
 * size from its first SPS.
 */
export function avcVideoInfo(record: AvcDecoderConfigurationRecord): VideoCodecInfo {
  const sps = parseAvcSps(record.sps[0]!);
  return {
    codec: 'h264',
    profile: avcProfileName(record.profileIdc),
    level: avcLevelName(record.levelIdc),
    width: sps.width,
    height: sps.height,
  };
}
