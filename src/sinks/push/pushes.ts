/**
 * pushes: every push of a hub (`serve --push NAME=URL`, the push config key), started and
 * closed as one, with the MJPEG → H.264 encoders they share (one per MJPEG stream, started the
 * first time one of its pushes sees an MJPEG frame) and their counters for /metrics and
 * /api/streams.
 */
import type { Hub } from '../../hub/hub.js';
import { H264Encoder } from './encoder.js';
import { Pusher, type PushStats } from './pusher.js';
import type { PushSpec } from './target.js';
import { createError } from '../../util/errors.js';

/** PushesOptions: the ffmpeg to run and how to encode MJPEG streams. */
export interface PushesOptions {
  ffmpeg: string;
  /** gopSeconds / bitrateKbps: the H.264 of MJPEG streams (a keyframe a second, 4 Mbit/s cap, as sources). */
  gopSeconds: number;
  bitrateKbps: number;
}

/** MetricFamily: the shape of transports/http/metrics.ts Family (structural, so sinks never import a transport). */
interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels?: Record<string, string>; value: number }[];
}

/** Pushes runs a hub's pushes; see the file comment. */
export class Pushes {
  readonly pushers: Pusher[];
  private readonly encoders = new Map<string, Promise<H264Encoder>>();
  private closed = false;

  constructor(
    private readonly hub: Hub,
    specs: readonly PushSpec[],
    private readonly opts: PushesOptions,
  ) {
    this.pushers = specs.map((p) => new Pusher({ hub, stream: p.stream, url: p.url, ffmpeg: opts.ffmpeg, encoded: (s) => this.encoded(s) }));
  }

  /** start launches every push; servers not reachable yet are retried in the background. */
  async start(): Promise<void> {
    for (const p of this.pushers) await p.start();
  }

  /** stats lists every push's counters. */
  stats(): PushStats[] {
    return this.pushers.map((p) => p.stats());
  }

  /** streamInfo is what /api/streams shows of stream `name`: its pushes (none: nothing). */
  streamInfo(name: string): { pushes?: PushStats[] } {
    const pushes = this.stats().filter((s) => s.stream === name);
    return pushes.length ? { pushes } : {};
  }

  /** metricFamilies: per push state, bytes and reconnects. */
  metricFamilies(): MetricFamily[] {
    const st = this.stats();
    const per = (name: string, help: string, type: 'counter' | 'gauge', v: (s: PushStats) => number): MetricFamily => ({ name, help, type, samples: st.map((s) => ({ labels: { stream: s.stream, url: s.url }, value: v(s) })) });
    return [
      per('camwire_push_live', '1 while the push is delivering to its server, else 0 (connecting or retrying).', 'gauge', (s) => (s.state === 'live' ? 1 : 0)),
      per('camwire_push_bytes_total', 'H.264 bytes handed to the push (copied to the server as they are).', 'counter', (s) => s.bytes),
      per('camwire_push_frames_total', 'Frames handed to the push.', 'counter', (s) => s.frames),
      per('camwire_push_reconnects_total', 'Times the push was started again (server gone, refused, network).', 'counter', (s) => s.reconnects),
    ];
  }

  /** close stops every push and encoder; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.pushers.map((p) => p.close()));
    await Promise.all([...this.encoders.values()].map(async (e) => (await e).close()));
  }

  /** encoded returns the hub of `stream`'s shared H.264 encoder, starting it the first time. */
  private async encoded(stream: string): Promise<Hub> {
    if (this.closed) throw createError('CAMWIRE_ERR_CLOSED', 'the pushes are closed');
    let e = this.encoders.get(stream);
    if (!e) {
      const enc = new H264Encoder(this.hub, stream, this.opts.ffmpeg, this.opts);
      e = enc.start().then(() => enc);
      this.encoders.set(stream, e);
    }
    return (await e).hub;
  }
}
