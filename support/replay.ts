/**
 * replay: publishes pre-encoded test-pattern frames at a steady rate with fresh capture times,
 * so tests and benchmarks get real JPEG streams without paying for encoding while they measure.
 */
import sharp from 'sharp';
import type { Frame } from '../src/frame/frame.js';
import type { Publisher } from '../src/hub/stream.js';
import { TestSource, type TestSourceOptions } from '../src/sources/testsrc/testsrc.js';
import { nowUs } from '../src/util/clock.js';

/**
 * renderFrames encodes `n` consecutive test-pattern frames once. `noise` (0–127) adds seeded
 * pixel noise of that amplitude first: the flat test pattern compresses far better than a real
 * camera; noise 16 gives a 720p q80 JPEG of ~120 KB (~29 Mbit/s at 30 fps, a noisy webcam).
 */
export async function renderFrames(opts: TestSourceOptions, n: number, name = 'replay', noise = 0): Promise<Frame[]> {
  const src = new TestSource({ ...opts, label: opts.label ?? name });
  const out: Frame[] = [];
  let seed = 1;
  for (let i = 0; i < n; i++) {
    const f = await src.render(i, name);
    if (noise === 0) {
      out.push(f);
      continue;
    }
    const { data, info } = await sharp(f.payload).raw().toBuffer({ resolveWithObject: true });
    for (let k = 0; k < data.length; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[k] = Math.max(0, Math.min(255, data[k] + ((seed >>> 24) % (2 * noise + 1)) - noise));
    }
    out.push({ ...f, payload: await sharp(data, { raw: info }).jpeg({ quality: opts.quality }).toBuffer() });
  }
  return out;
}

/** Replay loops `frames` into `pub` at `fps`; each frame gets the next seq and the current time. */
export class Replay {
  published = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly pub: Publisher,
    private readonly frames: Frame[],
    private readonly fps: number,
  ) {}

  /** start begins publishing (drift-free: each frame is due at t0 + k / fps). */
  start(): this {
    const t0 = performance.now();
    const step = () => {
      if (this.stopped) return;
      const f = this.frames[this.published % this.frames.length];
      this.pub.publish({ ...f, stream: this.pub.stream.name, seq: this.published, captureUs: nowUs() });
      this.published++;
      const due = t0 + (this.published * 1000) / this.fps;
      this.timer = setTimeout(step, Math.max(0, due - performance.now()));
      this.timer.unref(); // a forgotten replay never keeps a test process alive
    };
    step();
    return this;
  }

  /** stop stops publishing (the publisher stays attached). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
