/**
 * h264-join: writes NAL units as one Annex B buffer (Node Buffers, the Frame payload type).
 * Apart from h264-nal.ts, which the browser bundles and so must not touch Buffer.
 *
 * ```
 * 00 00 00 01 | NAL | 00 00 00 01 | NAL | …
 * ```
 */

/** START_CODE is the 4-byte Annex B start code camwire writes before every NAL. */
export const START_CODE = Buffer.from([0, 0, 0, 1]);

/** joinAnnexB serialises NAL units as one Annex B buffer, each after a 4-byte start code. */
export function joinAnnexB(nals: readonly Uint8Array[]): Buffer {
  const size = nals.reduce((s, n) => s + 4 + n.length, 0);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const n of nals) {
    START_CODE.copy(out, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}
