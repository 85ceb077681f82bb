/**
 * picture-publisher: turns received seed pictures into camwire Frames. JPEGs go straight through;
 * raw BGR frames are JPEG-encoded first, one at a time, newest first: while one encodes, only the
 * latest arrival waits (older ones are dropped and counted), so a slow encoder never builds a backlog.
 */
import type { Frame } from '../../frame/frame.js';
import { nowUs } from '../../util/clock.js';
import { bgrToJpeg } from './bgr-jpeg.js';
import type { SeedPicture } from './picture.js';

/** PicturePublisher numbers frames and hands them to `publish`; see the file comment. */
export class PicturePublisher {
  /** dropped counts BGR pictures replaced by a newer one while encoding. */
  dropped = 0;
  private seq = 0;
  private encoding = false;
  private waiting: { p: SeedPicture; at: number } | undefined;
  private closed = false;

  constructor(
    private readonly stream: string,
    private readonly publish: (f: Frame) => void,
  ) {}

  /** push takes a picture as it arrives. The old formats carry no capture time: arrival time stands in. */
  push(p: SeedPicture): void {
    if (this.closed) return;
    const at = nowUs();
    if (p.kind === 'jpeg') return this.emit(p.jpeg, p.width, p.height, at);
    if (this.encoding) {
      if (this.waiting) this.dropped++;
      this.waiting = { p, at };
      return;
    }
    void this.encode(p, at);
  }

  /** close stops publishing (a pending encode is discarded). */
  close(): void {
    this.closed = true;
    this.waiting = undefined;
  }

  private async encode(p: SeedPicture & { kind: 'bgr' }, at: number): Promise<void> {
    this.encoding = true;
    try {
      const jpeg = await bgrToJpeg(p);
      if (!this.closed) this.emit(jpeg, p.width, p.height, at);
    } finally {
      this.encoding = false;
      const next = this.waiting;
      this.waiting = undefined;
      if (next && next.p.kind === 'bgr') void this.encode(next.p, next.at);
    }
  }

  private emit(payload: Buffer, width: number, height: number, captureUs: number): void {
    this.publish({ stream: this.stream, codec: 'mjpeg', keyframe: true, seq: this.seq++ >>> 0, captureUs, width, height, payload });
  }
}
