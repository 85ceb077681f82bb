/**
 * keyframe-gate: decides which H.264 frames may go to a decoder (pure; the browser viewer
 * bundles it).
 *
 * A delta frame only decodes on top of the frame before it. A consumer can lose frames in
 * between — the viewer tile's newest-wins slot (web/latest.ts) replaced one, a hub reader
 * skipped ahead, a decoder error threw the chain away — and decoding past such a hole shows
 * smeared garbage or fails. So the gate passes a delta frame only when its seq directly follows the last frame it
 * passed, and otherwise holds everything back until the next keyframe (which carries SPS and
 * PPS in camwire, so decoding restarts cleanly there).
 */

/** GatedFrame is what the gate looks at. */
export interface GatedFrame {
  keyframe: boolean;
  /** seq: +1 per frame from the publisher, wrapping at 2^32 (a gap means frames are missing). */
  seq: number;
}

/** KeyframeGate passes an unbroken chain of frames that starts at a keyframe; see the file comment. */
export class KeyframeGate {
  /** next is the seq that continues the chain, or undefined while waiting for a keyframe. */
  private next: number | undefined;
  /** held counts frames held back while waiting for a keyframe. */
  held = 0;

  /** waiting tells whether the gate waits for a keyframe. */
  get waiting(): boolean {
    return this.next === undefined;
  }

  /** accept tells whether `f` may be decoded now, and remembers it as the chain's newest link. */
  accept(f: GatedFrame): boolean {
    if (!f.keyframe && f.seq !== this.next) {
      this.next = undefined;
      this.held++;
      return false;
    }
    this.next = (f.seq + 1) >>> 0;
    return true;
  }

  /** reset breaks the chain (decoder error, reconfiguration failed): wait for a keyframe. */
  reset(): void {
    this.next = undefined;
  }
}
