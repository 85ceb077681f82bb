/**
 * fanout-clients: headless viewers for the fan-out benchmarks — node `ws` clients speaking the
 * viewer protocol, and HTTP clients reading MJPEG — each counting frames and capture→received
 * latency.
 */
import { get, type ClientRequest } from 'node:http';
import { WebSocket } from 'ws';
import { decodeFrameMessage } from '../src/transports/ws/frame-message.js';
import { nowUs } from '../src/util/clock.js';

/** FanoutClient is one viewer's counters. */
export interface FanoutClient {
  received: number;
  latencies: number[];
  /** ready resolves on the first frame. */
  ready: Promise<void>;
  reset(): void;
  close(): void;
}

function counters(): Pick<FanoutClient, 'received' | 'latencies' | 'reset'> & { add(captureUs: number): void } {
  return {
    received: 0,
    latencies: [],
    add(captureUs: number) {
      this.received++;
      this.latencies.push((nowUs() - captureUs) / 1000);
    },
    reset() {
      this.received = 0;
      this.latencies = [];
    },
  };
}

/** wsClient subscribes to `stream` over the viewer WebSocket; `ack` turns on flow control. */
export function wsClient(port: number, stream: string, ack: boolean): FanoutClient {
  const c = counters();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  let first!: () => void;
  const ready = new Promise<void>((r) => (first = r));
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', streams: [stream], ack })));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const f = decodeFrameMessage(data as Buffer);
    c.add(f.captureUs);
    if (ack) ws.send(`{"type":"ack","stream":${JSON.stringify(f.stream)}}`);
    first();
  });
  ws.on('error', () => {});
  return Object.assign(c, { ready, close: () => ws.terminate() });
}

/** mjpegClient reads `/streams/NAME.mjpeg`, parsing parts by their Content-Length. */
export function mjpegClient(port: number, stream: string): FanoutClient {
  const c = counters();
  let first!: () => void;
  const ready = new Promise<void>((r) => (first = r));
  let buf: Buffer = Buffer.alloc(0);
  let skip = 0;
  const req: ClientRequest = get({ host: '127.0.0.1', port, path: `/streams/${stream}.mjpeg`, agent: false }, (res) => {
    res.on('data', (d: Buffer) => {
      if (skip >= d.length) return void (skip -= d.length);
      buf = buf.length ? Buffer.concat([buf, d.subarray(skip)]) : d.subarray(skip);
      skip = 0;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/Content-Length: (\d+)/.exec(head)?.[1]);
        c.add(Number(/X-Camwire-Capture-Us: (\d+)/.exec(head)?.[1]));
        first();
        const next = end + 4 + len + 2;
        if (next > buf.length) {
          skip = next - buf.length;
          buf = Buffer.alloc(0);
          return;
        }
        buf = buf.subarray(next);
      }
    });
  });
  req.on('error', () => {});
  return Object.assign(c, { ready, close: () => req.destroy() });
}
