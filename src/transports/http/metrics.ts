/**
 * metrics: `GET /metrics` in the Prometheus text exposition format 0.0.4 — per stream frames,
 * bytes, drops, viewers and a capture→hub latency histogram; per process CPU, memory and open
 * connections by transport.
 *
 * ```
 * # HELP camwire_stream_frames_total Frames published into the stream.
 * # TYPE camwire_stream_frames_total counter
 * camwire_stream_frames_total{stream="lab"} 1042
 * ```
 */
import type { Hub } from '../../hub/hub.js';
import { LATENCY_BUCKETS_US } from '../../hub/stats.js';

/** METRICS_CONTENT_TYPE is the Content-Type Prometheus expects for the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Sample is one line of a family: optional name suffix (_bucket, _sum, _count), labels, value. */
export interface Sample {
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

/** Family is one metric: HELP, TYPE and its samples. */
export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

/** renderFamilies writes families in the text format (label values escaped, one trailing newline). */
export function renderFamilies(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      lines.push(`${f.name}${s.suffix ?? ''}${labels.length ? `{${labels.join(',')}}` : ''} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Connections counts open connections by transport name (http, ws, tcp, …). */
export type Connections = Record<string, number>;

/** collectMetrics gathers every family for `hub` and this process. */
export function collectMetrics(hub: Hub, connections: Connections, httpResponses: Map<number, number>): Family[] {
  const stats = hub.stats();
  const per = (name: string, help: string, type: Family['type'], value: (s: (typeof stats)[number]) => number): Family => ({
    name,
    help,
    type,
    samples: stats.map((s) => ({ labels: { stream: s.name }, value: value(s) })),
  });
  const histogram: Family = { name: 'camwire_stream_latency_seconds', help: 'Capture-to-hub latency of published frames.', type: 'histogram', samples: [] };
  for (const s of stats) {
    const lat = hub.get(s.name)?.latency;
    if (!lat) continue;
    let cumulative = 0;
    LATENCY_BUCKETS_US.forEach((le, i) => {
      cumulative += lat.buckets[i];
      histogram.samples.push({ suffix: '_bucket', labels: { stream: s.name, le: String(le / 1e6) }, value: cumulative });
    });
    histogram.samples.push(
      { suffix: '_bucket', labels: { stream: s.name, le: '+Inf' }, value: lat.count },
      { suffix: '_sum', labels: { stream: s.name }, value: lat.sumUs / 1e6 },
      { suffix: '_count', labels: { stream: s.name }, value: lat.count },
    );
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return [
    per('camwire_stream_frames_total', 'Frames published into the stream.', 'counter', (s) => s.framesIn),
    per('camwire_stream_bytes_total', 'Payload bytes published into the stream.', 'counter', (s) => s.bytesIn),
    per('camwire_stream_dropped_frames_total', 'Frames skipped by readers too slow for the stream (newest frame wins).', 'counter', (s) => s.dropped),
    per('camwire_stream_viewers', 'Readers of the stream right now (TCP, WebSocket, MJPEG and in-process).', 'gauge', (s) => s.readers.length),
    per('camwire_stream_live', '1 while a publisher is attached, else 0.', 'gauge', (s) => (s.publisher === null ? 0 : 1)),
    per('camwire_stream_fps', 'Frames per second published over the last second.', 'gauge', (s) => Math.round(s.fps * 100) / 100),
    histogram,
    {
      name: 'camwire_connections',
      help: 'Open connections by transport.',
      type: 'gauge',
      samples: Object.entries(connections).map(([transport, value]) => ({ labels: { transport }, value })),
    },
    {
      name: 'camwire_http_responses_total',
      help: 'HTTP responses sent, by status code (4xx: rejected requests).',
      type: 'counter',
      samples: [...httpResponses].sort((a, b) => a[0] - b[0]).map(([code, value]) => ({ labels: { code: String(code) }, value })),
    },
    { name: 'process_cpu_seconds_total', help: 'User and system CPU time spent, seconds.', type: 'counter', samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
    { name: 'process_resident_memory_bytes', help: 'Resident memory size, bytes.', type: 'gauge', samples: [{ value: mem.rss }] },
    { name: 'process_heap_bytes', help: 'V8 heap in use, bytes.', type: 'gauge', samples: [{ value: mem.heapUsed }] },
    { name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, seconds.', type: 'gauge', samples: [{ value: Math.round(performance.timeOrigin / 1000) }] },
  ];
}
