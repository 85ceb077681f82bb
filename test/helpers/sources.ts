/**
 * sources: FfmpegSource options for tests — a lavfi pattern standing in for a camera.
 */
import { FfmpegSource, FFMPEG_SOURCE_DEFAULTS, type FfmpegSourceOptions } from '../../src/sources/ffmpeg/ffmpeg-source.js';

/** lavfiCamera gives the input args of a real-time lavfi test pattern (a stand-in camera). */
export function lavfiCamera(size = '320x240', rate = 30): string[] {
  return ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
}

/** ffmpegSource builds an FfmpegSource with test defaults (failFast, 1 s GOP, MJPEG q80). */
export function ffmpegSource(o: Partial<FfmpegSourceOptions> & Pick<FfmpegSourceOptions, 'spec'>): FfmpegSource {
  return new FfmpegSource({ ...FFMPEG_SOURCE_DEFAULTS, loop: false, failFast: true, ...o });
}
