/**
 * testsrc: camwire's built-in moving test pattern, JPEG-encoded in-process with sharp and paced
 * to real time. It needs no camera and no ffmpeg: the default demo and the workhorse of tests.
 */
import sharp from 'sharp';
import type { Publisher } from '../../hub/stream.js';
import { nowUs } from '../../util/clock.js';
import { createError } from '../../util/errors.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import type { Source } from '../source.js';
import { Pattern } from './pattern.js';
import { drawTimecode } from '../../codecs/timecode.js';

const log = createLogger('testsrc');

// One libvips thread per encode: frames are encoded one at a time, and extra threads only add
// scheduling overhead on a 2-core box (measured in bench/testsrc).
sharp.concurrency(1);

/** TestSourceOptions: picture size, rate and quality. */
export interface TestSourceOptions {
  width: number;
  height: number;
  fps: number;
  /** quality: JPEG quality 1–100. */
  quality: number;
  /** label is burnt into the picture (usually the stream name). */
  label?: string;
  /** frames: stop (cleanly, END) after this many frames; unlimited when absent. */
  frames?: number;
  /** timecode draws the capture time as a machine-readable strip (codecs/timecode) along the bottom. */
  timecode?: boolean;
}

/** TESTSRC_DEFAULTS: 640×480 at 30 fps, quality 80 — a typical webcam stream. */
export const TESTSRC_DEFAULTS: TestSourceOptions = { width: 640, height: 480, fps: 30, quality: 80 };

/** TestSource is the test-pattern Source; see the file comment. */
export class TestSource implements Source {
  readonly done: Promise<void>;
  /** late counts frames skipped because encoding fell behind real time. */
  late = 0;
  private resolveDone!: () => void;
  private timer: NodeJS.Timeout | undefined;
  /** ticking is the frame being rendered, so close() can wait for the encoder to finish with it. */
  private ticking: Promise<void> | undefined;
  private closed = false;
  private readonly pattern: Pattern;
  private readonly lateReport = new RateLimitedReport((n) => log.warn(`encoding cannot keep up, skipped ${n} frames (lower --fps or --size)`));

  constructor(private readonly opts: TestSourceOptions) {
    const { width, height, fps, quality } = opts;
    if (!(width >= 16 && width <= 7680 && height >= 16 && height <= 4320)) throw createError('CAMWIRE_ERR_CONFIG', `--size ${width}x${height} out of range (16x16 to 7680x4320)`);
    if (!(fps > 0 && fps <= 240)) throw createError('CAMWIRE_ERR_CONFIG', `--fps ${fps} out of range (0 < fps ≤ 240)`);
    if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) throw createError('CAMWIRE_ERR_CONFIG', `--quality ${quality} out of range (1–100)`);
    this.pattern = new Pattern(width, height);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** start begins publishing frames at the configured rate. */
  async start(pub: Publisher): Promise<void> {
    const interval = 1000 / this.opts.fps;
    const t0 = performance.now();
    let k = 0;
    const tick = async () => {
      if (this.closed) return;
      const seq = k;
      const frame = await this.render(seq, pub.stream.name);
      if (this.closed) return;
      pub.publish(frame);
      k++;
      if (this.opts.frames !== undefined && k >= this.opts.frames) {
        pub.end();
        return this.finish();
      }
      const now = performance.now();
      let due = t0 + k * interval;
      if (now - due > interval) {
        // Behind by more than a frame: skip to the present instead of bursting to catch up.
        const skip = Math.floor((now - due) / interval);
        k += skip;
        this.late += skip;
        this.lateReport.add(skip);
        due = t0 + k * interval;
      }
      this.timer = setTimeout(run, Math.max(0, due - now));
    };
    const run = () => (this.ticking = tick());
    this.timer = setTimeout(run, 0);
  }

  /** render draws and encodes frame `seq` now (exposed for benchmarks). */
  async render(seq: number, name = ''): Promise<{ stream: string; codec: 'mjpeg'; keyframe: true; seq: number; captureUs: number; width: number; height: number; payload: Buffer }> {
    const { width, height, quality } = this.opts;
    const captureUs = nowUs();
    const clock = new Date(captureUs / 1000).toISOString().slice(11, 23);
    const raw = this.pattern.draw(seq, [this.opts.label ?? name, `#${String(seq).padStart(6, '0')}`, clock]);
    if (this.opts.timecode) drawTimecode({ data: raw, width, height, channels: 3 }, captureUs);
    const payload = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer();
    return { stream: name, codec: 'mjpeg', keyframe: true, seq, captureUs, width, height, payload };
  }

  /** close stops the pattern and waits for a frame being encoded; idempotent. */
  async close(): Promise<void> {
    this.finish();
    await this.ticking;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.resolveDone();
  }
}
