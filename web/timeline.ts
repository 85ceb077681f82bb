/**
 * timeline: one stream's bar of what is recorded over a window of time — recorded spans, motion
 * events as marks, the playback cursor and the marked span. Pointer down, drag and release picks a
 * moment (`onPick(ms)`); the time under the pointer is shown while dragging. Pure DOM: the data
 * comes from playback.ts.
 */
import type { StreamEvent } from '../src/hub/event.js';
import { h } from './dom.js';

/** Span is a recorded stretch, wall-clock ms; `endMs` null while it is being written (up to now). */
export interface Span {
  startMs: number;
  endMs: number | null;
}

/** clockTime renders a wall-clock ms as local HH:MM:SS. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Timeline draws one stream's bar; see the file comment. */
export class Timeline {
  readonly el: HTMLElement;
  private readonly bar = h('div', { class: 'tl-bar', role: 'slider', tabindex: '0', 'aria-label': 'Recorded time: click or drag to play from a moment' });
  private readonly layer = h('div', { class: 'tl-layer' });
  private readonly cursor = h('div', { class: 'tl-cursor', hidden: '' });
  private readonly marked = h('div', { class: 'tl-marked', hidden: '' });
  private readonly hover = h('div', { class: 'tl-hover', hidden: '' });
  private readonly ticks = h('div', { class: 'tl-ticks' });
  private fromMs = 0;
  private toMs = 1;
  private spans: Span[] = [];

  constructor(
    readonly stream: string,
    private readonly onPick: (ms: number) => void,
  ) {
    this.bar.append(this.layer, this.marked, this.cursor, this.hover);
    this.el = h('div', { class: 'timeline', 'data-stream': stream }, h('div', { class: 'tl-name' }, stream), this.bar, this.ticks);
    let dragging = false;
    this.bar.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.bar.setPointerCapture(e.pointerId);
      this.showHover(e.clientX);
    });
    this.bar.addEventListener('pointermove', (e) => dragging && this.showHover(e.clientX));
    this.bar.addEventListener('pointerup', (e) => {
      if (!dragging) return;
      dragging = false;
      this.hover.hidden = true;
      const ms = this.msAt(e.clientX);
      this.bar.dataset.picked = String(Math.round(ms)); // what was asked for (tests, and the title)
      this.onPick(ms);
    });
    this.bar.addEventListener('keydown', (e) => {
      // Keyboard: ←/→ step the cursor by a fiftieth of the window, Enter plays from there.
      const at = Number(this.cursor.dataset.ms ?? this.toMs);
      const step = (this.toMs - this.fromMs) / 50;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') this.setCursor(at + (e.key === 'ArrowLeft' ? -step : step));
      else if (e.key === 'Enter') this.onPick(at);
      else return;
      e.preventDefault();
    });
  }

  /** show draws the window [fromMs, toMs] with its recorded spans and events. */
  show(fromMs: number, toMs: number, spans: Span[], events: StreamEvent[]): void {
    this.fromMs = fromMs;
    this.toMs = Math.max(toMs, fromMs + 1);
    this.spans = spans;
    const kids: HTMLElement[] = [];
    for (const s of spans) {
      const end = s.endMs ?? toMs;
      if (end < fromMs || s.startMs > toMs) continue;
      kids.push(this.box('tl-span', Math.max(s.startMs, fromMs), Math.min(end, toMs), { 'data-start': String(s.startMs), 'data-end': String(end) }));
    }
    for (const ev of events) {
      const end = ev.endMs ?? toMs;
      if (end < fromMs || ev.startMs > toMs) continue;
      const mark = this.box('tl-event', ev.startMs, Math.max(end, ev.startMs + (toMs - fromMs) / 400), { 'data-event': ev.id, title: `motion ${clockTime(ev.startMs)} (${ev.zone})` });
      kids.push(mark);
    }
    this.layer.replaceChildren(...kids);
    this.ticks.replaceChildren(
      ...[0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = h('span', {}, clockTime(fromMs + f * (toMs - fromMs)));
        tick.style.left = `${f * 100}%`;
        return tick;
      }),
    );
    this.bar.setAttribute('aria-valuemin', String(fromMs));
    this.bar.setAttribute('aria-valuemax', String(toMs));
  }

  /** setCursor puts the playback cursor at `ms` (undefined hides it: live). */
  setCursor(ms: number | undefined): void {
    this.cursor.hidden = ms === undefined;
    if (ms === undefined) return void delete this.cursor.dataset.ms;
    this.cursor.dataset.ms = String(Math.round(ms));
    this.cursor.style.left = `${this.pct(ms)}%`;
    this.bar.setAttribute('aria-valuenow', String(Math.round(ms)));
    this.bar.setAttribute('aria-valuetext', clockTime(ms));
  }

  /** setMarked shades the span chosen for download (undefined: none). */
  setMarked(span: { fromMs: number; toMs: number } | undefined): void {
    this.marked.hidden = span === undefined;
    if (!span) return;
    this.marked.style.left = `${this.pct(span.fromMs)}%`;
    this.marked.style.width = `${Math.max(0.2, this.pct(span.toMs) - this.pct(span.fromMs))}%`;
  }

  /** recordedAfter returns the first recorded moment at or after `ms`, if any (to skip holes). */
  recordedAfter(ms: number): number | undefined {
    for (const s of this.spans) if ((s.endMs ?? Infinity) > ms) return Math.max(s.startMs, ms);
    return undefined;
  }

  /** msAt maps a client x position on the bar to a wall-clock ms. */
  msAt(clientX: number): number {
    const r = this.bar.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / r.width));
    return this.fromMs + f * (this.toMs - this.fromMs);
  }

  private showHover(clientX: number): void {
    const ms = this.msAt(clientX);
    this.hover.hidden = false;
    this.hover.style.left = `${this.pct(ms)}%`;
    this.hover.textContent = clockTime(ms);
  }

  private pct(ms: number): number {
    return ((ms - this.fromMs) / (this.toMs - this.fromMs)) * 100;
  }

  private box(cls: string, a: number, b: number, attrs: Record<string, string>): HTMLElement {
    // Positions through the CSSOM: the page's CSP forbids style attributes.
    const el = h('div', { class: cls, ...attrs });
    el.style.left = `${this.pct(a)}%`;
    el.style.width = `${Math.max(0.15, this.pct(b) - this.pct(a))}%`;
    return el;
  }
}
