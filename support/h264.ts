/**
 * h264: pre-encoded H.264 streams for tests and benchmarks, made once by the system ffmpeg
 * (x264 with the settings of camwire's own encoder) and cut into Frames, so replaying them costs no encoding.
 */
import type { Frame } from '../src/frame/frame.js';
import { H264Framer } from '../src/codecs/h264-framer.js';
import { H264Splitter } from '../src/codecs/h264-splitter.js';
import { h264EncodeArgs } from '../src/sources/ffmpeg/args.js';
import { ffmpegBytes } from './media.js';
import { runSplitter } from './split.js';

/** H264Options: what to encode. */
export interface H264Options {
  width: number;
  height: number;
  fps: number;
  /** frames to encode; a multiple of `gop` makes a stream that loops from keyframe to keyframe. */
  frames: number;
  /** gop: frames from one keyframe to the next. */
  gop: number;
  /** noise: temporal pixel noise (ffmpeg's noise filter, 0–100) for camera-like bitrates. */
  noise?: number;
  /** source: another lavfi graph than testsrc2 (e.g. a still scene with a moving box), made at width, height and fps. */
  source?: string;
  bitrateKbps?: number;
}

/** h264Frames encodes testsrc2 and returns one Frame per access unit (keyframes carry SPS/PPS). */
export function h264Frames(o: H264Options, name = 'replay'): Frame[] {
  const noise = o.noise ? `,noise=alls=${o.noise}:allf=t` : '';
  const bytes = ffmpegBytes([
    ...['-f', 'lavfi', '-i', `${o.source ?? `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`}${noise}`, '-frames:v', String(o.frames)],
    ...h264EncodeArgs(o.gop / o.fps, o.bitrateKbps ?? 4000),
    ...['-threads', '2', '-f', 'h264'],
  ]);
  const framer = new H264Framer();
  const out: Frame[] = [];
  for (const au of runSplitter(() => new H264Splitter(16 << 20), [bytes])) {
    const p = framer.frame(au);
    if (p) out.push({ stream: name, codec: 'h264', keyframe: p.keyframe, seq: out.length, captureUs: 0, width: p.width, height: p.height, payload: p.payload });
  }
  return out;
}
