/**
 * jpeg: decodes JPEG frames with createImageBitmap, which Chromium runs off the main thread.
 */
import type { WsFrame } from '../../src/transports/ws/frame-message.js';
import type { FrameDecoder, Picture } from './decoder.js';

/** JpegDecoder is the FrameDecoder for 'mjpeg' streams (every frame stands alone). */
export class JpegDecoder implements FrameDecoder {
  readonly codec = 'mjpeg' as const;

  async decode(frame: WsFrame): Promise<Picture> {
    const blob = new Blob([frame.payload as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    return { image: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
  }

  close(): void {}
}
