/**
 * h264-sps: reads what camwire needs from an H.264 sequence parameter set (§7.3.2.1.1): the
 * profile and level (for the WebCodecs / MSE codec string) and the cropped picture size.
 *
 * ```
 * SPS NAL:  hdr | profile_idc u8 | constraint flags u8 | level_idc u8 | seq_parameter_set_id ue
 *           [high profiles: chroma_format_idc ue, (separate_colour_plane u1), bit depths ue ue,
 *            qpprime u1, scaling matrices u1 …]
 *           log2_max_frame_num ue | pic_order_cnt_type ue … | max_num_ref_frames ue | gaps u1
 *           pic_width_in_mbs_minus1 ue | pic_height_in_map_units_minus1 ue | frame_mbs_only u1
 *           [mb_adaptive u1] | direct_8x8 u1 | frame_cropping u1 [left right top bottom ue×4]
 * ```
 *
 * Pure: the browser viewer bundles this file to configure its WebCodecs decoder.
 */
import { BitReader, NalType, nalType, splitAnnexB, unescapeRbsp } from './h264-nal.js';

/** Sps holds the parsed fields camwire uses. */
export interface Sps {
  profileIdc: number;
  constraintFlags: number;
  levelIdc: number;
  width: number;
  height: number;
}

// Profiles whose SPS carries chroma format, bit depth and scaling matrices (§7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** parseSps parses an SPS NAL unit (with its header byte); undefined if it is not a valid SPS. */
export function parseSps(nal: Uint8Array): Sps | undefined {
  if (nal.length < 4 || nalType(nal) !== NalType.SPS) return undefined;
  try {
    const r = new BitReader(unescapeRbsp(nal.subarray(1)));
    const profileIdc = r.bits(8);
    const constraintFlags = r.bits(8);
    const levelIdc = r.bits(8);
    r.ue(); // seq_parameter_set_id
    let chromaFormatIdc = 1;
    let separateColourPlane = 0;
    if (HIGH_PROFILES.has(profileIdc)) {
      chromaFormatIdc = r.ue();
      if (chromaFormatIdc > 3) return undefined;
      if (chromaFormatIdc === 3) separateColourPlane = r.bit();
      r.ue(); // bit_depth_luma_minus8
      r.ue(); // bit_depth_chroma_minus8
      r.bit(); // qpprime_y_zero_transform_bypass_flag
      if (r.bit()) {
        for (let i = 0; i < (chromaFormatIdc === 3 ? 12 : 8); i++) if (r.bit()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.bit();
      r.se();
      r.se();
      const cycle = r.ue();
      if (cycle > 255) return undefined;
      for (let i = 0; i < cycle; i++) r.se();
    } else if (pocType !== 2) return undefined;
    r.ue(); // max_num_ref_frames
    r.bit(); // gaps_in_frame_num_value_allowed_flag
    const widthMbs = r.ue() + 1;
    const heightMapUnits = r.ue() + 1;
    const frameMbsOnly = r.bit();
    if (!frameMbsOnly) r.bit(); // mb_adaptive_frame_field_flag
    r.bit(); // direct_8x8_inference_flag
    let crop = [0, 0, 0, 0];
    if (r.bit()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
    // Crop units (§7.4.2.1.1, Table 6-1): chroma subsampling, doubled vertically for field coding.
    const chroma = separateColourPlane ? 0 : chromaFormatIdc;
    const subW = chroma === 1 || chroma === 2 ? 2 : 1;
    const subH = chroma === 1 ? 2 : 1;
    const cropX = chroma === 0 ? 1 : subW;
    const cropY = (chroma === 0 ? 1 : subH) * (2 - frameMbsOnly);
    const width = widthMbs * 16 - cropX * (crop[0] + crop[1]);
    const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (crop[2] + crop[3]);
    if (width < 1 || height < 1 || width > 65535 || height > 65535) return undefined;
    return { profileIdc, constraintFlags, levelIdc, width, height };
  } catch {
    return undefined; // truncated or malformed
  }
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * avcCodecString builds the RFC 6381 codec string a WebCodecs VideoDecoder or MSE wants from an
 * SPS: `avc1.PPCCLL` in hex (profile_idc, constraint flags, level_idc), e.g. `avc1.42C01F`.
 */
export function avcCodecString(sps: Pick<Sps, 'profileIdc' | 'constraintFlags' | 'levelIdc'>): string {
  const hex = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');
  return `avc1.${hex(sps.profileIdc)}${hex(sps.constraintFlags)}${hex(sps.levelIdc)}`;
}

/**
 * codecStringOf returns the codec string of an H.264 keyframe's payload (an Annex B access unit
 * carrying its SPS, as every camwire keyframe does), e.g. for `VideoDecoder.configure`; undefined
 * when it holds no valid SPS.
 */
export function codecStringOf(accessUnit: Buffer): string | undefined {
  const sps = splitAnnexB(accessUnit).find((n) => nalType(n) === NalType.SPS);
  const p = sps && parseSps(sps);
  return p ? avcCodecString(p) : undefined;
}
