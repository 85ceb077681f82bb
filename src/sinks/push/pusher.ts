/**
 * pusher: one push — a hub stream of H.264 copied to an RTMP, RTSP or SRT server through a
 * supervised ffmpeg (`-c copy`, see target.ts).
 *
 * Each ffmpeg run gets a fresh hub reader, driven into the run's stdin by the one newest-wins
 * pump (hub/pump.ts): the reader joins at the stream's GOP cache, so a (re)started push begins
 * with a keyframe at once, and while the server or network is slow the pipe fills, the sink is
 * busy, and the reader skips to the next keyframe instead of queuing. When the server goes away
 * ffmpeg exits; the supervisor (sources/ffmpeg/supervisor.ts, the one retry loop) logs one line
 * saying why and starts it again with backoff, and the run's reader is closed meanwhile.
 */
import type { Writable } from 'node:stream';
import type { Frame } from '../../frame/frame.js';
import type { Hub } from '../../hub/hub.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import { FfmpegSupervisor } from '../../sources/ffmpeg/supervisor.js';
import { createLogger } from '../../util/logger.js';
import { redact } from '../../util/redact.js';
import { ACCESS_UNIT_DELIMITER, describePushFailure, ProgressReader, pushArgs } from './target.js';

const log = createLogger('push');

/** PushState: `connecting` until ffmpeg has written to the server, `live` after, `retrying` between runs. */
export type PushState = 'connecting' | 'live' | 'retrying' | 'closed';

/** PushStats: one push's counters for /metrics and /api/streams. */
export interface PushStats {
  stream: string;
  /** url with any password hidden. */
  url: string;
  state: PushState;
  /** bytes: H.264 handed to ffmpeg, all runs (copied 1:1 to the server, plus its container's few bytes). */
  bytes: number;
  /** frames handed to ffmpeg, all runs. */
  frames: number;
  /** reconnects: ffmpeg runs after the first. */
  reconnects: number;
}

/**
 * RunSink is the FrameSink of one ffmpeg run: H.264 frames into its stdin, each followed by an
 * AUD. An MJPEG frame closes it (`mjpeg` set): the push then reads the stream's shared encoder.
 */
class RunSink implements FrameSink {
  private done = false;
  mjpeg = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly stdin: Writable,
    private readonly counted: (bytes: number) => void,
    /** ended: the run's ffmpeg is gone (its reader is closed, so the pump stops even if no frame comes). */
    ended: () => void,
  ) {
    const end = () => {
      this.done = true;
      this.wake();
      ended();
    };
    stdin.once('close', end);
    stdin.once('error', end);
    stdin.on('drain', () => this.wake());
  }

  get closed(): boolean {
    return this.done || this.mjpeg || this.stdin.destroyed;
  }

  busy(): boolean {
    return this.stdin.writableNeedDrain;
  }

  writable(): Promise<void> {
    if (this.closed || !this.busy()) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  write(f: Frame): void {
    if (this.closed) return;
    if (f.codec !== 'h264') {
      this.mjpeg = true;
      return;
    }
    this.counted(f.payload.length);
    this.stdin.write(f.payload);
    this.stdin.write(ACCESS_UNIT_DELIMITER);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

/** PusherOptions: where the frames come from and where they go. */
export interface PusherOptions {
  /** hub and stream: the stream to push. */
  hub: Hub;
  stream: string;
  url: string;
  ffmpeg: string;
  /** encoded returns the hub holding `stream` encoded to H.264, once an MJPEG frame showed it is needed (shared per stream). */
  encoded(stream: string): Promise<Hub>;
}

/** Pusher keeps one push running; see the file comment. */
export class Pusher {
  private readonly sup: FfmpegSupervisor;
  private state: PushState = 'connecting';
  private bytes = 0;
  private framesBefore = 0;
  private progress = new ProgressReader();
  private run = 0;
  private runFrames = 0;
  private pumping: Promise<void> | undefined;
  private closed = false;
  readonly label: string;

  constructor(private readonly opts: PusherOptions) {
    this.label = `push ${opts.stream} → ${redact(opts.url)}`;
    this.sup = new FfmpegSupervisor({ ffmpeg: opts.ffmpeg, args: pushArgs(opts.url), label: this.label, endOnCleanExit: false, failFast: false, input: true, describe: describePushFailure });
    this.sup.on('run', () => this.startRun());
    this.sup.on('data', (chunk) => {
      // ffmpeg reports progress once it wrote to the server: it connected and was accepted.
      const p = this.progress.progress;
      if (this.progress.push(chunk) && (p.totalSize > 0 || p.frames > 0) && this.state === 'connecting') {
        this.state = 'live';
        log.info(`${this.label}: live`);
      }
    });
  }

  /** start launches ffmpeg; it returns at once (a server not there yet is retried in the background). */
  start(): Promise<void> {
    return this.sup.start();
  }

  /** pid of the running ffmpeg (tests kill it). */
  get pid(): number | undefined {
    return this.sup.pid;
  }

  /** stats returns the push's counters. */
  stats(): PushStats {
    return {
      stream: this.opts.stream,
      url: redact(this.opts.url),
      state: this.state,
      bytes: this.bytes,
      frames: this.framesBefore + this.runFrames,
      reconnects: this.sup.restarts,
    };
  }

  /** close stops ffmpeg and the reader; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    await this.sup.close();
    await this.pumping;
  }

  private startRun(): void {
    const stdin = this.sup.stdin;
    if (!stdin) return;
    this.framesBefore += this.runFrames;
    this.runFrames = 0;
    this.progress = new ProgressReader();
    this.state = 'connecting';
    const run = ++this.run;
    this.pumping = this.pump(stdin, run)
      .catch((e) => log.error(`${this.label}: ${(e as Error).message}`))
      .finally(() => {
        if (!this.closed && this.run === run) this.state = 'retrying';
      });
  }

  /** pump feeds one run: the stream itself while it is H.264, else its shared encoder's output. */
  private async pump(stdin: Writable, run: number): Promise<void> {
    let hub = this.opts.hub;
    for (;;) {
      const reader = hub.read(this.opts.stream, { label: this.label });
      const sink = new RunSink(
        stdin,
        (n) => {
          if (this.run !== run) return;
          this.runFrames++;
          this.bytes += n;
        },
        () => reader.close(),
      );
      await pumpNewest(reader, sink);
      if (!sink.mjpeg || this.closed || hub !== this.opts.hub) return;
      hub = await this.opts.encoded(this.opts.stream);
    }
  }
}
