/**
 * replay: publishes pre-encoded test-pattern frames at a steady rate with fresh capture times,
 * so tests and benchmarks get real JPEG streams without paying for encoding while they measure.
 */
import type { Frame } from '../../src/frame/frame.js';
import type { Publisher } from '../../src/hub/stream.js';
import { TestSource, type TestSourceOptions } from '../../src/sources/testsrc/testsrc.js';
import { nowUs } from '../../src/util/clock.js';

/** renderFrames encodes `n` consecutive test-pattern frames once. */
export async function renderFrames(opts: TestSourceOptions, n: number, name = 'replay'): Promise<Frame[]> {
  const src = new TestSource({ ...opts, label: opts.label ?? name });
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) out.push(await src.render(i, name));
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
