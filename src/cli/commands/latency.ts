/**
 * latency: `camwire latency URL` — glass-to-glass latency of any stream whose pictures carry the
 * timecode strip (`camwire send testsrc --timecode …`, codecs/timecode), read from the decoded
 * pixels: capture → decoded here, whatever carried the pictures in between.
 */
import { readTimecode } from '../../codecs/timecode.js';
import { urlCredential } from '../../auth/index.js';
import { nowUs } from '../../util/clock.js';
import { createError } from '../../util/errors.js';
import { COMMON_HELP, configFrom, parse, parseNumber } from '../args.js';
import { openPictures } from '../latency-pictures.js';
import { untilSignal } from '../run.js';
import { formatReport, ViewStats, type ViewReport } from '../view-stats.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire latency URL [options]

Measures glass-to-glass latency (capture → decoded picture here) of a stream whose pictures
carry camwire's timecode strip: publish with "camwire send testsrc --timecode …" (or feed that
picture into any other system) and point this at what comes out. Works with any pipeline,
because the capture time is read from the pixels, not from the protocol.

URL:
  tcp://HOST:PORT/NAME, udp://…   camwire's own streams (as "camwire view")
  http(s)://…                     MJPEG over HTTP (camwire's /streams/NAME.mjpeg, Motion, cameras), HTTP-FLV
  rtsp://…  rtmp://…  srt://…     anything ffmpeg opens
  file:PATH                       a file being written (MPEG-TS, FLV, MJPEG, raw H.264), followed
  PATH.sdp                        RTP (e.g. RTP/JPEG from ffmpeg or GStreamer) described by an SDP file

Options:
  --seconds S       measure for S seconds (default 10), or until the stream ends
  --warmup S        leave out the pictures of the first S seconds (connecting, probing,
                    the first keyframe) from every figure (default 0)
  --json            one JSON line per second, then a summary: the keys of "camwire view --json"
                    (latency from the strip; kbps, width and height are 0 when ffmpeg
                    opened the stream) plus framesRead and unreadable
  --via ffmpeg      open the URL with ffmpeg even if camwire speaks it (e.g. MPEG-TS on udp://)
  --format F        ffmpeg's input format when it cannot tell (mjpeg for JPEGs back to back, h264, mpegts)
  --ffmpeg PATH     the ffmpeg to run (default: $CAMWIRE_FFMPEG, ffmpeg on PATH, the bundled build)
${COMMON_HELP}

Examples:
  camwire send testsrc tcp://127.0.0.1:8089/lab --timecode --size 1280x720 &
  camwire latency tcp://127.0.0.1:8089/lab --seconds 5
  camwire latency http://127.0.0.1:8080/streams/lab.mjpeg --json
  camwire latency udp://127.0.0.1:5000 --via ffmpeg        # MPEG-TS from ffmpeg or GStreamer`;

/** LatencyReport is a ViewReport whose latency comes from the strip, plus the pictures looked at. */
export interface LatencyReport extends ViewReport {
  /** framesRead: pictures decoded; unreadable: those without a readable strip (not in the latency figures). */
  framesRead: number;
  unreadable: number;
}

/** latency is the `camwire latency` command. */
export const latency: Command = {
  name: 'latency',
  summary: 'measure glass-to-glass latency of any stream from the timecode in its pictures',
  usage,
  async run(argv) {
    const { values, positionals } = parse('latency', argv, {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'boolean' },
      via: { type: 'string' },
      format: { type: 'string' },
      ffmpeg: { type: 'string' },
    });
    if (values.help) return help(usage);
    if (positionals.length !== 1) throw createError('CAMWIRE_ERR_CONFIG', 'latency needs one URL, e.g. camwire latency tcp://127.0.0.1:8089/lab (see "camwire latency --help")');
    const via = values.via as string | undefined;
    if (via !== undefined && via !== 'ffmpeg' && via !== 'camwire') throw createError('CAMWIRE_ERR_CONFIG', `--via "${via}" must be ffmpeg or camwire`);
    const url = positionals[0];
    const cfg = configFrom(values);
    cfg.token = urlCredential(url) ?? cfg.token;
    const seconds = parseNumber(values.seconds, '--seconds', 10, 0);
    const warmupS = parseNumber(values.warmup, '--warmup', 0, 0);
    const warmupUntil = nowUs() + warmupS * 1e6;
    const source = openPictures(url, { via, format: values.format as string | undefined, ffmpegPath: values.ffmpeg as string | undefined, remote: { ...cfg, reconnect: true } });
    let stats = new ViewStats();
    // Rates and percentiles start after the warm-up: a fresh ViewStats then.
    const warm = setTimeout(() => (stats = new ViewStats()), warmupS * 1000);
    const counts = { framesRead: 0, unreadable: 0 };
    const report = (r: ViewReport): LatencyReport => ({ ...r, ...counts });
    const print = (r: LatencyReport) => {
      if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(`${formatReport(r)}, ${r.framesRead} pictures read, ${r.unreadable} without a readable timecode\n`);
    };
    const ticker = setInterval(() => print(report(stats.progress())), 1000);
    const limit = setTimeout(() => void source.close(), seconds * 1000);
    const measured = (async () => {
      for await (const d of source) {
        const now = nowUs();
        if (now < warmupUntil) continue;
        counts.framesRead++;
        const captureUs = readTimecode(d.pic, now);
        if (captureUs === undefined) {
          counts.unreadable++;
          continue;
        }
        stats.addSample({ seq: d.seq, captureUs, bytes: d.bytes, width: d.width, height: d.height }, now);
      }
    })();
    const err = await untilSignal([source], measured);
    clearInterval(ticker);
    clearTimeout(limit);
    clearTimeout(warm);
    if (!err || counts.framesRead > 0) print(report(stats.summary()));
    if (err) throw err;
    if (counts.framesRead === 0) throw createError('CAMWIRE_ERR_SOURCE', `no picture arrived from ${url} in ${seconds} s: is it playing?`);
    if (stats.frames === 0) throw createError('CAMWIRE_ERR_SOURCE', `none of the ${counts.framesRead} pictures carried a readable timecode: publish with "camwire send testsrc --timecode"`);
    return 0;
  },
};
