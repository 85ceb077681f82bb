/**
 * encoder: MJPEG → H.264 once per stream, for every push of that stream to share.
 *
 * RTMP, RTSP and SRT servers carry H.264, so an MJPEG stream (a USB camera, testsrc, an old
 * sender) is encoded by one supervised ffmpeg (camwire's zero-latency x264 settings,
 * sources/ffmpeg/args.ts), fed from a hub reader by the newest-wins pump. Its FLV output is cut
 * into access units by the same splitter and framer as an H.264 source's and published into a
 * private hub under the stream's name; each push reads from there. ffmpeg emits one picture per
 * picture in (`-fps_mode passthrough`, no B-frames), so the n-th picture out carries the n-th
 * frame's capture time and latency stays measurable past the encoder.
 */
import { FlvH264Splitter } from '../../codecs/flv-h264.js';
import { H264Framer } from '../../codecs/h264-framer.js';
import type { Frame } from '../../frame/frame.js';
import { Hub } from '../../hub/hub.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import type { Publisher } from '../../hub/stream.js';
import type { Reader } from '../../hub/reader.js';
import { h264EncodeArgs } from '../../sources/ffmpeg/args.js';
import { FfmpegSupervisor } from '../../sources/ffmpeg/supervisor.js';
import { nowUs } from '../../util/clock.js';
import { createLogger } from '../../util/logger.js';

const log = createLogger('push');

/** MAX_PENDING: pictures in the encoder whose output has not come back; past it ffmpeg is restarted. */
const MAX_PENDING = 120;

/** encoderArgs: MJPEG pictures on stdin → H.264 in FLV on stdout. */
export function encoderArgs(gopSeconds: number, bitrateKbps: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostats',
    '-probesize', '32', '-analyzeduration', '0', '-use_wallclock_as_timestamps', '1',
    '-f', 'mjpeg', '-i', 'pipe:0',
    '-map', '0:v:0', ...h264EncodeArgs(gopSeconds, bitrateKbps), '-fps_mode', 'passthrough',
    '-f', 'flv', '-flush_packets', '1', 'pipe:1',
  ];
}

/** H264Encoder encodes one MJPEG stream of `hub` into `this.hub`; see the file comment. */
export class H264Encoder implements FrameSink {
  /** hub holds the encoded stream under the same name, for pushes to read. */
  readonly hub = new Hub();
  private readonly sup: FfmpegSupervisor;
  private readonly pub: Publisher;
  private pending: number[] = [];
  private splitter = new FlvH264Splitter(16 << 20);
  private framer = new H264Framer();
  private seq = 0;
  private done = false;
  private pumping: Promise<void> | undefined;
  private reader: Reader | undefined;

  constructor(
    private readonly source: Hub,
    readonly stream: string,
    ffmpeg: string,
    opts: { gopSeconds: number; bitrateKbps: number },
  ) {
    this.pub = this.hub.publish(stream, 'encoder');
    this.sup = new FfmpegSupervisor({ ffmpeg, args: encoderArgs(opts.gopSeconds, opts.bitrateKbps), label: `H.264 encoder for "${stream}"`, endOnCleanExit: false, failFast: false, input: true });
    this.sup.on('run', () => {
      this.pending = [];
      this.splitter = new FlvH264Splitter(16 << 20);
      this.framer = new H264Framer();
    });
    this.sup.on('data', (chunk) => this.onData(chunk));
  }

  /** start launches ffmpeg and begins reading the MJPEG stream. */
  async start(): Promise<void> {
    await this.sup.start();
    log.info(`"${this.stream}" is MJPEG: encoding it to H.264 once for its pushes`);
    this.reader = this.source.read(this.stream, { label: 'H.264 encoder' });
    this.pumping = pumpNewest(this.reader, this);
  }

  get closed(): boolean {
    return this.done;
  }

  busy(): boolean {
    return this.sup.stdin?.writableNeedDrain ?? false;
  }

  /** writable resolves when the input pipe drained, or within 100 ms (ffmpeg may have been restarted). */
  writable(): Promise<void> {
    const stdin = this.sup.stdin;
    return new Promise((resolve) => {
      const t = setTimeout(done, 100);
      function done() {
        clearTimeout(t);
        stdin?.off('drain', done);
        resolve();
      }
      stdin?.once('drain', done);
    });
  }

  write(f: Frame): void {
    const stdin = this.sup.stdin;
    if (f.codec !== 'mjpeg' || !stdin || stdin.destroyed) return;
    if (this.pending.length >= MAX_PENDING) return this.sup.kill();
    this.pending.push(f.captureUs);
    stdin.write(f.payload);
  }

  /** close stops ffmpeg and ends the encoded stream; idempotent. */
  async close(): Promise<void> {
    this.done = true;
    this.reader?.close(); // the pump stops even if no frame comes any more
    await this.sup.close();
    await this.pumping;
    this.pub.end();
    await this.hub.close();
  }

  private onData(chunk: Buffer): void {
    let units;
    try {
      units = this.splitter.push(chunk, 0);
    } catch (e) {
      log.error(`"${this.stream}": unreadable encoder output (${(e as Error).message}); restarting it`);
      return this.sup.kill();
    }
    for (const u of units) {
      const pic = this.framer.frame(u.payload);
      if (!pic) continue; // parameter sets only: remembered by the framer
      const captureUs = this.pending.shift() ?? nowUs();
      this.pub.publish({ stream: this.stream, codec: 'h264', seq: this.seq, captureUs, ...pic });
      this.seq = (this.seq + 1) >>> 0;
    }
  }
}
