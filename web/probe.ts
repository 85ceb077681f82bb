/**
 * probe: what the page measures, exposed as `window.camwire` for tests and benchmarks
 * (capture→drawn latency of every frame, frames drawn, tile states). Bounded in memory.
 */

/** MAX_SAMPLES: per-stream latency history kept for readers of window.camwire (~11 min at 30 fps). */
const MAX_SAMPLES = 20_000;

/** StreamProbe is one tile's measurements. */
export interface StreamProbe {
  /** drawn counts frames drawn onto the canvas. */
  drawn: number;
  /** skipped counts frames replaced while a decode was in flight. */
  skipped: number;
  /** latencies: capture→drawn, ms, oldest first. */
  latencies: number[];
  /** decodeErrors counts frames the decoder failed on (H.264: each restarts at a keyframe). */
  decodeErrors: number;
  state: string;
  width: number;
  height: number;
}

/** Probe is `window.camwire`. */
export interface Probe {
  connected: boolean;
  streams: Record<string, StreamProbe>;
  /** reset clears every stream's counters (a benchmark calls it after warm-up). */
  reset(): void;
}

/** probe is the page's one Probe, installed on window. */
export const probe: Probe = {
  connected: false,
  streams: {},
  reset() {
    for (const s of Object.values(this.streams)) {
      s.drawn = 0;
      s.skipped = 0;
      s.latencies = [];
    }
  },
};
(window as unknown as { camwire: Probe }).camwire = probe;

/** streamProbe returns (creating) the probe entry for `name`. */
export function streamProbe(name: string): StreamProbe {
  return (probe.streams[name] ??= { drawn: 0, skipped: 0, latencies: [], decodeErrors: 0, state: 'waiting', width: 0, height: 0 });
}

/** recordLatency appends one sample; past 1.5 × MAX_SAMPLES the oldest are trimmed in one go. */
export function recordLatency(p: StreamProbe, ms: number): void {
  p.latencies.push(ms);
  if (p.latencies.length > MAX_SAMPLES * 1.5) p.latencies.splice(0, p.latencies.length - MAX_SAMPLES);
}

/** wallClockUs is the page's wall clock in µs, on the same scale as a frame's captureUs. */
export function wallClockUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}
