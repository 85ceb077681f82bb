/**
 * ffplay: shows a stream in an ffplay window (`camwire view URL --play`). Frames are piped to
 * ffplay's stdin by an ordinary hub reader, only while the pipe has drained (hub/pump.ts), so a
 * slow window skips frames instead of falling behind.
 *
 * ffplay gets no timestamps from a raw MJPEG / H.264 pipe, so it would pace frames at its own
 * guess of the rate (25 fps) and lag behind a 30 fps stream. Declaring a high input rate and
 * making video the master clock shows each frame as soon as it is decoded instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Codec, Frame } from '../frame/frame.js';
import type { Reader } from '../hub/reader.js';
import { pumpNewest, type FrameSink } from '../hub/pump.js';
import { createError } from '../util/errors.js';

/** FFPLAY_INPUT_FPS: above any camera rate, so the pipe, not ffplay's clock, sets the pace. */
const FFPLAY_INPUT_FPS = 240;

/** ffplayArgs is the ffplay command line for a raw `codec` stream on stdin. */
export function ffplayArgs(codec: Codec, title: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    '-fflags', 'nobuffer', '-flags', 'low_delay', '-framedrop', '-sync', 'video', '-autoexit',
    '-probesize', '32', '-analyzeduration', '0',
    '-window_title', title,
    '-f', codec === 'h264' ? 'h264' : 'mjpeg', '-framerate', String(FFPLAY_INPUT_FPS),
    '-i', 'pipe:0',
  ];
}

/** requireFfplay throws CAMWIRE_ERR_FFMPEG_MISSING unless `ffplay` runs. */
export function requireFfplay(cmd = 'ffplay'): void {
  const r = spawnSync(cmd, ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw createError('CAMWIRE_ERR_FFMPEG_MISSING', `--play needs ffplay, which is not installed (it comes with ffmpeg: apt install ffmpeg / brew install ffmpeg); without --play the stream opens in your browser`);
  }
}

/**
 * FfplayWindow shows a reader's frames in an ffplay window. `start()` returns at once: the
 * window opens at the first frame (which tells the codec) and is fed until the stream ends or
 * the window is closed (`-autoexit`: ffplay quits at the end of its input). `done` resolves with
 * ffplay's exit code (0 when the stream ended before any frame). `close()` closes the reader and
 * the window and waits for ffplay to exit; idempotent.
 */
export class FfplayWindow {
  /** done resolves with ffplay's exit code once the window is gone. */
  readonly done: Promise<number>;
  private child: ChildProcess | undefined;
  private started = false;
  private closing: Promise<void> | undefined;
  private resolveDone!: (code: number) => void;

  constructor(
    private readonly reader: Reader,
    private readonly title: string,
    private readonly cmd = 'ffplay',
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** start begins waiting for the first frame; the window opens when it arrives. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    void this.play().then(this.resolveDone, () => this.resolveDone(1));
  }

  /** close ends the reader, closes the window and waits for ffplay to exit; idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.reader.close();
      this.child?.kill();
      if (!this.started) this.resolveDone(0);
      await this.done;
    })());
  }

  private async play(): Promise<number> {
    if (!(await this.reader.ready()) || this.closing) return 0;
    const first = this.reader.take() as Frame;
    const child = (this.child = spawn(this.cmd, ffplayArgs(first.codec, this.title), { stdio: ['pipe', 'ignore', 'inherit'] }));
    const exited = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('exit', (code) => resolve(code ?? 1));
    });
    // Never leave a window behind: if camwire exits without close(), ffplay goes with it.
    const killOnExit = () => child.kill();
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    const sink = new PipeSink(child);
    child.stdin!.on('error', () => {}); // EPIPE when the window closes: the exit handler ends us
    sink.write(first);
    void exited.then(() => this.reader.close());
    await pumpNewest(this.reader, sink);
    child.stdin!.end();
    return exited;
  }
}

class PipeSink implements FrameSink {
  constructor(private readonly child: ChildProcess) {}

  get closed(): boolean {
    return this.child.exitCode !== null || this.child.stdin!.destroyed;
  }

  busy(): boolean {
    return this.child.stdin!.writableNeedDrain;
  }

  writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.child.stdin!.off('drain', done);
        this.child.off('exit', done);
        resolve();
      };
      this.child.stdin!.on('drain', done);
      this.child.on('exit', done);
    });
  }

  write(f: Frame): void {
    this.child.stdin!.write(f.payload);
  }
}
