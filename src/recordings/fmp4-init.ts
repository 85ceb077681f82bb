/**
 * fmp4-init: the head of a fragmented MP4 file — `ftyp` and a `moov` that describes one video
 * track with no samples (they follow in moof/mdat fragments, see fmp4-fragment.ts). Pure.
 *
 * ```
 * ftyp  isom, compatible iso6 mp41 (avc1)
 * moov ─ mvhd (creation_time = wall-clock start of the segment)
 *      ├ trak ─ tkhd ─ mdia ─ mdhd (timescale 90000) ─ hdlr vide ─ minf ─ vmhd, dinf,
 *      │                                                 stbl ─ stsd ─ avc1 (avcC) | jpeg
 *      │                                                        stts stsc stsz stco (empty)
 *      └ mvex ─ trex (track 1)
 * ```
 *
 * JPEG uses the QuickTime `jpeg` sample entry: ffmpeg, VLC and camwire read it, so MJPEG and
 * H.264 share one container, one muxer and one reader.
 */
import { box, fullBox, MP4_UNIX_OFFSET_S, u16, u32, u8, UNITY_MATRIX, zeros } from './mp4-box.js';
import { TIMESCALE, type Track } from './track.js';

/** TRACK_ID: the one track of every camwire recording. */
export const TRACK_ID = 1;

/** initSegment returns ftyp + moov for `track`, stamped with the wall-clock start `startUs`. */
export function initSegment(track: Track, startUs: number): Buffer {
  const brands = track.codec === 'h264' ? ['iso6', 'mp41', 'avc1'] : ['iso6', 'mp41'];
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), ...['isom', ...brands].map((b) => Buffer.from(b, 'latin1')));
  const created = Math.floor(startUs / 1e6) + MP4_UNIX_OFFSET_S;
  const mvhd = fullBox('mvhd', 0, 0, u32(created), u32(created), u32(1000), u32(0), u32(0x00010000), u16(0x0100), zeros(10), UNITY_MATRIX, zeros(24), u32(TRACK_ID + 1));
  const tkhd = fullBox('tkhd', 0, 3, u32(created), u32(created), u32(TRACK_ID), zeros(4), u32(0), zeros(8), u16(0), u16(0), u16(0), zeros(2), UNITY_MATRIX, u32(track.width * 65536), u32(track.height * 65536));
  const mdhd = fullBox('mdhd', 0, 0, u32(created), u32(created), u32(TIMESCALE), u32(0), u16(0x55c4 /* 'und' */), u16(0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), zeros(12), Buffer.from('camwire video\0', 'latin1'));
  const vmhd = fullBox('vmhd', 0, 1, zeros(8));
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry(track)),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0), u32(0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf, stbl)));
  const mvex = box('mvex', fullBox('trex', 0, 0, u32(TRACK_ID), u32(1), u32(0), u32(0), u32(0)));
  return Buffer.concat([ftyp, box('moov', mvhd, trak, mvex)]);
}

/** sampleEntry is the VisualSampleEntry (§12.1.3) for the track's codec. */
function sampleEntry(t: Track): Buffer {
  const compressor = Buffer.alloc(32);
  const name = t.codec === 'h264' ? 'camwire H.264' : 'camwire JPEG';
  compressor[0] = name.length;
  compressor.write(name, 1, 'latin1');
  const visual = Buffer.concat([
    zeros(6), u16(1), // reserved, data_reference_index
    zeros(16), // pre_defined, reserved
    u16(t.width), u16(t.height),
    u32(0x00480000), u32(0x00480000), // 72 dpi
    zeros(4), u16(1), compressor, u16(0x0018), u16(0xffff),
  ]);
  if (t.codec === 'mjpeg') return box('jpeg', visual);
  return box('avc1', visual, avcC(t.sps, t.pps));
}

/** avcC is the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) of one SPS and PPS. */
function avcC(sps: Buffer, pps: Buffer): Buffer {
  return box(
    'avcC',
    u8(1), u8(sps[1]), u8(sps[2]), u8(sps[3]), // version, profile, compatibility, level
    u8(0xfc | 3), // lengthSizeMinusOne = 3: 4-byte NAL lengths
    u8(0xe0 | 1), u16(sps.length), sps,
    u8(1), u16(pps.length), pps,
  );
}
