/**
 * scale: the issue 10 targets, each judged against a baseline measured in the same run.
 *
 * - Push: CPU of one 720p30 H.264 push to a real nginx-rtmp (camwire's share + its ffmpeg),
 *   against the same hub with a plain in-process viewer; capture→received back through nginx
 *   (pulled by an rtmp:// source, frames matched by their slice bytes) against one camwire TCP hop.
 * - Hub chain: capture→received at a viewer of the third hub against a viewer of the first.
 * - First picture: a TCP viewer joining at a random moment of a 1 s GOP, with the GOP cache and
 *   with it off (bound set to one frame: the behaviour before it).
 * All hubs run in this process on loopback (nginx and ffmpeg are their own processes).
 */
import { createHash } from 'node:crypto';
import { startHub } from '../src/api/hub-server.js';
import { hubSource } from '../src/api/hub-source.js';
import { readFrom } from '../src/api/remote.js';
import { splitAnnexB } from '../src/codecs/h264-nal.js';
import type { Frame } from '../src/frame/frame.js';
import { Hub } from '../src/hub/hub.js';
import { percentiles } from '../src/hub/stats.js';
import { GOP_CACHE } from '../src/hub/stream.js';
import { Pusher } from '../src/sinks/push/pusher.js';
import { FfmpegSource, FFMPEG_SOURCE_DEFAULTS } from '../src/sources/ffmpeg/ffmpeg-source.js';
import { nowUs } from '../src/util/clock.js';
import { setLogLevel } from '../src/util/logger.js';
import { sleep } from '../src/util/sleep.js';
import { h264Frames } from '../support/h264.js';
import { startNginxRtmp } from '../support/media-servers.js';
import { Replay } from '../support/replay.js';
import { cpuSampler, ms, pct, procCpuMs, table, type Section } from './section.js';

const MEASURE_MS = 10_000;
const FPS = 30;
const JOINS = 20;

/** sliceKey identifies an access unit by its largest NAL unit (the slice), which a copy keeps byte for byte. */
function sliceKey(payload: Buffer): string {
  const nals = splitAnnexB(payload);
  const slice = nals.reduce((a, b) => (b.length > a.length ? b : a));
  return createHash('sha1').update(slice).digest('hex');
}

/** pushCpu replays one stream for MEASURE_MS with a viewer, and with a push to nginx when `url` is set. */
async function pushCpu(frames: Frame[], url?: string): Promise<number> {
  const hub = new Hub();
  const replay = new Replay(hub.publish('cam', 'bench'), frames, FPS).start();
  const viewer = (async () => {
    for await (const _ of hub.read('cam', { label: 'viewer' }));
  })();
  const push = url ? new Pusher({ hub, stream: 'cam', url, ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('H.264 only')) }) : undefined;
  await push?.start();
  await sleep(2000); // connected and steady
  const pid = push?.pid;
  const child0 = pid ? procCpuMs(pid) : 0;
  const cpu = cpuSampler();
  await sleep(MEASURE_MS);
  const own = cpu();
  const child = pid && push?.pid === pid ? procCpuMs(pid) - child0 : 0;
  replay.stop();
  await push?.close();
  await hub.close();
  await viewer;
  return (own + child) / MEASURE_MS;
}

/** latencies measures capture→received for MEASURE_MS: through nginx (push, then an rtmp:// pull) or one TCP hop. */
async function latencies(frames: Frame[], via: 'nginx' | 'tcp', url = ''): Promise<number[]> {
  const server = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1' });
  const keys = frames.map((f) => sliceKey(f.payload));
  const sentAt = new Map<string, number>();
  const pub = server.hub.publish('cam', 'bench');
  const replay = new Replay({ ...pub, publish: (f) => (sentAt.set(keys[f.seq % frames.length], performance.now()), pub.publish(f)) }, frames, FPS).start();
  const out: number[] = [];
  const t0 = performance.now();
  if (via === 'tcp') {
    const r = readFrom(`tcp://127.0.0.1:${server.tcp!.port}/cam`);
    for await (const f of r) {
      if (performance.now() - t0 > 2000) out.push((nowUs() - f.captureUs) / 1000);
      if (performance.now() - t0 > MEASURE_MS + 2000) break;
    }
  } else {
    const push = new Pusher({ hub: server.hub, stream: 'cam', url, ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('H.264 only')) });
    await push.start();
    const back = new Hub();
    const source = new FfmpegSource({ ...FFMPEG_SOURCE_DEFAULTS, codec: 'h264', spec: { kind: 'url', url }, loop: false, failFast: false });
    await source.start(back.publish('back', url));
    const end = performance.now() + MEASURE_MS + 15_000;
    let counted = 0;
    for await (const f of back.read('back')) {
      const at = sentAt.get(sliceKey(f.payload));
      if (at !== undefined && counted++ > FPS) out.push(performance.now() - at); // after a second of warm-up
      if (out.length >= (MEASURE_MS / 1000) * FPS || performance.now() > end) break;
    }
    await source.close();
    await push.close();
    await back.close();
  }
  replay.stop();
  await server.close();
  return out;
}

/** chain measures capture→received at a viewer of hub A (one hop) and of hub C (A → B → C) at once. */
async function chain(frames: Frame[]): Promise<{ one: number[]; three: number[] }> {
  const hubs = [];
  for (let i = 0; i < 3; i++) hubs.push(await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1' }));
  const [a, b, c] = hubs;
  const replay = new Replay(a.hub.publish('cam', 'bench'), frames, FPS).start();
  const url = (h: typeof a) => `tcp://127.0.0.1:${h.tcp!.port}/cam`;
  const sb = hubSource(url(a), {});
  await sb.start(b.hub.publish('cam', url(a)));
  await sleep(500);
  const sc = hubSource(url(b), {});
  await sc.start(c.hub.publish('cam', url(b)));
  await sleep(1000);
  const measure = async (u: string) => {
    const out: number[] = [];
    const t0 = performance.now();
    for await (const f of readFrom(u)) {
      if (performance.now() - t0 > 1000) out.push((nowUs() - f.captureUs) / 1000);
      if (performance.now() - t0 > MEASURE_MS + 1000) break;
    }
    return out;
  };
  const [one, three] = await Promise.all([measure(url(a)), measure(url(c))]);
  replay.stop();
  await sc.close();
  await sb.close();
  for (const h of hubs) await h.close();
  return { one, three };
}

/** firstPicture joins a TCP viewer JOINS times at random moments and returns the ms to its first frame. */
async function firstPicture(frames: Frame[]): Promise<number[]> {
  const server = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1' });
  const replay = new Replay(server.hub.publish('cam', 'bench'), frames, FPS).start();
  await sleep(1500);
  const out: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    await sleep(200 + Math.random() * 1000);
    const t0 = performance.now();
    const r = readFrom(`tcp://127.0.0.1:${server.tcp!.port}/cam`);
    for await (const f of r) {
      if (f.keyframe) out.push(performance.now() - t0);
      break;
    }
    await r.close();
  }
  replay.stop();
  await server.close();
  return out;
}

const p = (xs: number[]) => percentiles(xs, [50, 95]);

/** section is the `scale` benchmark. */
export const section: Section = {
  name: 'scale',
  async run() {
    setLogLevel('error');
    const frames = h264Frames({ width: 1280, height: 720, fps: FPS, frames: 2 * FPS, gop: FPS, noise: 8 }, 'bench');
    const nginx = await startNginxRtmp();
    const verdicts: string[] = [];
    try {
      const base = await pushCpu(frames);
      const pushed = await pushCpu(frames, nginx.url('cpu'));
      const cost = pushed - base;
      const tcp = p(await latencies(frames, 'tcp'));
      const back = await latencies(frames, 'nginx', nginx.url('lat'));
      const [b50, b95] = p(back);
      const rowsPush = [
        ['hub + one viewer (baseline)', pct(base), '-', ms(tcp[0]), ms(tcp[1])],
        ['+ push to nginx-rtmp (-c copy), pulled back by an rtmp:// source', pct(pushed), pct(cost), ms(b50), ms(b95)],
      ];
      const pushOk = cost <= 0.05;
      const latOk = back.length > 0 && b95 - tcp[1] <= 100;
      verdicts.push(`Push CPU: ${pct(cost)} of one core per 720p30 stream (camwire + its ffmpeg; target ≤ 5 %) — ${pushOk ? 'met' : 'NOT met'}.`);
      verdicts.push(`Push latency: p95 capture→received back through nginx ${ms(b95)} ms vs ${ms(tcp[1])} ms over one camwire TCP hop (${back.length} frames matched); added ${ms(b95 - tcp[1])} ms (target ≤ 100 ms) — ${latOk ? 'met' : 'NOT met'}.`);

      const ch = await chain(frames);
      const [o50, o95] = p(ch.one);
      const [t50, t95] = p(ch.three);
      const chainOk = t95 <= 3 * o95;
      verdicts.push(`Three-hub chain: p95 ${ms(t95)} ms vs ${ms(o95)} ms for one hop (${(t95 / o95).toFixed(2)}×; target ≤ 3×) — ${chainOk ? 'met' : 'NOT met'}.`);

      const withCache = p(await firstPicture(frames));
      const saved = GOP_CACHE.frames;
      GOP_CACHE.frames = 1; // off: only a keyframe that is the newest frame is handed over, as before the cache
      const without = p(await firstPicture(frames));
      GOP_CACHE.frames = saved;
      const fpOk = withCache[1] <= 150 && withCache[1] < without[0];
      verdicts.push(`First picture (TCP viewer, 1 s GOP): p95 ${ms(withCache[1])} ms with the GOP cache vs p50 ${ms(without[0])} / p95 ${ms(without[1])} ms without (target ≤ 150 ms, and below the baseline's median) — ${fpOk ? 'met' : 'NOT met'}.`);

      return [
        `## Scale-out: push, hub chain, first picture (1280x720@30 H.264, ${MEASURE_MS / 1000} s per measurement, loopback)`,
        '',
        table(['push', 'CPU (of one core)', 'push cost', 'p50 ms', 'p95 ms'], rowsPush),
        '',
        table(['hub chain', 'p50 ms', 'p95 ms', 'frames'], [
          ['viewer of hub A (one hop, baseline)', ms(o50), ms(o95), ch.one.length],
          ['viewer of hub C (A → B → C)', ms(t50), ms(t95), ch.three.length],
        ]),
        '',
        table(['first picture after a viewer connects', 'p50 ms', 'p95 ms', 'joins'], [
          ['GOP cache off (baseline: waits for the next keyframe)', ms(without[0]), ms(without[1]), JOINS],
          ['GOP cache on', ms(withCache[0]), ms(withCache[1]), JOINS],
        ]),
        '',
        ...verdicts,
      ].join('\n');
    } finally {
      await nginx.close();
    }
  },
};
