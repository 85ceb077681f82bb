/**
 * viewer-worker: the server side of the viewer benchmarks, in its own process so its CPU time
 * is measured alone. `camwire` mode is a real hub (startHub) fed by replayed JPEG (or H.264) frames;
 * `bare` mode pushes the very same bytes with no hub: one `ws` broadcast to every socket, one
 * multipart write to every MJPEG response, no readers, no backpressure — the same-run baseline.
 *
 * Parent → worker: {type:'setup', mode, streams, quality} · {type:'mark'} · {type:'report'}
 * Worker → parent: {type:'ready', port, frameBytes} · {type:'marked'} · {type:'report', cpuMs, wallMs, published}
 */
import { createServer, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { startHub } from '../src/api/hub-server.js';
import type { Codec, Frame } from '../src/frame/frame.js';
import type { Publisher } from '../src/hub/stream.js';
import { encodeFrameMessage } from '../src/transports/ws/frame-message.js';
import { MJPEG_CONTENT_TYPE, PART_TRAILER, partHeader } from '../src/transports/http/multipart.js';
import { h264Frames } from '../support/h264.js';
import { renderFrames, Replay } from '../support/replay.js';
import { BARE_PAGE } from './bare-page.js';
import { ONE_HOST_LIMITS } from './procs.js';

/** StreamSpec is one replayed stream. */
export interface StreamSpec {
  name: string;
  width: number;
  height: number;
  fps: number;
}

/** WorkerSetup configures the worker. */
export interface WorkerSetup {
  type: 'setup';
  mode: 'camwire' | 'bare';
  streams: StreamSpec[];
  quality: number;
  /** noise: pixel-noise amplitude for camera-like frame sizes (see renderFrames). */
  noise: number;
  /** codec: 'mjpeg' (default) or 'h264' (x264 live settings, 1 s GOP, 4 Mbit/s; camwire mode only). */
  codec?: Codec;
}

/** WorkerReport is the CPU and frame count since the last mark. */
export interface WorkerReport {
  type: 'report';
  cpuMs: number;
  wallMs: number;
  published: Record<string, number>;
}

const DISTINCT_FRAMES = 30;
/** frameBytes is the mean JPEG size of the first stream's frames (reported with ready). */
let frameBytes = 0;
const replays = new Map<string, Replay>();
let mark = { cpu: process.cpuUsage(), at: performance.now(), counts: new Map<string, number>() };

// An orphaned worker (its bench crashed) exits instead of replaying forever.
process.on('disconnect', () => process.exit(0));

process.on('message', async (m: { type: string } & Partial<WorkerSetup>) => {
  if (m.type === 'setup') {
    const port = await setup(m as WorkerSetup);
    process.send!({ type: 'ready', port, frameBytes });
  } else if (m.type === 'mark') {
    mark = { cpu: process.cpuUsage(), at: performance.now(), counts: new Map([...replays].map(([n, r]) => [n, r.published])) };
    process.send!({ type: 'marked' });
  } else if (m.type === 'report') {
    const c = process.cpuUsage(mark.cpu);
    const published = Object.fromEntries([...replays].map(([n, r]) => [n, r.published - (mark.counts.get(n) ?? 0)]));
    process.send!({ type: 'report', cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - mark.at, published } satisfies WorkerReport);
  }
});

async function setup(s: WorkerSetup): Promise<number> {
  // Streams of one size share their pre-rendered frames: encoding is not what is measured.
  const cache = new Map<string, Frame[]>();
  const framesFor = async (st: StreamSpec) => {
    const key = `${st.width}x${st.height}`;
    if (!cache.has(key)) cache.set(key, s.codec === 'h264' ? h264Frames({ ...st, frames: 2 * st.fps, gop: st.fps, noise: s.noise }, 'bench') : await renderFrames({ width: st.width, height: st.height, fps: st.fps, quality: s.quality }, DISTINCT_FRAMES, 'bench', s.noise));
    const frames = cache.get(key)!;
    frameBytes ||= Math.round(frames.reduce((n, f) => n + f.payload.length, 0) / frames.length);
    return frames;
  };
  if (s.mode === 'camwire') {
    const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', ...ONE_HOST_LIMITS });
    for (const st of s.streams) replays.set(st.name, new Replay(server.hub.publish(st.name, 'bench'), await framesFor(st), st.fps).start());
    return server.http!.port;
  }
  const sockets = new Set<WebSocket>();
  const responses = new Set<ServerResponse>();
  const http = createServer((req, res) => {
    const m = /^\/streams\/(.+)\.mjpeg$/.exec(req.url ?? '');
    if (req.url === '/' || req.url?.startsWith('/?')) return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(BARE_PAGE);
    if (!m) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': MJPEG_CONTENT_TYPE });
    responses.add(res);
    res.on('close', () => responses.delete(res));
  });
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  for (const st of s.streams) {
    const broadcast: Publisher = {
      stream: { name: st.name } as Publisher['stream'],
      publish(f: Frame) {
        const msg = encodeFrameMessage(f);
        for (const ws of sockets) ws.send(msg);
        for (const res of responses) {
          res.write(partHeader(f));
          res.write(f.payload);
          res.write(PART_TRAILER);
        }
      },
      end() {},
      detach() {},
    };
    replays.set(st.name, new Replay(broadcast, await framesFor(st), st.fps).start());
  }
  return (http.address() as { port: number }).port;
}
