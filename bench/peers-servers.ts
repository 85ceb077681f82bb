/**
 * peers-servers: camwire against the servers people put between a camera and its viewers —
 * nginx-rtmp (publish with ffmpeg, play RTMP) and Motion re-serving an MJPEG camera over HTTP —
 * with 1, 10 and 50 clients and one slow client, measured from the pictures by `camwire latency`.
 *
 * nginx-rtmp: raw camera → ffmpeg x264 zerolatency → nginx → the client, against camwire:
 * testsrc --timecode encoded by `camwire send` (MJPEG, camwire's native path) → hub → the client,
 * Motion: both re-serve the same MJPEG camera (a camwire hub's /streams/cam.mjpeg with
 * --timecode): Motion with netcam_url, camwire with `serve --stream lab=URL` (passed through).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { freePort, rawConnect, waitForPort } from '../support/net.js';
import { onPath } from '../support/tools.js';
import { h264EncodeArgs } from '../src/sources/ffmpeg/args.js';
import { sleep } from '../src/util/sleep.js';
import { cameraInto, camwire, measure, MEASURE_S, run, stop, waitListening, type ClientSpec, type Measurement, type Proc } from './peers-measure.js';
import { peerRow, PEER_HEAD, slowClient, slowVerdict } from './peers-report.js';
import { protocolViewer } from './viewer.js';
import { ms, table, type Section, type SectionResult, type TargetRow } from './section.js';

const SIZE = { width: 1280, height: 720 };
const FPS = 30;
const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Pipeline: started processes, where the measuring client reads, where extra clients connect. */
interface Pipeline {
  procs: Proc[];
  client: ClientSpec;
  /** extra: attaches one more ordinary (fast, discarding) client; returns its closer. */
  extra?: () => Promise<() => void>;
  /** slow: attaches one slow client; returns its closer. */
  slow?: () => Promise<() => void>;
  cleanup?: () => void;
}

/** httpReader is a fast client of an MJPEG-over-HTTP URL path that discards what it reads. */
async function httpReader(port: number, path: string): Promise<() => void> {
  const s: Socket = await rawConnect(port);
  s.on('error', () => {});
  s.on('data', () => {});
  s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  return () => s.destroy();
}

/** cameraHub is the MJPEG "IP camera": camwire testsrc --timecode behind a hub's HTTP port. */
async function cameraHub(): Promise<{ procs: Proc[]; url: string }> {
  const [tcp, http] = [await freePort(), await freePort()];
  const hub = camwire('camera hub', ['serve', '--tcp', String(tcp), '--http', String(http), '--host', '127.0.0.1']);
  await waitForPort(tcp);
  await waitForPort(http);
  const send = camwire('camera (testsrc)', ['send', 'testsrc', `tcp://127.0.0.1:${tcp}/cam`, '--timecode', '--size', `${SIZE.width}x${SIZE.height}`, '--fps', String(FPS)]);
  return { procs: [send, hub], url: `http://127.0.0.1:${http}/streams/cam.mjpeg` };
}

async function camwireMjpegServer(): Promise<Pipeline> {
  const cam = await cameraHub();
  const [tcp, http] = [await freePort(), await freePort()];
  const hub = camwire('camwire serve', ['serve', '--tcp', String(tcp), '--http', String(http), '--host', '127.0.0.1', '--stream', `lab=${cam.url}`]);
  await waitForPort(http);
  return {
    procs: [...cam.procs, hub],
    client: { url: `http://127.0.0.1:${http}/streams/lab.mjpeg` },
    extra: () => httpReader(http, '/streams/lab.mjpeg'),
    slow: () => slowClient(http, undefined, `GET /streams/lab.mjpeg HTTP/1.1\r\nHost: 127.0.0.1:${http}\r\n\r\n`),
  };
}

async function motionServer(): Promise<Pipeline> {
  const cam = await cameraHub();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'peers-motion-'));
  // Motion decodes the camera and re-encodes each picture for its stream; no detection output,
  // no burnt-in text (its default clock text would cover the strip).
  const conf = [
    'daemon off', 'setup_mode off', 'log_level 4', `target_dir ${dir}`, `netcam_url ${cam.url}`,
    `width ${SIZE.width}`, `height ${SIZE.height}`, `framerate ${FPS}`, 'text_left ""', 'text_right ""', 'text_changes off',
    'picture_output off', 'movie_output off', 'emulate_motion off', 'webcontrol_port 0',
    `stream_port ${port}`, 'stream_localhost on', 'stream_quality 80', `stream_maxrate ${FPS}`, 'stream_motion off', 'stream_auth_method 0',
  ].join('\n');
  writeFileSync(join(dir, 'motion.conf'), conf + '\n');
  const motion = run('motion', 'motion', ['-n', '-c', join(dir, 'motion.conf')]);
  await waitListening(port, 15_000);
  return {
    procs: [...cam.procs, motion],
    client: { url: `http://127.0.0.1:${port}/` },
    extra: () => httpReader(port, '/'),
    slow: () => slowClient(port, undefined, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function nginxRtmp(): Promise<Pipeline> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'peers-nginx-'));
  writeFileSync(join(dir, 'nginx.conf'), [
    `load_module ${RTMP_MODULE};`, 'daemon off;', 'master_process off;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`,
    'events { worker_connections 256; }',
    `rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { live on; record off; wait_key on; } } }`,
  ].join('\n') + '\n');
  const nginx = run('nginx-rtmp', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  await waitListening(port);
  const url = `rtmp://127.0.0.1:${port}/live/s`;
  const pub = cameraInto('ffmpeg publisher', SIZE, FPS, 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${SIZE.width}x${SIZE.height}`, '-r', String(FPS), '-i', 'pipe:0', ...h264EncodeArgs(1, 4000), '-f', 'flv', url]);
  await sleep(1000);
  // Extra and slow clients are ffmpeg players: RTMP needs its handshake; the slow one reads at a tenth of real time.
  const player = (rate?: number) => async () => {
    const p = run('player', 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...(rate ? ['-readrate', String(rate)] : []), '-i', url, '-f', 'null', '-']);
    return () => p.child.kill('SIGKILL');
  };
  return { procs: [nginx, ...pub], client: { url }, extra: player(), slow: player(0.1), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function camwireTcp(): Promise<Pipeline> {
  const port = await freePort();
  const hub = camwire('camwire serve', ['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await waitForPort(port);
  const dest = `tcp://127.0.0.1:${port}/b`;
  const send = camwire('camwire send', ['send', 'testsrc', dest, '--timecode', '--size', `${SIZE.width}x${SIZE.height}`, '--fps', String(FPS)]);
  // Extra clients are camwire protocol viewers that keep up (they only count); the slow one trickles.
  const viewer = async () => {
    const v = await protocolViewer(port, 'b');
    return () => v.socket.destroy();
  };
  return { procs: [hub, send], client: { url: dest }, extra: viewer, slow: () => slowClient(port, 'b') };
}

/** Server is one system under test and the client counts it is measured with. */
interface Server {
  name: string;
  tool: string;
  missing?: () => string | undefined;
  start(): Promise<Pipeline>;
  counts: number[];
}

const CAMWIRE_MJPEG = 'camwire re-serving the MJPEG camera (/streams/lab.mjpeg)';
const MOTION = 'Motion re-serving the MJPEG camera (stream_port)';
const CAMWIRE_TCP = 'camwire testsrc → serve → client, MJPEG over TCP';
const NGINX = 'nginx-rtmp: ffmpeg x264 publish → nginx → RTMP play';

const SERVERS: Server[] = [
  { name: CAMWIRE_MJPEG, tool: 'camwire', start: camwireMjpegServer, counts: [1, 10, 50] },
  { name: MOTION, tool: 'motion', start: motionServer, counts: [1, 10, 50] },
  { name: CAMWIRE_TCP, tool: 'camwire', start: camwireTcp, counts: [1, 10] },
  { name: NGINX, tool: 'nginx', missing: () => (existsSync(RTMP_MODULE) ? undefined : `${RTMP_MODULE} missing (apt install libnginx-mod-rtmp)`), start: nginxRtmp, counts: [1, 10] },
];

/** once starts a pipeline, attaches n-1 extra clients (and the slow one) during the warm-up, and measures. */
async function once(server: Server, n: number, withSlow: boolean): Promise<Measurement> {
  const p = await server.start();
  const closers: (() => void)[] = [];
  try {
    let attached = 1;
    const m = await measure(p.procs, p.client, async () => {
      // A server that stops accepting must not hang the run: each client gets 5 s to connect.
      const within = <T,>(x: Promise<T>) => Promise.race([x, sleep(5000).then(() => undefined)]);
      for (let i = 1; i < n; i++) {
        const c = await within(p.extra!());
        if (!c) break;
        closers.push(c);
        attached++;
      }
      if (withSlow) {
        const c = await within(p.slow!());
        if (c) closers.push(c);
      }
      await sleep(500);
    });
    if (attached < n) m.error = `only ${attached} of ${n} clients could connect within 5 s each`;
    return m;
  } finally {
    closers.forEach((c) => c());
    await stop(p.procs);
    p.cleanup?.();
    await sleep(300);
  }
}

/** section: `npm run bench -- peers` (servers and fan-out). */
export const section: Section = {
  name: 'peers-servers',
  async run(): Promise<SectionResult> {
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    const got = new Map<string, Measurement>();
    for (const server of SERVERS) {
      const why = server.tool !== 'camwire' && !onPath(server.tool) ? `${server.tool} not installed` : server.missing?.();
      if (why) {
        if (process.env.CI === 'true') throw new Error(`${server.name}: ${why}, and CI=true does not allow skipping it (.ci/run / scripts/bench-setup.sh install it)`);
        notes.push(`${server.name}: skipped (${why}).`);
        continue;
      }
      let alone: Measurement | undefined;
      for (const n of server.counts) {
        process.stderr.write(`  ${server.name}, ${n} clients…\n`);
        const m = await once(server, n, false);
        got.set(`${server.name}/${n}`, m);
        if (n === 1) alone = m;
        const slow = n === 1 ? slowVerdict(m, await once(server, 1, true)) : '';
        rows.push(peerRow(`${server.name}, ${n} client${n > 1 ? 's' : ''}`, m, slow));
      }
      if (alone?.error) notes.push(`${server.name}: ${alone.error}.`);
    }
    notes.push('HTTP-FLV play: skipped — Debian\'s libnginx-mod-rtmp is nginx-rtmp-module, which has no HTTP-FLV (that is the nginx-http-flv-module fork, not packaged).');
    const targets: TargetRow[] = [];
    for (const n of [1, 10, 50]) {
      const c = got.get(`${CAMWIRE_MJPEG}/${n}`);
      const m = got.get(`${MOTION}/${n}`);
      if (!c?.p95 || !m?.p95 || c.saturated || m.saturated) continue;
      targets.push({ target: `peers: MJPEG re-served over HTTP to ${n} client${n > 1 ? 's' : ''}, capture→decoded p95 (no target; camwire vs Motion)`, result: `camwire ${ms(c.p95)} ms (${(c.p95 / m.p95).toFixed(2)}× Motion)`, baseline: `Motion ${ms(m.p95)} ms`, met: null });
    }
    const c = got.get(`${CAMWIRE_TCP}/1`);
    const r = got.get(`${NGINX}/1`);
    if (c?.p95 && r?.p95 && !c.saturated && !r.saturated) {
      targets.push({ target: 'peers: capture→decoded p95, camwire TCP (MJPEG) vs nginx-rtmp (x264), 1 client (no target)', result: `camwire ${ms(c.p95)} ms (${(c.p95 / r.p95).toFixed(2)}× nginx-rtmp)`, baseline: `nginx-rtmp ${ms(r.p95)} ms`, met: null });
    }
    return {
      markdown: [
        `## Peers: servers between a camera and its viewers, ${SIZE.width}x${SIZE.height}@${FPS}, ${MEASURE_S} s per row`,
        '',
        'The measuring client is `camwire latency` (capture time read from the decoded pixels); the other clients read and discard. "with one slow client": the same run repeated with one more client that reads one 64 KiB chunk a second (an ffmpeg player at a tenth of real time for RTMP).',
        '',
        table(PEER_HEAD, rows),
        '',
        ...notes,
      ].join('\n'),
      targets,
    };
  },
};
