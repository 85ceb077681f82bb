/**
 * soak-viewers: the soak's WebSocket and MJPEG viewers. Each counts the frames it received; a
 * slow one reads 64 KiB a second (the rest waits in its socket), the way a viewer on a bad link
 * does. They reconnect when the hub closes them, until the soak's signal aborts.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { decodeFrameMessage } from '../src/index.js';
import { sleep } from '../src/util/sleep.js';

/** Counter is one viewer's running frame count; `kind` groups viewers in the soak's table. */
export interface Counter {
  kind: string;
  frames: number;
}

/** SLOW_BYTES_PER_S: what a slow viewer reads each second. */
const SLOW_BYTES_PER_S = 64 * 1024;

/** throttle lets `resume` run for the moment `bytes` take, then pauses again, once a second. */
function throttle(pause: () => void, resume: () => void, onData: (fn: (n: number) => void) => void, signal: AbortSignal): void {
  let budget = SLOW_BYTES_PER_S;
  onData((n) => {
    budget -= n;
    if (budget <= 0) pause();
  });
  const t = setInterval(() => {
    budget = SLOW_BYTES_PER_S;
    resume();
  }, 1000);
  signal.addEventListener('abort', () => clearInterval(t), { once: true });
}

/** wsViewer subscribes to `streams` on the hub's /ws and counts frame messages. */
export function wsViewer(port: number, streams: string[], slow: boolean, signal: AbortSignal): Counter {
  const c: Counter = { kind: slow ? 'slow ws' : 'ws', frames: 0 };
  void (async () => {
    while (!signal.aborted) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const closed = new Promise<void>((r) => ws.once('close', () => r()));
      ws.on('error', () => {});
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'subscribe', streams, ack: !slow }));
        if (slow) {
          const sock = (ws as unknown as { _socket: import('node:net').Socket })._socket;
          throttle(() => sock.pause(), () => sock.resume(), (fn) => sock.on('data', (d: Buffer) => fn(d.length)), signal);
        }
      });
      ws.on('message', (data, binary) => {
        if (!binary) return;
        c.frames++;
        if (!slow) ws.send(JSON.stringify({ type: 'ack', stream: decodeFrameMessage(new Uint8Array(data as Buffer)).stream }));
      });
      const onAbort = () => ws.terminate();
      signal.addEventListener('abort', onAbort, { once: true });
      await closed;
      signal.removeEventListener('abort', onAbort);
      await sleep(500);
    }
  })();
  return c;
}

/** mjpegViewer reads /streams/NAME.mjpeg and counts the parts (one JPEG each). */
export function mjpegViewer(port: number, stream: string, slow: boolean, signal: AbortSignal): Counter {
  const c: Counter = { kind: slow ? 'slow mjpeg' : 'mjpeg', frames: 0 };
  const marker = Buffer.from('Content-Type: image/jpeg');
  void (async () => {
    while (!signal.aborted) {
      await new Promise<void>((done) => {
        const req = request({ host: '127.0.0.1', port, path: `/streams/${stream}.mjpeg`, signal }, (res) => {
          let tail = Buffer.alloc(0);
          res.on('data', (d: Buffer) => {
            // Parts are counted by their header line; keep a marker's length of the previous
            // chunk so a header split across two chunks is counted once.
            const b = Buffer.concat([tail, d]);
            for (let i = b.indexOf(marker); i >= 0; i = b.indexOf(marker, i + 1)) c.frames++;
            tail = b.subarray(Math.max(0, b.length - marker.length + 1));
          });
          if (slow) throttle(() => res.pause(), () => res.resume(), (fn) => res.on('data', (d: Buffer) => fn(d.length)), signal);
          res.on('close', () => done());
          res.on('error', () => done());
        });
        req.on('error', () => done());
        req.end();
      });
      await sleep(500);
    }
  })();
  return c;
}
