/**
 * supervisor: runs one ffmpeg command for as long as a source lives — restarts it with jittered
 * backoff when it dies (camera unplugged, RTSP dropped) or cannot even be planned (a camera not
 * plugged in yet), logs its stderr without flooding, and makes sure it never outlives camwire.
 * It is the only retry loop around an ffmpeg process.
 *
 * How ffmpeg dies with camwire:
 * - close() (and so Ctrl-C / SIGTERM through the CLI) sends SIGTERM, then SIGKILL after
 *   KILL_GRACE_MS.
 * - process exit (process.exit, an uncaught error) SIGKILLs every child still running.
 * - camwire SIGKILLed or crashed: nothing in camwire runs any more, so ffmpeg is made to notice
 *   by itself. Its stdout is a pipe whose only reader was camwire; its next write fails with
 *   EPIPE and ffmpeg exits. A live source writes every frame, so that is within one frame
 *   interval; an IP camera that sends nothing ends at NETWORK_TIMEOUT_US. (Closing ffmpeg's
 *   stdin does not stop it: it only reads stdin for keys, and ignores end of file.)
 * - ffmpeg runs in its own process group (not on Windows), so a Ctrl-C in the terminal reaches
 *   camwire only, and camwire shuts the pipeline down in order instead of racing ffmpeg's exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { Backoff, type BackoffOptions } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { createError } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { createLogger } from '../../util/logger.js';
import { describeFailure, StderrLog } from './stderr.js';

const log = createLogger('ffmpeg');

/** KILL_GRACE_MS: ffmpeg gets this long to exit on SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 1000;
/** STABLE_RUN_MS: a run this long counts as healthy, and the next restart backs off from the start. */
export const STABLE_RUN_MS = 10_000;
/** RESTART_BACKOFF: first restart after 100–200 ms, so a stream is back well within a second; at most every 5 s. */
export const RESTART_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5000 };

/** SupervisorOptions: the command and how to treat its exits. */
export interface SupervisorOptions {
  ffmpeg: string;
  /**
   * args is the command line, or a function that works it out (probing the input) before a run;
   * when that function throws, the run counts as failed before any output and is retried.
   */
  args: string[] | (() => Promise<string[]>);
  /** label names the source in logs and errors, e.g. `camera /dev/video0`. */
  label: string;
  /** endOnCleanExit: exit code 0 means the input ended (a file): do not restart. */
  endOnCleanExit: boolean;
  /** failFast: if the first run dies before any output, start() rejects instead of retrying. */
  failFast: boolean;
  backoff?: BackoffOptions;
  /** input: ffmpeg reads its input from a pipe the caller writes (`stdin`), e.g. a decoder fed frames. */
  input?: boolean;
  /** describe turns a failed run into the one line logged (default: describeFailure, worded for inputs; a push words it for servers). */
  describe?: typeof describeFailure;
}

/** SupervisorEvents: stdout chunks (with the run number, counted from 1) and run starts. */
export type SupervisorEvents = {
  run: (run: number) => void;
  data: (chunk: Buffer, run: number) => void;
  /** end fires once when the input ended cleanly (endOnCleanExit) — not on close(). */
  end: () => void;
};

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** FfmpegSupervisor keeps one ffmpeg command running; see the file comment. */
export class FfmpegSupervisor extends TypedEmitter<SupervisorEvents> {
  /** restarts counts attempts after the first (runs, and plans that failed). */
  restarts = 0;
  private child: ChildProcess | undefined;
  private run = 0;
  private closed = false;
  private readonly stop = new AbortController();
  private readonly backoff: Backoff;
  private readonly stderr: StderrLog;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.backoff = new Backoff(opts.backoff ?? RESTART_BACKOFF);
    this.stderr = new StderrLog(opts.label);
  }

  /** pid is the running ffmpeg's process id, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * start launches ffmpeg. It resolves once the first output arrives (failFast) or at once
   * (otherwise); with failFast it rejects with a one-line CAMWIRE_ERR_SOURCE if the first run
   * ends before producing anything.
   */
  start(): Promise<void> {
    installExitHook();
    let first!: { resolve: () => void; reject: (e: unknown) => void };
    const firstOutput = new Promise<void>((resolve, reject) => (first = { resolve, reject }));
    this.loop = this.supervise(first);
    return this.opts.failFast ? firstOutput : Promise.resolve();
  }

  /** stdin is the running ffmpeg's input pipe (with `input: true`), if one runs. */
  get stdin(): Writable | undefined {
    return this.child?.stdin ?? undefined;
  }

  /** kill ends the current run at once (its output was unreadable); the supervisor restarts it. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** close stops ffmpeg (SIGTERM, then SIGKILL) and waits for it; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), KILL_GRACE_MS);
      await new Promise((r) => c.once('exit', r));
      clearTimeout(t);
    }
    await this.loop;
  }

  private async supervise(first: { resolve: () => void; reject: (e: unknown) => void }): Promise<void> {
    let produced = false;
    while (!this.closed) {
      const started = Date.now();
      let args: string[];
      try {
        args = typeof this.opts.args === 'function' ? await this.opts.args() : this.opts.args;
      } catch (e) {
        // The input could not be planned (no such camera yet, a URL refused): a failed run.
        if (this.closed) break;
        if (this.opts.failFast) {
          first.reject(e);
          break;
        }
        if (await this.pause((e as Error).message)) this.restarts++;
        continue;
      }
      if (this.closed) break;
      const exit = await this.runOnce(args, (n) => {
        if (n > 0 && !produced) {
          produced = true;
          first.resolve();
        }
      });
      if (this.closed) break;
      if (exit.code === 0 && this.opts.endOnCleanExit) {
        if (!produced) {
          produced = true;
          first.resolve();
        }
        this.emit('end');
        break;
      }
      // Exit code 0 from a live input: the camera or server ended the stream.
      const line = exit.code === 0 ? `${this.opts.label}: the stream ended` : (this.opts.describe ?? describeFailure)(this.opts.label, this.stderr.last(), exit.text);
      if (!produced && this.opts.failFast) {
        first.reject(createError('CAMWIRE_ERR_SOURCE', line));
        break;
      }
      if (Date.now() - started >= STABLE_RUN_MS) this.backoff.reset();
      if (await this.pause(line)) this.restarts++;
    }
    first.resolve();
  }

  /** pause logs why the run failed and waits the next backoff delay; false when closed meanwhile. */
  private async pause(why: string): Promise<boolean> {
    const delay = this.backoff.next();
    log.warn(`${why}; restarting in ${delay} ms`);
    await sleep(delay, this.stop.signal);
    return !this.closed;
  }

  /** runOnce runs ffmpeg one time with `args`; `onBytes` sees the running byte count. */
  private runOnce(args: string[], onBytes: (total: number) => void): Promise<{ code: number | null; text: string }> {
    this.stderr.clear();
    const run = ++this.run;
    const child = spawn(this.opts.ffmpeg, args, {
      stdio: [this.opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    live.add(child);
    this.emit('run', run);
    let total = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      total += chunk.length;
      onBytes(total);
      if (!this.closed) this.emit('data', chunk, run);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    // EPIPE when ffmpeg dies mid-write: its exit is what counts, and restarts it.
    child.stdin?.on('error', () => {});
    return new Promise((resolve) => {
      let spawnError: Error | undefined;
      child.once('error', (e) => (spawnError = e));
      // 'close' waits for stdout to drain, so the last frame of a file is not lost.
      child.once('close', (code, signal) => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        if (spawnError) this.stderr.push(`${spawnError.message}\n`);
        resolve({ code, text: signal ? `killed by ${signal}` : `exit code ${code}` });
      });
    });
  }
}
