/**
 * source-options: the SOURCE argument and source flags shared by `send` and `serve --stream`,
 * and makeSource, which turns them into a Source (test pattern, or ffmpeg camera/file/URL).
 */
import { DEFAULTS } from '../config/defaults.js';
import { CODECS, type Codec } from '../frame/frame.js';
import { FfmpegSource, FFMPEG_SOURCE_DEFAULTS } from '../sources/ffmpeg/ffmpeg-source.js';
import type { Source } from '../sources/source.js';
import { parseSourceSpec } from '../sources/spec.js';
import { TestSource, TESTSRC_DEFAULTS } from '../sources/testsrc/testsrc.js';
import { createError } from '../util/errors.js';
import { isSeedUrl, seedSource } from '../api/remote-seed.js';
import { hubSource, isHubUrl } from '../api/hub-source.js';
import { parseNumber, parseSize, type Parsed } from './args.js';

/** SOURCE_OPTIONS are the flags of every source (send, serve --stream, demo). */
export const SOURCE_OPTIONS = {
  size: { type: 'string' },
  fps: { type: 'string' },
  quality: { type: 'string' },
  frames: { type: 'string' },
  codec: { type: 'string' },
  gop: { type: 'string' },
  bitrate: { type: 'string' },
  loop: { type: 'boolean' },
  'input-format': { type: 'string' },
  ffmpeg: { type: 'string' },
  timecode: { type: 'boolean' },
} as const;

/** SOURCE_HELP documents SOURCE and the source flags (send and serve). */
export const SOURCE_HELP = `SOURCE:
  testsrc                      built-in moving test pattern (no camera needed)
  camera, camera:N             a local camera by index (Linux: /dev/videoN)
  camera:DEVICE                a camera by device path or name ("camwire devices" lists them)
  file:PATH                    a video file, played in real time (--loop to repeat)
  rtsp://… rtsps://… http(s)://…   an IP camera (MJPEG or H.264)
  rtmp://… "srt://HOST:PORT?streamid=ID"   a stream on a streaming server (nginx-rtmp, MediaMTX, SRS)
  tcp://HOST:PORT/NAME         stream NAME of another camwire hub (a hub chain; serve --stream only)
  tcp://…?wire=W, udp://@…?wire=countdown   one of the old Python camera programs (docs/migrate.md)

Source options:
  --size WxH        picture size (testsrc default ${TESTSRC_DEFAULTS.width}x${TESTSRC_DEFAULTS.height}; cameras: their default)
  --fps N           frames per second (testsrc default ${TESTSRC_DEFAULTS.fps})
  --quality Q       JPEG quality 1-100 (default ${TESTSRC_DEFAULTS.quality})
  --codec C         mjpeg (default) or h264; what comes in as C already is passed through
  --gop S           seconds between H.264 keyframes when encoding (default ${FFMPEG_SOURCE_DEFAULTS.gopSeconds})
  --bitrate KBPS    H.264 bitrate cap when encoding, kbit/s (default ${FFMPEG_SOURCE_DEFAULTS.bitrateKbps})
  --input-format F  ask a camera for a format: mjpeg, h264, yuyv422, …
  --loop            repeat a file source forever
  --ffmpeg PATH     the ffmpeg to run (default: $CAMWIRE_FFMPEG, ffmpeg on PATH, the bundled build)
  --frames N        testsrc only: stop after N frames and end the stream cleanly
  --timecode        testsrc only: draw the capture time as a strip along the bottom, so
                    "camwire latency" can measure any pipeline from its pictures`;

/** SourceContext: config values a source needs, and whether a failure to open is fatal. */
export interface SourceContext {
  maxFrameBytes: number;
  /** failFast: send exits on an input it cannot open; serve keeps retrying. */
  failFast: boolean;
  /** token: the credential for a tcp:// hub source (the hub's --token-file / CAMWIRE_TOKEN). */
  token?: string;
}

/** makeSource builds the Source named by `spec` from the flags. */
export function makeSource(spec: string, values: Parsed['values'], label: string, ctx: SourceContext = { maxFrameBytes: DEFAULTS.maxFrameBytes, failFast: true }): Source {
  // An old camera program as the source (docs/migrate.md): tcp://…?wire=…, udp://@…?wire=countdown.
  if (isSeedUrl(spec)) return seedSource(spec, { maxFrameBytes: ctx.maxFrameBytes });
  // Another camwire hub's stream (a hub chain): frames are relayed as they are, never re-encoded.
  if (isHubUrl(spec)) return hubSource(spec, { maxFrameBytes: ctx.maxFrameBytes, token: ctx.token });
  const parsed = parseSourceSpec(spec);
  const size = values.size ? parseSize(values.size as string) : undefined;
  const codec = (values.codec ?? 'mjpeg') as string;
  if (!(CODECS as readonly string[]).includes(codec)) throw createError('CAMWIRE_ERR_CONFIG', `--codec "${codec}" must be one of ${CODECS.join(', ')}`);
  const quality = parseNumber(values.quality, '--quality', TESTSRC_DEFAULTS.quality, 1);
  if (parsed.kind === 'testsrc') {
    if (codec !== 'mjpeg') throw createError('CAMWIRE_ERR_CONFIG', 'testsrc makes MJPEG only; for H.264 use a camera, file or URL source');
    return new TestSource({
      width: size?.width ?? TESTSRC_DEFAULTS.width,
      height: size?.height ?? TESTSRC_DEFAULTS.height,
      fps: parseNumber(values.fps, '--fps', TESTSRC_DEFAULTS.fps),
      quality,
      frames: values.frames === undefined ? undefined : parseNumber(values.frames, '--frames', 0, 1),
      label,
      timecode: values.timecode === true,
    });
  }
  if (values.frames !== undefined) throw createError('CAMWIRE_ERR_CONFIG', '--frames works with testsrc only');
  if (values.timecode) throw createError('CAMWIRE_ERR_CONFIG', '--timecode works with testsrc only');
  if (values.loop && parsed.kind !== 'file') throw createError('CAMWIRE_ERR_CONFIG', '--loop works with file: sources only');
  return new FfmpegSource({
    spec: parsed,
    codec: codec as Codec,
    size,
    fps: values.fps === undefined ? undefined : parseNumber(values.fps, '--fps', 0),
    inputFormat: values['input-format'] as string | undefined,
    quality,
    gopSeconds: parseNumber(values.gop, '--gop', FFMPEG_SOURCE_DEFAULTS.gopSeconds, 0.1),
    bitrateKbps: parseNumber(values.bitrate, '--bitrate', FFMPEG_SOURCE_DEFAULTS.bitrateKbps, 100),
    loop: values.loop === true,
    ffmpegPath: values.ffmpeg as string | undefined,
    maxFrameBytes: ctx.maxFrameBytes,
    failFast: ctx.failFast,
  });
}
