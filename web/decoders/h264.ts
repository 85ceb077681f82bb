/**
 * h264: decodes H.264 frames with WebCodecs' VideoDecoder.
 *
 * Every camwire H.264 payload is one Annex B access unit, and every keyframe carries SPS and PPS
 * (frame.ts), so the decoder gets the payload as it is, in Annex B mode (no `description`), and
 * is configured from the keyframe's SPS (codec string `avc1.PPCCLL`, src/codecs/h264-sps.ts,
 * bundled as is). It is configured again when the codec string or the picture size changes.
 *
 * Unlike a JPEG, a delta frame needs every frame since the last keyframe: the tile may still
 * skip frames (newest wins), but then the KeyframeGate holds everything back until the next
 * keyframe instead of decoding a broken chain. A decoder error (WebCodecs then closes the
 * decoder) does the same: a new decoder starts at the next keyframe.
 *
 * Output: decode() resolves with the newest picture the decoder put out after this frame went
 * in, waiting at most NO_OUTPUT_MS. A stream without B-frames (camwire's own encoder) yields the
 * frame's own picture a few ms later; one with B-frames holds pictures back for reordering, and
 * those are handed out on later calls, each with its own capture time.
 */
import { codecStringOf } from '../../src/codecs/h264-sps.js';
import type { WsFrame } from '../../src/transports/ws/frame-message.js';
import { CannotDecodeError, type FrameDecoder, type Picture } from './decoder.js';
import { KeyframeGate } from '../../src/frame/keyframe-gate.js';

/** H264_UNSUPPORTED is what a tile says when the browser has no H.264 decoder for the stream. */
export const H264_UNSUPPORTED =
  'This browser cannot decode H.264 — use Chromium, Chrome or Edge (WebCodecs needs an https:// or localhost address), or send with --codec mjpeg';

/**
 * NO_OUTPUT_MS: how long a decode waits for a picture. A 1080p frame decodes in well under this
 * in software; only a reordering stream (B-frames) makes it run out, and then the tile moves on
 * to the next frame instead of stalling the stream.
 */
const NO_OUTPUT_MS = 100;

/** H264Decoder is the FrameDecoder for 'h264' streams; see the file comment. */
export class H264Decoder implements FrameDecoder {
  readonly codec = 'h264' as const;
  errors = 0;
  private decoder: VideoDecoder | undefined;
  /** configured: codec string and size the decoder is configured for ('' = not configured). */
  private configured = '';
  private readonly gate = new KeyframeGate();
  /** newest: the latest picture put out and not yet handed to the tile. */
  private newest: VideoFrame | undefined;
  private wake: (() => void) | undefined;
  /** supported caches isConfigSupported per codec string (it is asynchronous and not free). */
  private readonly supported = new Map<string, boolean>();
  private closed = false;

  async decode(frame: WsFrame): Promise<Picture | null> {
    if (typeof VideoDecoder === 'undefined') throw new CannotDecodeError(H264_UNSUPPORTED);
    if (!this.gate.accept(frame)) return null;
    if (frame.keyframe && !(await this.configure(frame))) {
      this.gate.reset();
      return null;
    }
    const decoder = this.decoder;
    if (this.closed || !decoder || decoder.state !== 'configured') {
      this.gate.reset();
      return null;
    }
    try {
      decoder.decode(new EncodedVideoChunk({ type: frame.keyframe ? 'key' : 'delta', timestamp: frame.captureUs, data: frame.payload }));
    } catch (e) {
      this.failed(e);
      return null;
    }
    const vf = await this.nextOutput();
    if (!vf) return null;
    return { image: vf, width: vf.displayWidth, height: vf.displayHeight, captureUs: vf.timestamp, close: () => vf.close() };
  }

  close(): void {
    this.closed = true;
    this.drop();
    this.wake?.();
    if (this.decoder?.state !== 'closed') this.decoder?.close();
    this.decoder = undefined;
  }

  /**
   * configure readies the decoder for a keyframe: false when the keyframe carries no usable SPS
   * (wait for the next one); throws CannotDecodeError when the browser cannot decode the stream.
   */
  private async configure(f: WsFrame): Promise<boolean> {
    const codec = codecStringOf(f.payload);
    if (!codec) return false;
    const key = `${codec} ${f.width}x${f.height}`;
    if (key === this.configured && this.decoder?.state === 'configured') return true;
    const config: VideoDecoderConfig = { codec, optimizeForLatency: true, hardwareAcceleration: 'no-preference' };
    let ok = this.supported.get(codec);
    if (ok === undefined) {
      ok = (await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }))).supported === true;
      this.supported.set(codec, ok);
    }
    if (!ok) throw new CannotDecodeError(`${H264_UNSUPPORTED} (stream: ${codec}, ${f.width}×${f.height})`);
    if (this.closed) return false;
    if (!this.decoder || this.decoder.state === 'closed') this.decoder = this.create();
    this.decoder.configure(config);
    this.configured = key;
    return true;
  }

  private create(): VideoDecoder {
    const decoder: VideoDecoder = new VideoDecoder({
      output: (vf) => {
        if (this.closed || this.decoder !== decoder) return vf.close();
        this.newest?.close();
        this.newest = vf;
        this.wake?.();
      },
      error: (e) => {
        if (this.decoder === decoder) this.failed(e);
      },
    });
    return decoder;
  }

  /** failed counts a decoder error and starts over at the next keyframe with a new decoder. */
  private failed(e: unknown): void {
    this.errors++;
    console.warn('camwire: H.264 decoder error; waiting for the next keyframe', e);
    this.gate.reset();
    this.configured = '';
    if (this.decoder?.state !== 'closed') this.decoder?.close();
    this.decoder = undefined;
    this.drop();
    this.wake?.();
  }

  /** nextOutput waits for the next picture (at most NO_OUTPUT_MS), then hands out the newest. */
  private nextOutput(): Promise<VideoFrame | undefined> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        const vf = this.newest;
        this.newest = undefined;
        resolve(vf);
      };
      const timer = setTimeout(done, NO_OUTPUT_MS);
      this.wake = done;
    });
  }

  private drop(): void {
    this.newest?.close();
    this.newest = undefined;
  }
}
