/**
 * media-servers: the real streaming servers camwire pushes to and pulls from, for tests and
 * benchmarks — Debian's nginx with the RTMP module, srt-live-transmit, and GStreamer's RTSP
 * server (a few lines of Python) — each started on free 127.0.0.1 ports with its config in a
 * temp directory, and stopped (or killed, to play a server that went away) by the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freeUdpPort, waitForPort } from './net.js';

/** RTMP_MODULE: where Debian's libnginx-mod-rtmp puts the module. */
export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
/** SYSTEM_PYTHON: Debian's python3, which has the GStreamer bindings (a pyenv python on PATH may not). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * nginxRtmpConfig is the nginx.conf the tests run (docs/scale.md shows it): one RTMP server on
 * `port`, application `live` relaying whatever is published to every player, starting players
 * at a keyframe. Foreground, one process, logs and pid in `dir`.
 */
export function nginxRtmpConfig(dir: string, port: number): string {
  return `load_module ${RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live {
      live on;
      record off;
      wait_key on;
      wait_video on;
      idle_streams off;
    }
  }
}
`;
}

/** Server is a running server process that can be stopped, killed and started again on the same ports. */
export interface Server {
  /** port: the TCP (RTMP, RTSP) or UDP (SRT) port clients use. */
  port: number;
  /** start runs it (again), resolving once it listens. */
  start(): Promise<void>;
  /** kill ends it at once (SIGKILL), like a crash or a pulled cable. */
  kill(): Promise<void>;
  /** close ends it and removes its directory. */
  close(): Promise<void>;
}

function serverOf(port: number, run: () => ChildProcess, ready: () => Promise<void>, dir: string): Server {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const stop = async (signal: NodeJS.Signals) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    child = undefined;
  };
  return {
    port,
    async start() {
      child = run();
      const c = child;
      exited = new Promise((r) => c.once('exit', () => r()));
      try {
        await ready();
      } catch (e) {
        await stop('SIGKILL');
        throw e;
      }
    },
    kill: () => stop('SIGKILL'),
    async close() {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** startNginxRtmp runs nginx-rtmp on a free port: publish and play at rtmp://127.0.0.1:PORT/live/NAME. */
export async function startNginxRtmp(): Promise<Server & { url(name: string): string }> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxRtmpConfig(dir, port));
  const s = serverOf(port, () => spawn('nginx', ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], { stdio: 'ignore' }), () => waitForPort(port, 5000), dir);
  await s.start();
  return { ...s, url: (name) => `rtmp://127.0.0.1:${port}/live/${name}` };
}

/**
 * startSrtRelay runs srt-live-transmit as an SRT relay: a publisher connects (caller) to `port`,
 * players connect to `playPort`; both sides are listeners, as an SRT server's are.
 */
export async function startSrtRelay(): Promise<Server & { playPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-srt-'));
  const port = await freeUdpPort();
  const playPort = await freeUdpPort();
  const s = serverOf(
    port,
    () => spawn('srt-live-transmit', ['-q', '-a:yes', `srt://127.0.0.1:${port}?mode=listener`, `srt://127.0.0.1:${playPort}?mode=listener`], { stdio: 'ignore' }),
    () => new Promise((r) => setTimeout(r, 300)), // UDP: nothing to connect to; it binds at once
    dir,
  );
  await s.start();
  return { ...s, playPort };
}

/**
 * RTSP_SERVER_PY: GStreamer's RTSP server in a few lines. `play` serves an H.264 test pattern
 * (an IP camera: a keyframe every `gop` frames); `record` takes ANNOUNCE/RECORD (a push) and
 * writes what it receives to an MPEG-TS file. Prints "ready" once listening.
 */
const RTSP_SERVER_PY = `
import sys, gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
mode, port, path, arg = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
server = GstRtspServer.RTSPServer(); server.set_address('127.0.0.1'); server.set_service(port)
f = GstRtspServer.RTSPMediaFactory(); f.set_shared(True)
if mode == 'play':
    f.set_launch('( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%s ! rtph264pay name=pay0 pt=96 config-interval=-1 )' % arg)
else:
    f.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
    f.set_launch('( rtph264depay name=depay0 ! h264parse ! mpegtsmux ! filesink location=%s sync=false )' % arg)
server.get_mount_points().add_factory(path, f)
server.attach(None)
print('ready', flush=True)
GLib.MainLoop().run()
`;

/** startRtspServer runs gst-rtsp-server: `play` (a camera at rtsp://127.0.0.1:PORT/cam) or `record` (a push target; received video in `recorded`). */
export async function startRtspServer(mode: 'play' | 'record', gop = 30): Promise<Server & { url: string; recorded: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-rtsp-'));
  const port = await freePort();
  const script = join(dir, 'rtsp-server.py');
  writeFileSync(script, RTSP_SERVER_PY);
  const recorded = join(dir, 'received.ts');
  const s = serverOf(port, () => spawn(SYSTEM_PYTHON, [script, mode, String(port), '/cam', mode === 'play' ? String(gop) : recorded], { stdio: 'ignore' }), () => waitForPort(port, 10000), dir);
  await s.start();
  return { ...s, url: `rtsp://127.0.0.1:${port}/cam`, recorded };
}

/** Probed is what ffprobe saw of a stream's first video track. */
export interface Probed {
  codec: string;
  width: number;
  height: number;
  /** frames: video packets read within the interval. */
  frames: number;
  stderr: string;
}

/** probeStream reads `url` for `seconds` with ffprobe (asynchronously: the pushes feeding it keep running). */
export function probeStream(url: string, seconds = 2, extra: string[] = []): Promise<Probed> {
  return new Promise((resolve) => {
    const p = spawn('ffprobe', ['-v', 'error', ...extra, '-read_intervals', `%+${seconds}`, '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'json', url]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000 + seconds * 1000);
    p.on('close', () => {
      clearTimeout(t);
      let s: Record<string, unknown> = {};
      try {
        s = JSON.parse(out).streams?.[0] ?? {};
      } catch {
        // no JSON: ffprobe failed; stderr says why
      }
      resolve({ codec: String(s.codec_name ?? ''), width: Number(s.width ?? 0), height: Number(s.height ?? 0), frames: Number(s.nb_read_packets ?? 0), stderr: err });
    });
  });
}
