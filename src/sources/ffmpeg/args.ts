/**
 * args: builds ffmpeg command lines for camwire's sources. Pure functions of their inputs
 * (platform included), so every platform's camera arguments are unit-tested on any machine.
 *
 * A command line is GLOBAL + input + output:
 *   ffmpeg -hide_banner -nostdin -nostats -loglevel warning  <input>  -map 0:v:0 -an … <output> pipe:1
 */
import type { Codec } from '../../frame/frame.js';

/** Platform is the capture API family: v4l2 (linux), avfoundation (darwin), dshow (win32). */
export type Platform = 'linux' | 'darwin' | 'win32';

/** Size is a picture size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** GLOBAL_ARGS: quiet banner and progress; warnings and errors still reach stderr for the log. */
export const GLOBAL_ARGS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];

/** NETWORK_TIMEOUT_US: 5 s without data from an IP camera ends ffmpeg, and the supervisor retries. */
export const NETWORK_TIMEOUT_US = 5_000_000;

/** CameraInput describes a camera to open. */
export interface CameraInput {
  platform: Platform;
  /** device: /dev/videoN (linux), an index or name (darwin), a name (win32). */
  device: string;
  size?: Size;
  fps?: number;
  /** inputFormat: what to ask the camera for: mjpeg, h264, or a raw pixel format (yuyv422…). */
  inputFormat?: string;
}

const COMPRESSED = new Set(['mjpeg', 'h264']);

/** cameraDevice turns `camera` / `camera:N` / `camera:DEVICE` (the part after the colon) into a device. */
export function cameraDevice(platform: Platform, which: string | undefined, names: readonly string[] = []): string {
  const index = which === undefined || which === '' ? 0 : /^\d+$/.test(which) ? Number(which) : undefined;
  if (index === undefined) return which!;
  if (platform === 'linux') return `/dev/video${index}`;
  if (platform === 'darwin') return String(index);
  // DirectShow opens cameras by name only: the index picks from the listed names.
  return names[index] ?? `#${index}`;
}

/** cameraInputArgs opens a camera with the platform's capture API. */
export function cameraInputArgs(c: CameraInput): string[] {
  const size = c.size ? ['-video_size', `${c.size.width}x${c.size.height}`] : [];
  const fps = c.fps !== undefined ? ['-framerate', String(c.fps)] : [];
  // Keep the capture queue short: old frames waiting in a buffer are latency.
  const lowDelay = ['-fflags', 'nobuffer', '-thread_queue_size', '8'];
  switch (c.platform) {
    case 'linux':
      return ['-f', 'v4l2', ...lowDelay, ...(c.inputFormat ? ['-input_format', c.inputFormat] : []), ...size, ...fps, '-i', c.device];
    case 'darwin':
      // AVFoundation refuses the default 29.97 on many cameras: ask for 30 unless told.
      return ['-f', 'avfoundation', ...lowDelay, ...(c.inputFormat ? ['-pixel_format', c.inputFormat] : []), ...size, '-framerate', String(c.fps ?? 30), '-i', `${c.device}:none`];
    case 'win32': {
      const fmt = c.inputFormat ? (COMPRESSED.has(c.inputFormat) ? ['-vcodec', c.inputFormat] : ['-pixel_format', c.inputFormat]) : [];
      return ['-f', 'dshow', ...lowDelay, ...fmt, ...size, ...fps, '-i', `video=${c.device}`];
    }
  }
}

/** fileInputArgs reads a file at its own frame rate (-re), repeating it forever with `loop`. */
export function fileInputArgs(path: string, loop: boolean): string[] {
  return ['-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', path];
}

/**
 * urlInputArgs opens an IP camera URL; RTSP over TCP (no loss), a timeout so a dead camera ends
 * ffmpeg. Not `-fflags nobuffer`: it discards the packets read while probing, which hold the
 * first keyframe, and H.264 viewers would wait a whole (camera-chosen, often long) GOP.
 */
export function urlInputArgs(url: string, ffmpegMajor: number): string[] {
  if (/^rtsps?:/i.test(url)) {
    // ffmpeg 5 renamed RTSP's socket timeout from -stimeout to -timeout (µs both).
    const timeout = ffmpegMajor >= 5 ? '-timeout' : '-stimeout';
    return ['-rtsp_transport', 'tcp', timeout, String(NETWORK_TIMEOUT_US), '-i', url];
  }
  return ['-rw_timeout', String(NETWORK_TIMEOUT_US), '-i', url];
}

/** OutputChoice says what to write: codec, and whether the input is copied or re-encoded. */
export interface OutputChoice {
  codec: Codec;
  /** copy passes the input's compressed pictures through untouched (-c:v copy). */
  copy: boolean;
  /** size and fps resize / resample when encoding a file or URL. */
  size?: Size;
  fps?: number;
  /** quality: JPEG quality 1–100 (camwire's scale, as for testsrc). */
  quality: number;
  /** gopSeconds: one H.264 keyframe this often, whatever the frame rate. */
  gopSeconds: number;
  /** bitrateKbps caps H.264 (x264 VBV, one second of buffer); quality is CRF 23 below the cap. */
  bitrateKbps: number;
}

/**
 * mjpegQscale maps JPEG quality 1–100 (libjpeg's scale, used by sharp and testsrc) to ffmpeg's
 * -q:v 2–31. The two do not quantise alike (ffmpeg's MJPEG encoder scales the MPEG-1 matrix for
 * luma and chroma by qscale/8; libjpeg scales the JPEG tables by S = 5000/Q or 200 − 2Q percent),
 * so the mapping is calibrated on size: qscale = S × 12.5 / 100 makes quality 80 → -q:v 5, whose
 * pictures are as large as libjpeg's quality 80 on the test pattern (bench/ffmpeg.ts).
 */
export function mjpegQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  const s = q < 50 ? 5000 / q : 200 - 2 * q;
  return Math.min(31, Math.max(2, Math.round((s * 12.5) / 100)));
}

/**
 * X264_LIVE_ARGS: the zero-latency H.264 encoder. ultrafast + zerolatency (no B-frames, no
 * lookahead, sliced threads), 4:2:0 so every decoder and browser plays it, and SPS/PPS repeated
 * before every IDR so each keyframe access unit can start a decoder.
 */
export const X264_LIVE_ARGS = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-pix_fmt', 'yuv420p', '-x264-params', 'repeat-headers=1'];

/** outputArgs writes the first video stream to stdout: MJPEG as JPEGs, H.264 as FLV (see codecs/flv-h264). */
export function outputArgs(o: OutputChoice): string[] {
  const head = ['-map', '0:v:0', '-an', '-sn', '-dn'];
  const container = o.codec === 'mjpeg' ? ['-f', 'mjpeg'] : ['-f', 'flv'];
  // Write each picture as soon as it is encoded instead of filling a 32 KiB buffer first.
  const tail = [...container, '-flush_packets', '1', 'pipe:1'];
  if (o.copy) return [...head, '-c:v', 'copy', ...tail];
  const filters = [...(o.fps !== undefined ? [`fps=${o.fps}`] : []), ...(o.size ? [`scale=${o.size.width}:${o.size.height}`] : [])];
  const vf = filters.length ? ['-vf', filters.join(',')] : [];
  const enc = o.codec === 'mjpeg' ? mjpegEncodeArgs(o.quality) : h264EncodeArgs(o.gopSeconds, o.bitrateKbps);
  return [...head, ...vf, ...enc, ...tail];
}

/**
 * mjpegEncodeArgs: ffmpeg's MJPEG encoder at JPEG quality `quality` (full-range 4:2:0, as JPEG
 * is). Slice threads, not ffmpeg's default frame threads: frame threading holds one picture per
 * thread in flight (p50 107 ms added at 720p30 here, against 11 ms with slices; bench/ffmpeg.ts).
 */
export function mjpegEncodeArgs(quality: number): string[] {
  return ['-c:v', 'mjpeg', '-q:v', String(mjpegQscale(quality)), '-pix_fmt', 'yuvj420p', '-thread_type', 'slice'];
}

/** h264EncodeArgs: X264_LIVE_ARGS capped at `bitrateKbps` (1 s VBV) with a keyframe every `gopSeconds`. */
export function h264EncodeArgs(gopSeconds: number, bitrateKbps: number): string[] {
  return [...X264_LIVE_ARGS, '-maxrate', `${bitrateKbps}k`, '-bufsize', `${bitrateKbps}k`, '-force_key_frames', `expr:gte(t,n_forced*${gopSeconds})`];
}

/** InputInfo is what a probe or a camera's format list says about the input. */
export interface InputInfo {
  /** codec as ffmpeg names it: h264, mjpeg, rawvideo, hevc… */
  codec?: string;
  size?: Size;
}

/**
 * canCopy tells whether the input's pictures can go out untouched: same codec as wanted, and
 * no resize or resample asked for (or the asked size is what comes in).
 */
export function canCopy(input: InputInfo, want: { codec: Codec; size?: Size; fps?: number }): boolean {
  if (input.codec !== want.codec) return false;
  if (want.fps !== undefined) return false;
  if (!want.size) return true;
  return input.size !== undefined && input.size.width === want.size.width && input.size.height === want.size.height;
}
