/**
 * streams-api: `GET /api/streams` — every stream with its stats and viewers, for scripts and dashboards.
 */
import type { Hub } from '../../hub/hub.js';
import type { StreamStats } from '../../hub/stream.js';

/** StreamSummary is one entry of the /api/streams answer (docs/http.md shows an example). */
export interface StreamSummary extends Omit<StreamStats, 'readers'> {
  live: boolean;
  viewers: number;
  /** capture→hub latency percentiles over recent frames, ms (null before the first frame). */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  readers: StreamStats['readers'];
}

/** StreamExtra adds fields to one stream's entry (e.g. `pushes`); it returns {} for streams it has nothing on. */
export type StreamExtra = (stream: string) => Record<string, unknown>;

/** streamSummaries builds the /api/streams body. */
export function streamSummaries(hub: Hub, extras: readonly StreamExtra[] = []): { streams: StreamSummary[] } {
  const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return {
    streams: hub.stats().map((st) => {
      const lat = hub.get(st.name)?.latency;
      return {
        ...Object.assign({}, ...extras.map((e) => e(st.name))),
        ...st,
        live: st.publisher !== null,
        viewers: st.readers.length,
        fps: Math.round(st.fps * 100) / 100,
        bitrate: Math.round(st.bitrate),
        latencyP50Ms: round(lat ? lat.percentileMs(50) : null),
        latencyP95Ms: round(lat ? lat.percentileMs(95) : null),
        readers: st.readers.map((r) => ({ ...r, fps: Math.round(r.fps * 100) / 100, bitrate: Math.round(r.bitrate) })),
      };
    }),
  };
}
