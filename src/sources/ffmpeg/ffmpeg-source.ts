/**
 * ffmpeg-source: cameras, video files and IP cameras through a supervised ffmpeg child.
 *
 * ffmpeg writes MJPEG (JPEGs back to back) or H.264 (in FLV, for exact picture boundaries) to
 * stdout; a Splitter cuts that into pictures and each becomes a Frame. What comes in already
 * compressed the way it should go out (a camera's MJPEG, an IP camera's H.264, an H.264 file)
 * is copied, never decoded and re-encoded.
 *
 * Capture time: a Frame's captureUs is when the first bytes of its picture arrived from
 * ffmpeg. The real moment of capture is earlier by ffmpeg's capture + encode time, which
 * camwire cannot see; that part of the latency is measured in bench/ffmpeg.ts instead.
 */
import { jpegSize } from '../../codecs/jpeg.js';
import { FlvH264Splitter } from '../../codecs/flv-h264.js';
import { H264Framer } from '../../codecs/h264-framer.js';
import { JpegSplitter } from '../../codecs/jpeg-splitter.js';
import type { SplitUnit, Splitter } from '../../codecs/splitter.js';
import type { Codec, Frame } from '../../frame/frame.js';
import type { Publisher } from '../../hub/stream.js';
import { DEFAULTS } from '../../config/defaults.js';
import { nowUs } from '../../util/clock.js';
import { createError } from '../../util/errors.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import type { Source } from '../source.js';
import { redactUrl, type SourceSpec } from '../spec.js';
import { GLOBAL_ARGS, outputArgs, type Platform, type Size } from './args.js';
import { locateFfmpeg, type Ffmpeg } from './locate.js';
import { planInput, type InputPlan } from './plan.js';
import { FfmpegSupervisor } from './supervisor.js';

const log = createLogger('source');

/** FfmpegSourceOptions: what to open and how to deliver it. */
export interface FfmpegSourceOptions {
  spec: Exclude<SourceSpec, { kind: 'testsrc' }>;
  codec: Codec;
  size?: Size;
  fps?: number;
  /** inputFormat asks a camera for a format (mjpeg, h264, yuyv422…). */
  inputFormat?: string;
  /** quality: JPEG quality 1–100 when encoding MJPEG. */
  quality: number;
  /** gopSeconds: H.264 keyframe interval when encoding. */
  gopSeconds: number;
  /** bitrateKbps: H.264 bitrate cap when encoding. */
  bitrateKbps: number;
  /** loop repeats a file forever. */
  loop: boolean;
  /** ffmpegPath: --ffmpeg; else CAMWIRE_FFMPEG, PATH, the npm build. */
  ffmpegPath?: string;
  maxFrameBytes: number;
  /** failFast: an input that cannot be opened rejects start() (send); otherwise retried (serve). */
  failFast: boolean;
  platform?: Platform;
  /** inputArgs replaces the input part of the command (tests: a lavfi pattern stands in for a camera). */
  inputArgs?: string[];
}

/**
 * FFMPEG_SOURCE_DEFAULTS: MJPEG at quality 80 (as testsrc); H.264 with one keyframe a second
 * (a new viewer waits at most that long) capped at 4 Mbit/s (a noisy 720p30 picture stays near
 * the cap instead of coding sensor noise at 70+ Mbit/s; raise it for 1080p).
 */
export const FFMPEG_SOURCE_DEFAULTS = { codec: 'mjpeg' as Codec, quality: 80, gopSeconds: 1, bitrateKbps: 4000, maxFrameBytes: DEFAULTS.maxFrameBytes };

/** FfmpegSource is the Source for cameras, files and URLs; see the file comment. */
export class FfmpegSource implements Source {
  readonly done: Promise<void>;
  /** frames counts frames published. */
  frames = 0;
  /** copy tells (after start) whether pictures are passed through without re-encoding. */
  copy = false;
  /** args is the ffmpeg command line in use (after start), for logs and tests. */
  args: string[] = [];
  /** ffmpeg is the binary in use (after start). */
  ffmpeg: Ffmpeg | undefined;
  private supervisor: FfmpegSupervisor | undefined;
  private resolveDone!: () => void;
  private seq = 0;
  private readonly label: string;
  private readonly bad = new RateLimitedReport((n) => log.warn(`${this.label}: dropped ${n} pictures (unreadable, or larger than maxFrameBytes)`));

  constructor(private readonly opts: FfmpegSourceOptions) {
    const s = opts.spec;
    this.label = s.kind === 'camera' ? `camera${s.which ? ` ${s.which}` : ''}` : s.kind === 'file' ? `file ${s.path}` : redactUrl(s.url);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** running is the supervisor of the ffmpeg child (restarts, pid), for tests and benchmarks. */
  get running(): FfmpegSupervisor | undefined {
    return this.supervisor;
  }

  /**
   * start opens the input and begins publishing. With failFast it rejects with one clear line
   * if the input cannot be opened; otherwise it returns at once and the supervisor keeps trying
   * (a hub pulling cameras keeps trying one that is not there yet, and serves the others).
   */
  async start(pub: Publisher): Promise<void> {
    if (this.supervisor) throw createError('CAMWIRE_ERR_CONFIG', `${this.label}: start() was already called`);
    const ffmpeg = (this.ffmpeg = locateFfmpeg({ flag: this.opts.ffmpegPath }));
    const o = this.opts;
    let plan: InputPlan | undefined;
    const sup = (this.supervisor = new FfmpegSupervisor({
      ffmpeg: ffmpeg.path,
      // Planned once (probing the input); a plan that fails is retried by the supervisor's loop.
      args: async () => this.command(ffmpeg, (plan ??= await planInput(ffmpeg, o, this.label))),
      label: this.label,
      endOnCleanExit: o.spec.kind === 'file' && !o.loop,
      failFast: o.failFast,
    }));
    let splitter: Splitter;
    let framer: H264Framer;
    let oversized = 0;
    let unreadable = false;
    sup.on('run', () => {
      oversized = 0;
      unreadable = false;
      splitter = o.codec === 'mjpeg' ? new JpegSplitter(o.maxFrameBytes) : new FlvH264Splitter(o.maxFrameBytes);
      framer = new H264Framer();
    });
    sup.on('data', (chunk) => {
      if (unreadable) return; // the rest of a run being killed
      let units: SplitUnit[];
      try {
        units = splitter.push(chunk, nowUs());
      } catch (e) {
        unreadable = true;
        log.error(`${this.label}: unreadable ffmpeg output (${(e as Error).message}); restarting ffmpeg`);
        sup.kill();
        return;
      }
      for (const u of units) this.publish(pub, u, framer);
      if (splitter.oversized > oversized) {
        this.bad.add(splitter.oversized - oversized);
        oversized = splitter.oversized;
      }
    });
    sup.on('end', () => {
      for (const u of splitter.end()) this.publish(pub, u, framer);
      log.info(`${this.label}: end of file after ${this.frames} frames`);
      pub.end();
      this.resolveDone();
    });
    await sup.start();
  }

  /** command builds the ffmpeg command line for `plan` (once per plan) and logs what it does. */
  private command(ffmpeg: Ffmpeg, plan: InputPlan): string[] {
    if (this.args.length > 0) return this.args;
    this.copy = plan.copy;
    const o = this.opts;
    // A camera is asked for its size and rate directly; files and URLs are scaled/resampled.
    const reshape = o.spec.kind === 'camera' && !o.inputArgs ? {} : { size: o.size, fps: o.fps };
    this.args = [...GLOBAL_ARGS, ...plan.input, ...outputArgs({ codec: o.codec, copy: plan.copy, quality: o.quality, gopSeconds: o.gopSeconds, bitrateKbps: o.bitrateKbps, ...(plan.copy ? {} : reshape) })];
    log.info(`${this.label}: ${plan.copy ? `passing ${o.codec} through without re-encoding` : `encoding ${o.codec}`} (ffmpeg ${ffmpeg.version}, ${ffmpeg.origin === 'npm' ? 'bundled build' : ffmpeg.path})`);
    log.debug(`${this.label}: ${ffmpeg.path} ${redactUrl(this.args.join(' '))}`);
    return this.args;
  }

  /** close stops ffmpeg and publishing; idempotent. */
  async close(): Promise<void> {
    await this.supervisor?.close();
    this.resolveDone();
  }

  private publish(pub: Publisher, u: SplitUnit, framer: H264Framer): void {
    const base = { stream: pub.stream.name, seq: this.seq, captureUs: u.firstByteUs };
    let frame: Frame | undefined;
    if (this.opts.codec === 'mjpeg') {
      const size = jpegSize(u.payload);
      if (size) frame = { ...base, codec: 'mjpeg', keyframe: true, ...size, payload: u.payload };
      else this.bad.add();
    } else {
      const pic = framer.frame(u.payload);
      if (pic) frame = { ...base, codec: 'h264', ...pic };
      // undefined: parameter sets only (remembered), or pictures before the first SPS
    }
    if (!frame) return;
    this.seq = (this.seq + 1) >>> 0;
    this.frames++;
    pub.publish(frame);
  }
}
