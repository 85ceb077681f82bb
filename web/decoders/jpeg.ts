/**
 * jpeg: decodes JPEG frames off the main thread, straight to the size they are shown at.
 *
 * WebCodecs' ImageDecoder takes a desired size, and Chromium then decodes the JPEG at a reduced
 * DCT scale instead of decoding full size and scaling down: 16 tiles of 640×480 cost a fraction
 * of the CPU (measured in bench/viewer-browser). Where ImageDecoder is missing,
 * createImageBitmap does the same job at full decoding cost.
 */
import type { WsFrame } from '../../src/transports/ws/frame-message.js';
import type { FrameDecoder, Picture, Size } from './decoder.js';

/** JpegDecoder is the FrameDecoder for 'mjpeg' streams (every frame stands alone). */
export class JpegDecoder implements FrameDecoder {
  readonly codec = 'mjpeg' as const;

  async decode(frame: WsFrame, fit?: Size): Promise<Picture> {
    const size = fit && fit.width < frame.width && fit.height < frame.height ? fit : undefined;
    const bytes = frame.payload as Uint8Array<ArrayBuffer>;
    if (typeof ImageDecoder !== 'undefined') {
      const decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg', desiredWidth: size?.width, desiredHeight: size?.height });
      try {
        const { image } = await decoder.decode();
        return { image, width: image.displayWidth, height: image.displayHeight, close: () => image.close() };
      } finally {
        decoder.close();
      }
    }
    const resize = size ? { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'low' as const } : {};
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }), resize);
    return { image: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
  }

  close(): void {}
}
