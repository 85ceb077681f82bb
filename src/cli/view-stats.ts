/**
 * view-stats: what `camwire view` reports — per-second lines and a final summary.
 */
import type { Frame } from '../frame/frame.js';
import { percentiles } from '../hub/stats.js';
import { nowUs } from '../util/clock.js';

const SUMMARY_SAMPLES = 100_000;

/** ViewReport is one line of `camwire view --json` output. */
export interface ViewReport {
  type: 'progress' | 'summary';
  seconds: number;
  frames: number;
  fps: number;
  kbps: number;
  dropped: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  width: number;
  height: number;
}

/** StatSample is what ViewStats needs of a received picture. */
export interface StatSample {
  seq: number;
  captureUs: number;
  bytes: number;
  width: number;
  height: number;
}

/** ViewStats counts received frames, sequence gaps and capture→received latency. */
export class ViewStats {
  frames = 0;
  bytes = 0;
  dropped = 0;
  width = 0;
  height = 0;
  private lastSeq: number | undefined;
  private readonly t0 = Date.now();
  private window = { t: Date.now(), frames: 0, bytes: 0, latency: [] as number[] };
  /** Bounded: the summary uses the newest SUMMARY_SAMPLES latencies in µs (~1 h at 30 fps). */
  private readonly all = new Float64Array(SUMMARY_SAMPLES);
  private n = 0;

  /** add records a frame as received now; sequence gaps count every skip, upstream or local. */
  add(f: Frame): void {
    this.addSample({ seq: f.seq, captureUs: f.captureUs, bytes: f.payload.length, width: f.width, height: f.height });
  }

  /** addSample records a picture captured at `s.captureUs` and received at `atUs` (what add and `camwire latency` share). */
  addSample(s: StatSample, atUs = nowUs()): void {
    const latencyUs = atUs - s.captureUs;
    if (this.lastSeq !== undefined) {
      const gap = (s.seq - this.lastSeq - 1) >>> 0;
      // A huge "gap" is a sender restart (sequence starts over), not two billion lost frames.
      if (gap < 1e6) this.dropped += gap;
    }
    this.lastSeq = s.seq;
    this.frames++;
    this.bytes += s.bytes;
    this.width = s.width;
    this.height = s.height;
    this.window.frames++;
    this.window.bytes += s.bytes;
    this.window.latency.push(latencyUs);
    this.all[this.n++ % SUMMARY_SAMPLES] = latencyUs;
  }

  /** progress returns the report for the window since the previous call and starts a new one. */
  progress(): ViewReport {
    const now = Date.now();
    const w = this.window;
    const secs = Math.max(0.001, (now - w.t) / 1000);
    const [p50, p95, p99] = percentiles(w.latency, [50, 95, 99]);
    this.window = { t: now, frames: 0, bytes: 0, latency: [] };
    return this.report('progress', w.frames / secs, (w.bytes * 8) / 1000 / secs, p50, p95, p99);
  }

  /** summary returns the report over the whole run. */
  summary(): ViewReport {
    const secs = Math.max(0.001, (Date.now() - this.t0) / 1000);
    const [p50, p95, p99] = percentiles(this.all.subarray(0, Math.min(this.n, SUMMARY_SAMPLES)), [50, 95, 99]);
    return this.report('summary', this.frames / secs, (this.bytes * 8) / 1000 / secs, p50, p95, p99);
  }

  private report(type: ViewReport['type'], fps: number, kbps: number, p50: number, p95: number, p99: number): ViewReport {
    // Samples are µs like every capture time; the report is an edge, in ms.
    const ms = (us: number) => (Number.isNaN(us) ? null : r2(us / 1000));
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      type,
      seconds: r2((Date.now() - this.t0) / 1000),
      frames: this.frames,
      fps: r2(fps),
      kbps: Math.round(kbps),
      dropped: this.dropped,
      latencyP50Ms: ms(p50),
      latencyP95Ms: ms(p95),
      latencyP99Ms: ms(p99),
      width: this.width,
      height: this.height,
    };
  }
}

/** formatReport renders a report as one human line. */
export function formatReport(r: ViewReport): string {
  const lat = r.latencyP50Ms === null ? '-' : `${r.latencyP50Ms}/${r.latencyP95Ms} ms`;
  return `${r.type === 'summary' ? 'total' : `${r.seconds.toFixed(0)}s`}: ${r.frames} frames, ${r.fps} fps, ${r.kbps} kbit/s, ${r.dropped} dropped, latency p50/p95 ${lat}, ${r.width}x${r.height}`;
}
