/**
 * tile: one stream on the page — its canvas, the stats overlay (name, size, fps, bitrate,
 * capture→display latency) and its state: waiting, live, no signal, unsupported codec, ended.
 */
import type { Codec } from '../src/frame/frame.js';
import type { StreamInfo } from '../src/transports/ws/control.js';
import type { WsFrame } from '../src/transports/ws/frame-message.js';
import { CannotDecodeError, createDecoder, type FrameDecoder, type Size } from './decoders/decoder.js';
import { download, fileStamp, formatBitrate, h } from './dom.js';
import { icon } from './icons.js';
import { Latest } from './latest.js';
import { playHls, type HlsPlayback } from './hls-fallback.js';
import { recordLatency, streamProbe, wallClockUs, type StreamProbe } from './probe.js';

/** STALL_MS: a live stream that delivers nothing for 2 s (60 frames at 30 fps) shows "no signal". */
export const STALL_MS = 2000;

/** freshWindow starts a stats window: bytes received and latency since `start`. */
function freshWindow(start: number) {
  return { start, bytes: 0, latencySum: 0, latencyN: 0 };
}

/** FPS_SPAN_MS: fps is measured over the draws of the last 2 s (steady, yet quick to fall). */
const FPS_SPAN_MS = 2000;

/** TileState is what a tile shows (also its data-state attribute, for CSS and tests). */
export type TileState = 'waiting' | 'live' | 'nosignal' | 'unsupported' | 'ended' | 'forbidden';

/** TileActions are the page-level reactions a tile triggers. */
export interface TileActions {
  open(name: string): void;
  /** consumed: one frame of this tile was drawn or skipped (acknowledged to the hub). */
  consumed(name: string): void;
}

/** Tile renders one stream; see the file comment. */
export class Tile {
  readonly el: HTMLElement;
  private readonly canvas = h('canvas', { width: '16', height: '9' });
  private readonly ctx: CanvasRenderingContext2D;
  private readonly notice = h('div', { class: 'notice', 'aria-live': 'polite' });
  private readonly res = h('span', { class: 'res' });
  private readonly fps = h('span', { class: 'fps' });
  private readonly rate = h('span', { class: 'rate' });
  private readonly lat = h('span', { class: 'lat', title: 'capture → display latency' });
  private readonly probe: StreamProbe;
  private readonly latest: Latest<WsFrame>;
  private decoder: FrameDecoder | undefined;
  /** cannot: the codec this browser cannot show (the tile stays 'unsupported' while it lasts). */
  private cannot: Codec | undefined;
  /** hls: the <video> playing the stream as HLS where H.264 frames cannot be decoded here. */
  private hls: HlsPlayback | undefined;
  private state: TileState = 'waiting';
  private lastFrameAt = 0;
  private shown: WsFrame | undefined;
  /** box is the canvas's on-screen size in device pixels (pictures are decoded to fit it). */
  private box: Size | undefined;
  private window = freshWindow(performance.now());
  /** drawTimes: when the frames of the last FPS_SPAN_MS were drawn. */
  private drawTimes: number[] = [];

  constructor(
    readonly name: string,
    private readonly actions: TileActions,
  ) {
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.probe = streamProbe(name);
    this.latest = new Latest(
      (f) => this.draw(f),
      () => actions.consumed(name),
    );
    const open = h('button', { class: 'screen', 'aria-label': `${name}: open large view` }, this.canvas, this.notice);
    open.addEventListener('click', () => actions.open(name));
    const snap = h('button', { class: 'icon snap', title: 'Save snapshot (S)', 'aria-label': `Save a snapshot of ${name}` }, icon('snapshot'));
    snap.addEventListener('click', () => this.snapshot());
    const full = h('button', { class: 'icon full', title: 'Fullscreen (F)', 'aria-label': `Show ${name} fullscreen` }, icon('fullscreen'));
    full.addEventListener('click', () => void this.fullscreen());
    this.el = h(
      'article',
      { class: 'tile', 'data-stream': name },
      open,
      h('header', { class: 'overlay top' }, h('span', { class: 'name' }, name), h('span', { class: 'actions' }, snap, full)),
      h('footer', { class: 'overlay bottom' }, this.res, this.fps, this.rate, this.lat),
    );
    this.setState('waiting', 'Waiting for the first frame…');
    new ResizeObserver(([e]) => {
      const r = e.devicePixelContentBoxSize?.[0];
      this.box = r ? { width: r.inlineSize, height: r.blockSize } : { width: Math.round(e.contentRect.width * devicePixelRatio), height: Math.round(e.contentRect.height * devicePixelRatio) };
    }).observe(this.canvas);
  }

  /** button is the tile's main control (keyboard focus lands here). */
  get button(): HTMLButtonElement {
    return this.el.querySelector('button.screen')!;
  }

  /** frame takes one frame off the socket; decoding keeps only the newest while busy. */
  frame(f: WsFrame, bytes: number): void {
    this.window.bytes += bytes;
    if (f.codec === this.cannot) return this.actions.consumed(this.name);
    if (this.state !== 'ended' && this.decoder?.codec !== f.codec) {
      this.decoder?.close();
      this.decoder = createDecoder(f.codec);
      if (!this.decoder) this.unsupported(f.codec, `${f.codec.toUpperCase()} cannot be shown in the browser yet. Play it with: camwire view URL --play`);
    }
    if (this.state === 'ended' || !this.decoder) return this.actions.consumed(this.name);
    this.latest.push(f);
  }

  /** info applies the hub's view of the stream: a stream without publisher shows "no signal". */
  info(s: StreamInfo): void {
    if (this.state === 'ended') this.setState('waiting', 'Waiting for the first frame…'); // it is back
    if (!s.live && (this.state === 'live' || this.state === 'waiting')) this.setState('nosignal', 'No signal — the publisher disconnected');
  }

  /** refused shows why the hub will not show this stream to this page (its rules, or a login needed). */
  refused(message: string): void {
    this.setState('forbidden', message);
  }

  /** ended marks a stream the hub no longer has (the publisher ended it). */
  ended(): void {
    this.setState('ended', 'Stream ended');
  }

  /** tick refreshes the overlay and notices stalls; the grid calls it a few times a second. */
  tick(now: number): void {
    if (this.state === 'live' && !this.hls && now - this.lastFrameAt > STALL_MS) {
      this.setState('nosignal', `No signal — no frames for ${Math.round((now - this.lastFrameAt) / 1000)} s`);
    }
    const w = this.window;
    if (w.latencyN > 0) {
      const ms = w.latencySum / w.latencyN;
      this.lat.textContent = `${Math.round(ms)} ms`;
      this.lat.dataset.latencyMs = ms.toFixed(1);
      this.lat.dataset.level = ms < 50 ? 'good' : ms < 150 ? 'ok' : 'bad';
    } else if (this.state !== 'live') {
      this.lat.textContent = '– ms';
      delete this.lat.dataset.latencyMs;
      delete this.lat.dataset.level;
    }
    w.latencySum = 0;
    w.latencyN = 0;
    const elapsed = now - w.start;
    if (elapsed < 1000) return;
    this.fps.textContent = `${Math.round(this.drawRate(now))} fps`;
    this.rate.textContent = formatBitrate((w.bytes * 8000) / elapsed);
    this.window = freshWindow(now);
  }

  /** snapshot saves the frame on screen: the original JPEG bytes, or a PNG of the canvas. */
  snapshot(): void {
    const f = this.shown;
    if (!f) return;
    const file = `${this.name.replace(/\//g, '_')}_${fileStamp()}`;
    if (f.codec === 'mjpeg') return download(new Blob([f.payload as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), `${file}.jpg`);
    this.canvas.toBlob((b) => b && download(b, `${file}.png`), 'image/png');
  }

  /** fullscreen toggles fullscreen for this tile. */
  async fullscreen(): Promise<void> {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await this.el.requestFullscreen().catch(() => {});
  }

  /** destroy releases the decoder. */
  destroy(): void {
    this.decoder?.close();
    this.el.remove();
    this.probe.state = 'removed';
  }

  private async draw(f: WsFrame): Promise<void> {
    const decoder = this.decoder;
    let pic;
    try {
      pic = await decoder?.decode(f, this.fit(f));
    } catch (e) {
      if (!(e instanceof CannotDecodeError) || decoder !== this.decoder) throw e;
      return this.unsupported(f.codec, e.message);
    } finally {
      this.probe.decodeErrors = decoder?.errors ?? 0;
    }
    if (!pic) return;
    try {
      if (this.canvas.width !== pic.width || this.canvas.height !== pic.height) {
        this.canvas.width = pic.width;
        this.canvas.height = pic.height;
      }
      this.ctx.drawImage(pic.image, 0, 0);
    } finally {
      pic.close();
    }
    const latencyMs = (wallClockUs() - (pic.captureUs ?? f.captureUs)) / 1000;
    if (this.shown?.width !== f.width || this.shown?.height !== f.height) {
      this.res.textContent = `${f.width}×${f.height}`;
      this.probe.width = f.width;
      this.probe.height = f.height;
    }
    this.shown = f;
    this.lastFrameAt = performance.now();
    this.drawTimes.push(this.lastFrameAt);
    this.window.latencySum += latencyMs;
    this.window.latencyN++;
    this.probe.drawn++;
    this.probe.skipped = this.latest.skipped;
    recordLatency(this.probe, latencyMs);
    if (this.state !== 'live') this.setState('live', '');
  }

  /** drawRate is frames per second over the draws of the last FPS_SPAN_MS. */
  private drawRate(now: number): number {
    const t = this.drawTimes;
    while (t.length && now - t[0] > FPS_SPAN_MS) t.shift();
    return t.length < 2 ? 0 : ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
  }

  /**
   * fit is the largest size with the frame's aspect that fits the canvas box (object-fit:
   * contain), or undefined for full size: JPEG decoders shrink in steps of 1/8, so anything
   * above 7/8 of the frame would cost a decode plus a resize instead of saving work.
   */
  private fit(f: WsFrame): Size | undefined {
    const b = this.box;
    if (!b || b.width === 0 || b.height === 0) return undefined;
    const scale = Math.min(b.width / f.width, b.height / f.height);
    if (scale > 7 / 8) return undefined;
    return { width: Math.max(1, Math.round(f.width * scale)), height: Math.max(1, Math.round(f.height * scale)) };
  }

  /** unsupported shows why `codec` cannot be shown here; its frames are acknowledged unseen. */
  private unsupported(codec: Codec, notice: string): void {
    this.decoder?.close();
    this.decoder = undefined;
    this.cannot = codec;
    if (codec === 'h264' && !this.hls) return this.playAsHls(notice);
    this.setState('unsupported', notice);
  }

  /** playAsHls shows the stream through LL-HLS instead (hls-fallback.ts); `notice` if that cannot play either. */
  private playAsHls(notice: string): void {
    this.setState('waiting', 'No WebCodecs here: playing as HLS, about a second behind…');
    void playHls(this.button, this.name, new URLSearchParams(location.search).get('token')).then((p) => {
      if (!p) return this.setState('unsupported', notice);
      this.hls = p;
      this.el.dataset.playback = 'hls';
      p.video.addEventListener('playing', () => this.setState('live', ''), { once: true });
    });
  }

  private setState(s: TileState, notice: string): void {
    this.state = s;
    this.el.dataset.state = s;
    this.probe.state = s;
    this.notice.textContent = notice;
    if (s !== 'live') {
      // Start counting afresh: a dead stream reads 0 now, not the tail of its last second.
      this.window = freshWindow(performance.now());
      this.drawTimes = [];
      this.fps.textContent = '0 fps';
      this.rate.textContent = formatBitrate(0);
    }
  }
}
