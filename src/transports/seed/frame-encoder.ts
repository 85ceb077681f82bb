/**
 * frame-encoder: a camwire Frame as the message bytes of one TCP seed format. JPEG formats wrap
 * the payload as is; pickle-bgr decodes it to raw BGR (resized to `size` if given). The result is
 * cached per payload, so any number of old viewers of one stream cost one conversion per frame.
 */
import type { Frame } from '../../frame/frame.js';
import { createError } from '../../util/errors.js';
import { jpegToBgr } from './bgr-jpeg.js';
import type { TcpWire } from './formats.js';
import { encodeLenJpeg } from './len-jpeg.js';
import { encodePickleBgr } from './pickle-bgr.js';
import { encodePickleJpeg } from './pickle-jpeg.js';

/** Size is a picture size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** FrameEncoder encodes frames for one wire format (and output size); see the file comment. */
export class FrameEncoder {
  private readonly cache = new WeakMap<Buffer, Buffer[] | Promise<Buffer[]>>();

  constructor(
    readonly wire: TcpWire,
    private readonly size?: Size,
  ) {}

  /** encode returns the message parts for `f` — at once for JPEG formats, as a promise for pickle-bgr. */
  encode(f: Frame): Buffer[] | Promise<Buffer[]> {
    if (f.codec !== 'mjpeg') {
      throw createError('CAMWIRE_ERR_WRONG_CODEC', `wire=${this.wire} carries JPEG pictures but the stream is ${f.codec}; send it with --codec mjpeg`);
    }
    const hit = this.cache.get(f.payload);
    if (hit) return hit;
    const out = this.make(f.payload);
    this.cache.set(f.payload, out);
    return out;
  }

  private make(jpeg: Buffer): Buffer[] | Promise<Buffer[]> {
    switch (this.wire) {
      case 'len-jpeg':
        return encodeLenJpeg(jpeg);
      case 'pickle-jpeg':
        return encodePickleJpeg(jpeg);
      case 'pickle-bgr':
        return jpegToBgr(jpeg, this.size).then(encodePickleBgr);
    }
  }
}
