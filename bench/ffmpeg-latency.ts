/**
 * ffmpeg-latency: how long ffmpeg's capture-side work (pixel conversion, encoding, the pipe)
 * takes per frame — the latency a Frame's captureUs cannot show (see sources/ffmpeg/ffmpeg-source).
 *
 * Raw 720p YUYV frames (what a webcam hands over) are written to ffmpeg's stdin at 30 fps; each
 * encoded picture is matched to its raw frame by order (no B-frames, one picture out per frame
 * in) and timed from the start of the raw write to the moment the splitter completes it.
 */
import { spawn } from 'node:child_process';
import { FlvH264Splitter } from '../src/codecs/flv-h264.js';
import { H264Framer } from '../src/codecs/h264-framer.js';
import { H264Splitter } from '../src/codecs/h264-splitter.js';
import { JpegSplitter } from '../src/codecs/jpeg-splitter.js';
import type { Splitter } from '../src/codecs/splitter.js';
import { percentiles } from '../src/hub/stats.js';
import { h264EncodeArgs, mjpegEncodeArgs } from '../src/sources/ffmpeg/args.js';
import { FFMPEG_SOURCE_DEFAULTS as D } from '../src/sources/ffmpeg/ffmpeg-source.js';

/** LatencyCase is one encoder + framing to time. */
export interface LatencyCase {
  name: string;
  output: string[];
  splitter: () => Splitter;
  h264: boolean;
}

const W = 1280;
const H = 720;

/** LATENCY_CASES: MJPEG, H.264 framed by FLV (camwire's choice), H.264 as raw Annex B. */
export const LATENCY_CASES: LatencyCase[] = [
  { name: 'MJPEG (camwire, quality 80)', output: [...mjpegEncodeArgs(D.quality), '-f', 'mjpeg'], splitter: () => new JpegSplitter(1 << 24), h264: false },
  { name: 'H.264 in FLV (camwire)', output: [...h264EncodeArgs(D.gopSeconds, D.bitrateKbps), '-f', 'flv'], splitter: () => new FlvH264Splitter(1 << 24), h264: true },
  { name: 'H.264 as Annex B', output: [...h264EncodeArgs(D.gopSeconds, D.bitrateKbps), '-f', 'h264'], splitter: () => new H264Splitter(1 << 24), h264: true },
];

/** rawFrames makes `n` raw YUYV 720p frames of testsrc2 with sensor-like noise. */
export async function rawFrames(n: number): Promise<Buffer[]> {
  const size = W * H * 2;
  const out = await collect('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=30`, '-vf', 'noise=alls=20:allf=t', '-frames:v', String(n), '-pix_fmt', 'yuyv422', '-f', 'rawvideo', 'pipe:1'], size * n);
  return Array.from({ length: n }, (_, i) => out.subarray(i * size, (i + 1) * size));
}

function collect(cmd: string, args: string[], expect: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const parts: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => parts.push(d));
    p.on('close', () => {
      const b = Buffer.concat(parts);
      b.length === expect ? resolve(b) : reject(new Error(`${cmd} gave ${b.length} bytes, expected ${expect}`));
    });
  });
}

/** timeEncode feeds `frames` (cycled, `count` in all) at 30 fps and returns per-frame latencies in ms. */
export function timeEncode(c: LatencyCase, frames: Buffer[], count: number): Promise<{ p50: number; p95: number; n: number }> {
  const interval = 1000 / 30;
  const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuyv422', '-video_size', `${W}x${H}`, '-framerate', '30', '-i', 'pipe:0', ...c.output, '-flush_packets', '1', 'pipe:1'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const sent: number[] = [];
  const lat: number[] = [];
  const s = c.splitter();
  const framer = new H264Framer();
  let pictures = 0;
  p.stdout.on('data', (d: Buffer) => {
    for (const u of s.push(d, 0)) {
      // FLV's first unit is the parameter-set record, not a picture: the framer tells them apart.
      if (c.h264 && !framer.frame(u.payload)) continue;
      const t = sent[pictures++];
      if (t !== undefined) lat.push(performance.now() - t);
    }
  });
  return new Promise((resolve) => {
    const t0 = performance.now();
    let i = 0;
    const tick = () => {
      if (i >= count) return p.stdin.end();
      sent.push(performance.now());
      p.stdin.write(frames[i % frames.length]);
      i++;
      setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
    };
    tick();
    p.on('close', () => {
      s.end();
      const warm = lat.slice(10); // skip encoder start-up
      const [p50, p95] = percentiles(warm, [50, 95]);
      resolve({ p50, p95, n: warm.length });
    });
  });
}
