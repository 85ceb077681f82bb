/**
 * h264-gray: H.264 access units in, small grayscale pictures out, through a supervised ffmpeg
 * (started only for streams with motion detection on, only while H.264 arrives).
 *
 * H.264 frames reference earlier ones, so ffmpeg must decode every frame it is given even though
 * only a few per second are analysed; what it saves is the rest: it skips the deblocking filter
 * (`-skip_loop_filter all`: blockier pictures, the same motion), decodes on one thread, and
 * scales to the analysis size before anything crosses the pipe. ffmpeg emits exactly one picture
 * per access unit (`-fps_mode passthrough`), in order, so the n-th picture out belongs to the
 * n-th frame in, and carries that frame's capture time. (`-fflags nobuffer` is left out on
 * purpose: with raw H.264 on a pipe ffmpeg 5.1 then drops pictures, or emits none at all.)
 *
 * Fed by the motion sink through the newest-wins pump: while ffmpeg's input pipe is full the
 * reader's slot keeps only the newest frame, and after such a skip the reader resumes at a
 * keyframe (hub/reader.ts), so ffmpeg only ever sees a decodable stream. A restarted ffmpeg
 * waits for a keyframe too.
 */
import type { Frame } from '../../frame/frame.js';
import { FfmpegSupervisor } from '../../sources/ffmpeg/supervisor.js';
import type { Size } from './gray.js';

/** MAX_PENDING: frames written whose picture has not come back; past this ffmpeg is dropping pictures and is restarted. */
const MAX_PENDING = 120;

/** h264GrayArgs is the ffmpeg command line: Annex B H.264 on stdin, `size` gray rawvideo on stdout. */
export function h264GrayArgs(size: Size): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    '-threads', '1', '-skip_loop_filter', 'all',
    '-flags', 'low_delay', '-probesize', '32', '-analyzeduration', '0',
    '-f', 'h264', '-i', 'pipe:0',
    '-vf', `scale=${size.width}:${size.height}:flags=area,format=gray`,
    '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1',
  ];
}

/** H264Gray decodes one stream; see the file comment. `onPicture` gets each picture with its frame's capture time. */
export class H264Gray {
  private readonly sup: FfmpegSupervisor;
  private readonly pictureBytes: number;
  /** capture times of frames written, oldest first, awaiting their pictures. */
  private pending: number[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private needKeyframe = true;

  constructor(
    ffmpeg: string,
    readonly size: Size,
    private readonly onPicture: (gray: Uint8Array, captureUs: number) => void,
    label: string,
  ) {
    this.pictureBytes = size.width * size.height;
    this.sup = new FfmpegSupervisor({ ffmpeg, args: h264GrayArgs(size), label, endOnCleanExit: false, failFast: false, input: true });
    this.sup.on('run', () => {
      // A new ffmpeg: nothing in flight belongs to it, and it must start at a keyframe.
      this.pending = [];
      this.partial = [];
      this.partialBytes = 0;
      this.needKeyframe = true;
    });
    this.sup.on('data', (chunk) => this.onData(chunk));
  }

  /** pid of the running ffmpeg (tests, benchmarks). */
  get pid(): number | undefined {
    return this.sup.pid;
  }

  /** start launches ffmpeg (it is restarted with backoff whenever it dies). */
  start(): Promise<void> {
    return this.sup.start();
  }

  /** busy: ffmpeg's input pipe holds more than it has read. */
  busy(): boolean {
    return this.sup.stdin?.writableNeedDrain ?? false;
  }

  /** writable resolves when the input pipe drained, or within 100 ms (ffmpeg may have been restarted). */
  writable(): Promise<void> {
    const stdin = this.sup.stdin;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        stdin?.off('drain', done);
        resolve();
      };
      const t = setTimeout(done, 100);
      stdin?.once('drain', done);
    });
  }

  /** write hands ffmpeg one access unit (skipped until a keyframe after a start or restart). */
  write(f: Frame): void {
    const stdin = this.sup.stdin;
    if (!stdin || stdin.destroyed) return;
    if (this.needKeyframe && !f.keyframe) return;
    this.needKeyframe = false;
    if (this.pending.length >= MAX_PENDING) {
      this.sup.kill(); // pictures are not coming back in step: start over at a keyframe
      return;
    }
    this.pending.push(f.captureUs);
    stdin.write(f.payload);
  }

  /** close stops ffmpeg. */
  close(): Promise<void> {
    return this.sup.close();
  }

  private onData(chunk: Buffer): void {
    this.partial.push(chunk);
    this.partialBytes += chunk.length;
    while (this.partialBytes >= this.pictureBytes) {
      const all = this.partial.length === 1 ? this.partial[0] : Buffer.concat(this.partial, this.partialBytes);
      const picture = all.subarray(0, this.pictureBytes);
      const rest = all.subarray(this.pictureBytes);
      this.partial = rest.length ? [rest] : [];
      this.partialBytes = rest.length;
      const captureUs = this.pending.shift();
      if (captureUs !== undefined) this.onPicture(picture, captureUs);
    }
  }
}
