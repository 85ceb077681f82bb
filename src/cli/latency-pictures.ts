/**
 * latency-pictures: opens a stream for `camwire latency` and turns each picture into a small grey
 * picture as soon as it is decoded, so the timecode strip (codecs/timecode) can be read from
 * pixels. camwire's own URLs (tcp://, udp://, the old programs' wire= URLs) arrive as frames
 * through api/remote and are decoded here (JPEG with sharp, H.264 with an ffmpeg child); anything
 * else (http:// MJPEG, rtsp://, rtmp://, MPEG-TS over udp://, RTP by its .sdp file, a file being written) is opened by
 * ffmpeg itself, which decodes and scales it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import { readFrom, type RemoteOptions } from '../api/remote.js';
import { isSeedUrl } from '../api/remote-seed.js';
import { isUdpUrl } from '../config/udp-url.js';
import type { Picture } from '../codecs/timecode.js';
import { GLOBAL_ARGS, NETWORK_TIMEOUT_US, urlInputArgs } from '../sources/ffmpeg/args.js';
import { locateFfmpeg } from '../sources/ffmpeg/locate.js';
import { createError } from '../util/errors.js';

/** GREY_W × GREY_H: every picture is stretched to this; the strip's position is relative, so aspect does not matter. */
export const GREY_W = 320;
export const GREY_H = 180;
const GREY_BYTES = GREY_W * GREY_H;

/** Decoded is one grey picture and what is known of the compressed one it came from. */
export interface Decoded {
  pic: Picture;
  /** bytes: compressed size when camwire received the frame itself; 0 when ffmpeg opened the stream. */
  bytes: number;
  /** seq: the frame number when camwire carried it (gaps are drops); a running count otherwise. */
  seq: number;
  /** width × height of the picture as sent when camwire carried it; 0 × 0 when ffmpeg opened the stream. */
  width: number;
  height: number;
}

/** PictureSource yields decoded pictures until the stream ends or close() is called. */
export interface PictureSource extends AsyncIterable<Decoded> {
  close(): Promise<void>;
}

/** LatencyInput: how to open the URL. `via: 'ffmpeg'` hands even a camwire-looking URL to ffmpeg (e.g. MPEG-TS on udp://). */
export interface LatencyInput {
  via?: 'camwire' | 'ffmpeg';
  /** format: ffmpeg's input format (-f) when probing cannot tell, e.g. mjpeg for JPEGs back to back. */
  format?: string;
  ffmpegPath?: string;
  remote?: RemoteOptions;
}

/** speaksCamwire tells whether camwire opens `url` itself (its own and the old programs' URLs). */
export function speaksCamwire(url: string): boolean {
  return /^tcp:\/\//i.test(url) || isUdpUrl(url) || isSeedUrl(url);
}

/** openPictures opens `url` (see the file comment) and yields grey GREY_W×GREY_H pictures. */
export function openPictures(url: string, opts: LatencyInput = {}): PictureSource {
  const via = opts.via ?? (speaksCamwire(url) ? 'camwire' : 'ffmpeg');
  return via === 'camwire' ? fromCamwire(url, opts) : fromFfmpeg(url, opts.ffmpegPath, opts.format);
}

/** ffmpegInput: the input arguments for a URL, an SDP file (RTP), a file being written (file:PATH, followed) or a stream. */
function ffmpegInput(url: string, major: number, format: string | undefined): string[] {
  // Decode with one thread: frame threads hold one picture per thread before output (latency).
  // Probe half a second, not ffmpeg's 5 s: a live MPEG-TS stream would otherwise show nothing for 7 s.
  const lowDelay = ['-fflags', 'nobuffer', '-flags', 'low_delay', '-threads', '1', '-analyzeduration', '500000', '-probesize', '500000', ...(format ? ['-f', format] : [])];
  if (/\.sdp$/i.test(url)) return [...lowDelay, '-protocol_whitelist', 'file,udp,rtp', '-i', url.replace(/^file:/, '')];
  if (url.startsWith('file:')) return [...lowDelay, '-follow', '1', '-rw_timeout', String(NETWORK_TIMEOUT_US), '-i', url];
  if (/^(rtsps?|https?):\/\//i.test(url)) return [...lowDelay, ...urlInputArgs(url, major)];
  return [...lowDelay, '-i', url];
}

/** GREY_OUT: decoded pictures scaled to GREY_W×GREY_H grey, written as soon as each is ready. */
const GREY_OUT = ['-map', '0:v:0', '-an', '-vf', `scale=${GREY_W}:${GREY_H},format=gray`, '-vsync', 'passthrough', '-f', 'rawvideo', '-flush_packets', '1', 'pipe:1'];

/** greyChild starts ffmpeg with `input` and yields its GREY_W×GREY_H pictures from stdout. */
function greyChild(ffmpegPath: string | undefined, input: (major: number) => string[]): { child: ChildProcess; pictures: AsyncIterable<Buffer>; failed: () => string } {
  const ff = locateFfmpeg({ flag: ffmpegPath });
  const child = spawn(ff.path, [...GLOBAL_ARGS.map((a) => (a === 'warning' ? 'error' : a)), ...input(ff.major), ...GREY_OUT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin!.on('error', () => {}); // ffmpeg gone: its exit says why
  async function* pictures(): AsyncIterable<Buffer> {
    let held: Buffer = Buffer.alloc(0);
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      held = held.length ? Buffer.concat([held, chunk]) : chunk;
      while (held.length >= GREY_BYTES) {
        yield held.subarray(0, GREY_BYTES);
        held = held.subarray(GREY_BYTES);
      }
    }
  }
  return { child, pictures: pictures(), failed: () => stderr.trim().split('\n').pop() ?? '' };
}

const grey = (data: Uint8Array): Picture => ({ data, width: GREY_W, height: GREY_H, channels: 1 });

function fromFfmpeg(url: string, ffmpegPath: string | undefined, format: string | undefined): PictureSource {
  const { child, pictures, failed } = greyChild(ffmpegPath, (major) => ffmpegInput(url, major, format));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let closing = false;
  return {
    async close() {
      closing = true;
      child.kill('SIGKILL');
      await exited;
    },
    async *[Symbol.asyncIterator]() {
      let seq = 0;
      try {
        for await (const p of pictures) yield { pic: grey(p), bytes: 0, seq: seq++, width: 0, height: 0 };
        const code = await exited;
        if (!closing && code !== 0) throw createError('CAMWIRE_ERR_SOURCE', `ffmpeg could not read ${url}: ${failed() || `exit ${code}`}`);
      } finally {
        child.kill('SIGKILL');
      }
    },
  };
}

/** LATEST_HELD: decoded pictures waiting for the reader; past this the oldest goes (newest wins, as everywhere). */
const LATEST_HELD = 4;

function fromCamwire(url: string, opts: LatencyInput): PictureSource {
  const remote = readFrom(url, opts.remote);
  const held: Decoded[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: unknown;
  const push = (d: Decoded) => {
    held.push(d);
    if (held.length > LATEST_HELD) held.shift();
    wake?.();
  };
  let h264: ReturnType<typeof greyChild> | undefined;
  // Frames in, pictures out: JPEG is decoded here; H.264 goes through one ffmpeg decoder for the
  // whole run, whose pictures come out in order (no B-frames are waited for: -flags low_delay).
  const pending: Omit<Decoded, 'pic'>[] = [];
  let decoded: Promise<void> = Promise.resolve();
  const pump = (async () => {
    for await (const f of remote) {
      if (f.codec === 'mjpeg') {
        const data = await sharp(f.payload).greyscale().resize(GREY_W, GREY_H, { fit: 'fill' }).raw().toBuffer().catch(() => undefined);
        if (data && data.length === GREY_BYTES) push({ pic: grey(data), bytes: f.payload.length, seq: f.seq, width: f.width, height: f.height });
        continue;
      }
      if (!h264) {
        if (!f.keyframe) continue; // a decoder starts at a keyframe
        const child = (h264 = greyChild(opts.ffmpegPath, () => ['-fflags', 'nobuffer', '-flags', 'low_delay', '-threads', '1', '-probesize', '32', '-f', 'h264', '-i', 'pipe:0']));
        decoded = (async () => {
          for await (const p of child.pictures) push({ pic: grey(p), ...(pending.shift() ?? { bytes: 0, seq: 0, width: 0, height: 0 }) });
        })();
      }
      pending.push({ bytes: f.payload.length, seq: f.seq, width: f.width, height: f.height });
      if (pending.length > LATEST_HELD * 8) pending.shift(); // a decoder that drops pictures must not grow this
      h264.child.stdin!.write(f.payload);
    }
    h264?.child.stdin!.end();
    await decoded;
  })().then(
    () => void (ended = true),
    (e: unknown) => void ((failure = e), (ended = true)),
  ).finally(() => wake?.());
  const close = async () => {
    h264?.child.kill('SIGKILL');
    await remote.close();
    await pump;
  };
  return {
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const d = held.shift();
          if (d) {
            yield d;
            continue;
          }
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
        if (failure) throw failure;
      } finally {
        await close();
      }
    },
  };
}
