/**
 * playback: the page's recordings panel (shown only when the hub records) — per stream a
 * timeline of what is recorded with motion events marked (timeline.ts), a player that plays from
 * any moment at 1×, 2×, 4× or 8×, "Live" to stop and return to the live tiles, the events list
 * with snapshots, and a download of a marked span.
 *
 * Playing: the page streams the hub's clip of [moment, moment + CHUNK_MS] (/api/recordings/clip.mp4,
 * fragmented MP4 remuxed from the segments as recorded) into a <video> through MSE (mse-clip.ts).
 * The clip starts at the keyframe at or before the moment, which its Camwire-Clip-Start header
 * gives, so the player seeks to the moment and knows the wall clock of every picture (clip time
 * is wall-clock time since that start). When a clip ends, the next one continues; a hole is skipped.
 * MJPEG recordings are not played here (browsers do not play JPEG-in-MP4): the download gives
 * the span (convert with `camwire recordings export`).
 */
import type { StreamEvent } from '../src/hub/event.js';
import { h } from './dom.js';
import { openClip } from './mse-clip.js';
import { clockTime, Timeline, type Span } from './timeline.js';

/**
 * PlaybackOptions: `only` for one-stream pages. The credential is the page's session cookie
 * (web/login.ts), which same-origin fetches, images and downloads all carry.
 */
export interface PlaybackOptions {
  only?: string;
}

/** WINDOWS: how much of the past a timeline shows. */
const WINDOWS = [
  { label: '10 min', ms: 600_000 },
  { label: '1 h', ms: 3600_000 },
  { label: '6 h', ms: 6 * 3600_000 },
  { label: '24 h', ms: 24 * 3600_000 },
];
/** SPEEDS: playback rates offered. */
export const SPEEDS = [1, 2, 4, 8];
/** REFRESH_MS: the timelines follow new recordings and events every 5 s. */
const REFRESH_MS = 5000;
/** CHUNK_MS: one clip request covers 10 minutes; mse-clip.ts reads it only 30 s ahead of the picture. */
const CHUNK_MS = 10 * 60_000;
/** MAX_LISTED: the events list shows the newest 50 of the window. */
const MAX_LISTED = 50;

let styled = false;

/** PlayerState is the player's data-state (CSS and tests). */
export type PlayerState = 'live' | 'loading' | 'playing' | 'paused' | 'nothing';

interface SegmentJson {
  startUs: number;
  endUs: number | null;
}

/** Playback is the panel; see the file comment. */
export class Playback {
  readonly el = h('section', { class: 'playback', hidden: '', 'aria-label': 'Recordings' });
  private readonly rows = h('div', { class: 'pb-rows' });
  private readonly video = h('video', { class: 'pb-video', playsinline: '' }) as HTMLVideoElement;
  private readonly player = h('div', { class: 'pb-player', 'data-state': 'live' });
  private readonly time = h('span', { class: 'pb-time', 'aria-live': 'off' });
  private readonly note = h('span', { class: 'pb-note', role: 'status' });
  private readonly events = h('ul', { class: 'pb-events', 'aria-label': 'Motion events' });
  private readonly downloadLink = h('a', { class: 'pb-download', download: '', 'aria-disabled': 'true' }, 'Download clip');
  private readonly timelines = new Map<string, Timeline>();
  private windowMs = WINDOWS[1].ms;
  private speed = 1;
  /** playing: what the player shows — the stream, the clip's wall-clock start and end asked for. */
  private playing: { stream: string; clipStartMs: number; untilMs: number } | undefined;
  private mark: { fromMs?: number; toMs?: number } = {};
  private request = 0;

  constructor(
    parent: HTMLElement,
    private readonly opts: PlaybackOptions,
  ) {
    this.video.muted = true;
    const windowButtons = WINDOWS.map((w) => this.button(w.label, `Show the last ${w.label}`, () => {
      this.windowMs = w.ms;
      void this.refresh();
    }, { 'data-window': String(w.ms) }));
    const speedButtons = SPEEDS.map((s) => this.button(`${s}×`, `Play at ${s}× speed`, () => this.setSpeed(s), { 'data-speed': String(s), 'aria-pressed': String(s === 1) }));
    const controls = h(
      'div',
      { class: 'pb-controls' },
      this.button('● Live', 'Back to live', () => this.live(), { class: 'pb-live' }),
      ...speedButtons,
      this.time,
      h('span', { class: 'spacer' }),
      this.button('[ In', 'Mark the start of a clip at the current moment', () => this.setMark('fromMs')),
      this.button('Out ]', 'Mark the end of a clip at the current moment', () => this.setMark('toMs')),
      this.downloadLink,
    );
    this.player.append(this.video, controls, this.note);
    this.el.append(h('header', { class: 'pb-head' }, h('h2', {}, 'Recordings'), h('span', { class: 'spacer' }), ...windowButtons), this.rows, this.player, h('h3', {}, 'Motion events'), this.events);
    parent.append(this.el);
    injectStyle();
    this.video.addEventListener('timeupdate', () => this.showPosition());
    this.video.addEventListener('ended', () => this.continueAfter());
    this.video.addEventListener('error', () => this.playing && this.setState('nothing', 'the browser could not play this span (download it instead)'));
    void this.refresh();
    setInterval(() => void this.refresh(), REFRESH_MS);
  }

  /** playingMs is the wall-clock ms of the picture shown, or undefined when live. */
  get playingMs(): number | undefined {
    return this.playing ? this.playing.clipStartMs + this.video.currentTime * 1000 : undefined;
  }

  /** play plays `stream` from wall-clock `ms` (a hole: from the next recorded moment). */
  async play(stream: string, ms: number): Promise<void> {
    const req = ++this.request;
    this.setState('loading', `loading ${stream} at ${clockTime(ms)}…`);
    const untilMs = Math.min(ms + CHUNK_MS, Date.now());
    const url = this.url('/api/recordings/clip.mp4', { stream, from: String(Math.round(ms)), to: String(Math.round(untilMs)) });
    this.video.pause();
    const opened = await openClip(this.video, url, ms, () => req === this.request);
    if (req !== this.request) return; // a newer pick won
    if ('error' in opened) {
      if (opened.error === 'unsupported') return this.setState('nothing', `${stream} is recorded as MJPEG, which browsers do not play: download the span (or camwire recordings export)`);
      const next = this.timelines.get(stream)?.recordedAfter(untilMs);
      if (next !== undefined && next < Date.now() - 1000) return this.play(stream, next);
      return this.setState('nothing', `nothing recorded for ${stream} after ${clockTime(ms)}`);
    }
    this.playing = { stream, clipStartMs: opened.clipStartMs, untilMs };
    this.player.dataset.stream = stream;
    this.video.playbackRate = this.speed;
    this.timelines.forEach((t) => t.setCursor(t.stream === stream ? ms : undefined));
    try {
      await this.video.play();
      if (req === this.request) this.setState('playing', '');
    } catch {
      if (req === this.request && this.player.dataset.state === 'loading') this.setState('paused', '');
    }
  }

  /** live stops playback: the live tiles are what the page shows again. */
  live(): void {
    this.request++;
    this.playing = undefined;
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
    delete this.player.dataset.stream;
    delete this.player.dataset.playingMs;
    this.time.textContent = '';
    this.timelines.forEach((t) => t.setCursor(undefined));
    this.setState('live', '');
  }

  /** refresh reloads what is recorded and the events over the window. */
  async refresh(): Promise<void> {
    const r = await fetch(this.url('/api/recordings', {})).catch(() => undefined);
    if (!r?.ok) return void (this.el.hidden = true); // this hub does not record (404) or is away
    let streams = ((await r.json()) as { streams: string[] }).streams;
    if (this.opts.only !== undefined) streams = streams.filter((s) => s === this.opts.only);
    this.el.hidden = streams.length === 0;
    const toMs = Date.now();
    const fromMs = toMs - this.windowMs;
    const all: StreamEvent[] = [];
    for (const stream of streams) {
      const q = { stream, from: String(fromMs), to: String(toMs) };
      const [segs, evs] = await Promise.all([
        fetch(this.url('/api/recordings', q)).then((x) => (x.ok ? (x.json() as Promise<{ segments: SegmentJson[] }>) : { segments: [] })),
        fetch(this.url('/api/events', { stream, since: String(fromMs), until: String(toMs), limit: '1000' })).then((x) => (x.ok ? (x.json() as Promise<{ events: StreamEvent[] }>) : { events: [] })),
      ]);
      const spans: Span[] = segs.segments.map((s) => ({ startMs: s.startUs / 1000, endMs: s.endUs === null ? null : s.endUs / 1000 }));
      let t = this.timelines.get(stream);
      if (!t) {
        t = new Timeline(stream, (ms) => void this.play(stream, ms));
        this.timelines.set(stream, t);
        this.rows.append(t.el);
      }
      t.show(fromMs, toMs, spans, evs.events);
      all.push(...evs.events);
    }
    for (const [name, t] of this.timelines) if (!streams.includes(name)) (t.el.remove(), this.timelines.delete(name));
    this.showEvents(all.sort((a, b) => b.startMs - a.startMs).slice(0, MAX_LISTED));
    this.showPosition();
    this.showMark();
  }

  private showEvents(list: StreamEvent[]): void {
    this.events.replaceChildren(
      ...list.map((ev) => {
        const li = h('li', { 'data-event': ev.id }, ev.snapshot ? h('img', { src: this.url(ev.snapshot, {}), alt: `snapshot of ${ev.stream}`, loading: 'lazy', width: '160' }) : h('span', { class: 'pb-nosnap' }), h('span', {}, h('b', {}, ev.stream), ` ${clockTime(ev.startMs)} · ${ev.zone} · ${Math.round(ev.peakScore * 1000) / 10} %`));
        const play = this.button('▶ Play', `Play the event's clip from ${clockTime(ev.clip.fromMs)}`, () => void this.play(ev.stream, ev.clip.fromMs));
        li.append(play);
        return li;
      }),
    );
  }

  private showPosition(): void {
    const ms = this.playingMs;
    if (ms === undefined || !this.playing) return;
    this.player.dataset.playingMs = String(Math.round(ms));
    this.time.textContent = `${this.playing.stream} ${clockTime(ms)} · ${this.speed}×`;
    this.timelines.get(this.playing.stream)?.setCursor(ms);
  }

  private continueAfter(): void {
    if (!this.playing) return;
    const next = this.playing.untilMs;
    if (next >= Date.now() - 1000) return this.live(); // caught up with now: back to live
    void this.play(this.playing.stream, next);
  }

  private setSpeed(s: number): void {
    this.speed = s;
    this.video.playbackRate = s;
    for (const b of this.player.querySelectorAll<HTMLButtonElement>('[data-speed]')) b.setAttribute('aria-pressed', String(Number(b.dataset.speed) === s));
    this.showPosition();
  }

  private setMark(which: 'fromMs' | 'toMs'): void {
    const ms = this.playingMs;
    if (ms === undefined) return void (this.note.textContent = 'play a moment first, then mark it');
    this.mark[which] = Math.round(ms);
    this.showMark();
  }

  private showMark(): void {
    const { fromMs, toMs } = this.mark;
    const stream = this.playing?.stream ?? this.player.dataset.stream;
    const ok = stream !== undefined && fromMs !== undefined && toMs !== undefined && toMs > fromMs;
    this.downloadLink.setAttribute('aria-disabled', String(!ok));
    if (ok) {
      this.downloadLink.href = this.url('/api/recordings/clip.mp4', { stream: stream!, from: String(fromMs), to: String(toMs) });
      this.downloadLink.title = `${stream} ${clockTime(fromMs!)} → ${clockTime(toMs!)}`;
    } else this.downloadLink.removeAttribute('href');
    this.timelines.forEach((t) => t.setMarked(ok && t.stream === stream ? { fromMs: fromMs!, toMs: toMs! } : undefined));
  }

  private setState(state: PlayerState, note: string): void {
    this.player.dataset.state = state;
    this.note.textContent = note;
  }

  /** url builds a same-origin path with a query. */
  private url(path: string, q: Record<string, string>): string {
    const u = new URL(path, location.href);
    for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
    return u.pathname + u.search;
  }

  private button(text: string, label: string, fn: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
    const b = h('button', { type: 'button', 'aria-label': label, title: label, ...attrs }, text);
    b.addEventListener('click', fn);
    return b;
  }
}

/**
 * injectStyle adopts the panel's styles once (the page's stylesheet belongs to the live view). A
 * constructed stylesheet, because the page's CSP (style-src 'self') refuses <style> elements.
 */
function injectStyle(): void {
  if (styled) return;
  styled = true;
  const css = `
.playback { margin: 16px; padding: 12px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); }
.pb-head { display: flex; align-items: center; gap: 8px; }
.pb-head h2, .playback h3 { margin: 0; font-size: 15px; }
.playback h3 { margin-top: 12px; }
.playback button, .pb-download { background: #1d2330; border: 1px solid var(--line); border-radius: 6px; padding: 3px 9px; cursor: pointer; color: var(--text); text-decoration: none; }
.playback button[aria-pressed="true"] { border-color: var(--accent); color: var(--accent); }
.pb-download[aria-disabled="true"] { opacity: .4; pointer-events: none; }
.timeline { display: grid; grid-template-columns: 120px 1fr; gap: 2px 10px; margin: 10px 0; }
.tl-name { grid-row: span 2; align-self: center; font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.tl-bar { position: relative; height: 28px; background: #0f1218; border: 1px solid var(--line); border-radius: 5px; cursor: pointer; touch-action: none; }
.tl-layer { position: absolute; inset: 0; }
.tl-span { position: absolute; top: 4px; bottom: 4px; background: #2d5f95; border-radius: 2px; }
.tl-event { position: absolute; top: 0; height: 8px; background: var(--warn); border-radius: 2px; }
.tl-marked { position: absolute; top: 0; bottom: 0; background: rgba(77,163,255,.25); pointer-events: none; }
.tl-cursor { position: absolute; top: -3px; bottom: -3px; width: 2px; margin-left: -1px; background: var(--bad); pointer-events: none; }
.tl-hover { position: absolute; bottom: 100%; transform: translateX(-50%); background: #000; padding: 1px 5px; border-radius: 4px; font-size: 12px; pointer-events: none; }
.tl-ticks { position: relative; height: 16px; font-size: 11px; color: var(--muted); }
.tl-ticks span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.tl-ticks span:first-child { transform: none; } .tl-ticks span:last-child { transform: translateX(-100%); }
.pb-player { margin-top: 8px; }
.pb-player[data-state="live"] .pb-video { display: none; }
.pb-video { width: 100%; max-height: 60vh; background: #000; border-radius: 6px; }
.pb-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 6px; }
.pb-time { font-variant-numeric: tabular-nums; margin-left: 8px; }
.pb-note { color: var(--muted); font-size: 13px; }
.pb-events { list-style: none; padding: 0; margin: 6px 0 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; }
.pb-events li { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
.pb-events img { width: 100%; border-radius: 4px; background: #000; }
`;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
