/**
 * frames: small ready-made frames for tests.
 */
import sharp from 'sharp';
import type { Frame } from '../../src/frame/frame.js';
import { nowUs } from '../../src/util/clock.js';

/** jpegOf encodes a solid-colour JPEG of the given size. */
export function jpegOf(width: number, height: number, shade = 128): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: 64 } } }).jpeg({ quality: 70 }).toBuffer();
}

/** fakeFrame builds a frame with an arbitrary payload (for hub tests where bytes do not matter). */
export function fakeFrame(seq: number, over: Partial<Frame> = {}): Frame {
  return { stream: 's', codec: 'mjpeg', keyframe: true, seq, captureUs: nowUs(), width: 64, height: 48, payload: Buffer.from([0xff, 0xd8, seq & 0xff, 0xff, 0xd9]), ...over };
}
