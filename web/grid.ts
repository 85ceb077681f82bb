/**
 * grid: the page's tiles — one per hub stream, added and removed as publishers come and go —
 * and the large view of one of them (`#NAME` in the address, so Back returns to the grid).
 *
 * Keys: arrows move between tiles; Enter opens one large; Esc returns; ←/→ switch streams in the
 * large view; F toggles fullscreen; S saves a snapshot of the tile in focus or on screen.
 */
import type { StreamInfo } from '../src/transports/ws/control.js';
import type { WsFrame } from '../src/transports/ws/frame-message.js';
import { h } from './dom.js';
import { Tile } from './tile.js';

/** ENDED_LINGER_MS: an ended stream's tile says so for 5 s before it leaves the grid. */
const ENDED_LINGER_MS = 5000;
/** TICK_MS: overlays refresh four times a second, readable without flicker. */
const TICK_MS = 250;

/** GridOptions: the subscription and ack hooks, and `only` for the one-stream page of `camwire view`. */
export interface GridOptions {
  subscribe(names: string[]): void;
  ack(stream: string): void;
  only?: string;
}

/** Grid owns every Tile; see the file comment. */
export class Grid {
  private readonly tiles = new Map<string, Tile>();
  private readonly gone = new Map<string, number>();
  private readonly list = h('main', { class: 'grid', 'aria-label': 'Streams' });
  private readonly empty = h('section', { class: 'empty' });
  private readonly title = h('h2', { class: 'focus-title' });
  private focused: string | undefined;

  constructor(
    root: HTMLElement,
    private readonly opts: GridOptions,
  ) {
    const back = h('button', { class: 'back', 'aria-label': 'Back to all streams (Esc)' }, '← All streams');
    back.addEventListener('click', () => this.open(undefined));
    const prev = h('button', { class: 'icon', 'aria-label': 'Previous stream (←)' }, '‹');
    prev.addEventListener('click', () => this.step(-1));
    const next = h('button', { class: 'icon', 'aria-label': 'Next stream (→)' }, '›');
    next.addEventListener('click', () => this.step(1));
    root.append(h('nav', { class: 'focus-bar' }, back, this.title, h('span', { class: 'spacer' }), prev, next), this.empty, this.list);
    this.setEmptyText(undefined);
    if (opts.only) {
      document.body.classList.add('single');
      this.add(opts.only);
      this.open(opts.only);
    }
    window.addEventListener('hashchange', () => this.fromHash());
    document.addEventListener('keydown', (e) => this.onKey(e));
    setInterval(() => this.tick(), TICK_MS);
    this.fromHash();
  }

  /** setEmptyText writes the "no streams yet" help, naming the hub's TCP port when known. */
  setEmptyText(tcpPort: number | undefined): void {
    const dest = `tcp://${location.hostname || 'HOST'}:${tcpPort ?? 8089}/NAME`;
    this.empty.replaceChildren(h('p', {}, 'No streams yet — publish one with:'), h('pre', {}, h('code', {}, `camwire send testsrc ${dest}`)));
  }

  /** streams applies the hub's stream list: new tiles, ended ones, per-stream state. */
  streams(list: StreamInfo[]): void {
    const now = performance.now();
    const names = new Set(list.map((s) => s.name));
    for (const s of list) {
      if (this.opts.only && s.name !== this.opts.only) continue;
      this.gone.delete(s.name);
      (this.tiles.get(s.name) ?? this.add(s.name)).info(s);
    }
    for (const [name, tile] of this.tiles) {
      if (names.has(name) || this.gone.has(name)) continue;
      tile.ended();
      this.gone.set(name, now);
    }
    this.resubscribe();
  }

  /** frame routes a frame to its tile (a frame for no tile is acknowledged at once). */
  frame(f: WsFrame, bytes: number): void {
    const t = this.tiles.get(f.stream);
    if (t) t.frame(f, bytes);
    else this.opts.ack(f.stream);
  }

  /** refused shows on a stream's tile why the hub will not show it to this page. */
  refused(name: string, message: string): void {
    this.tiles.get(name)?.refused(message);
  }

  /** open shows one stream large (undefined: back to the grid) by way of the address. */
  open(name: string | undefined): void {
    if (this.opts.only) return void (name && this.tiles.get(name)?.fullscreen());
    const hash = name === undefined ? '' : `#${encodeURIComponent(name)}`;
    if (location.hash !== hash) {
      if (hash) location.hash = hash;
      else history.pushState(null, '', location.pathname + location.search);
    }
    this.fromHash();
  }

  private fromHash(): void {
    if (this.opts.only) return this.setFocus(this.opts.only);
    let name: string | undefined;
    try {
      name = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : undefined;
    } catch {
      name = undefined;
    }
    this.setFocus(name !== undefined && this.tiles.has(name) ? name : undefined);
  }

  private setFocus(name: string | undefined): void {
    const previous = this.focused;
    this.focused = name;
    document.body.classList.toggle('focused', name !== undefined);
    for (const t of this.tiles.values()) t.el.classList.toggle('is-focused', t.name === name);
    this.title.textContent = name ?? '';
    if (name) this.tiles.get(name)?.button.focus();
    else if (previous) this.tiles.get(previous)?.button.focus();
    this.resubscribe();
  }

  private add(name: string): Tile {
    const tile = new Tile(name, { open: (n) => this.open(n), consumed: (n) => this.opts.ack(n) });
    this.tiles.set(name, tile);
    const after = [...this.tiles.keys()].filter((n) => n > name).sort()[0];
    this.list.insertBefore(tile.el, after ? this.tiles.get(after)!.el : null);
    if (location.hash.length > 1 && this.focused === undefined) this.fromHash();
    this.updateEmpty();
    return tile;
  }

  private remove(name: string): void {
    this.tiles.get(name)?.destroy();
    this.tiles.delete(name);
    this.gone.delete(name);
    if (this.focused === name) this.open(undefined);
    this.updateEmpty();
    this.resubscribe();
  }

  /** resubscribe asks for the streams on screen: all tiles, or only the large one. */
  private resubscribe(): void {
    const names = this.focused !== undefined ? [this.focused] : [...this.tiles.keys()].filter((n) => !this.gone.has(n));
    this.opts.subscribe(names);
  }

  private updateEmpty(): void {
    document.body.classList.toggle('no-streams', this.tiles.size === 0);
  }

  private tick(): void {
    const now = performance.now();
    for (const t of this.tiles.values()) t.tick(now);
    for (const [name, at] of this.gone) if (now - at > ENDED_LINGER_MS && !this.opts.only) this.remove(name);
  }

  private step(d: number): void {
    const names = [...this.tiles.keys()].sort();
    if (this.focused === undefined || names.length < 2) return;
    this.open(names[(names.indexOf(this.focused) + d + names.length) % names.length]);
  }

  /** current is the tile keys act on: the large one, else the one holding keyboard focus. */
  private current(): Tile | undefined {
    if (this.focused) return this.tiles.get(this.focused);
    const el = document.activeElement?.closest('.tile') as HTMLElement | null;
    return el?.dataset.stream ? this.tiles.get(el.dataset.stream) : undefined;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (this.handleKey(key)) e.preventDefault();
  }

  private handleKey(key: string): boolean {
    switch (key) {
      case 'f':
        void this.current()?.fullscreen();
        return true;
      case 's':
        this.current()?.snapshot();
        return true;
      case 'Escape':
        // In fullscreen, Esc belongs to the browser (it leaves fullscreen first).
        if (this.focused === undefined || this.opts.only || document.fullscreenElement) return false;
        this.open(undefined);
        return true;
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'ArrowUp':
      case 'ArrowDown':
        if (this.focused === undefined) return this.moveFocus(key);
        this.step(key === 'ArrowLeft' || key === 'ArrowUp' ? -1 : 1);
        return true;
      default:
        return false;
    }
  }

  /** moveFocus moves keyboard focus between grid tiles, by row and column as laid out. */
  private moveFocus(key: string): boolean {
    const tiles = [...this.list.querySelectorAll<HTMLElement>('.tile')];
    const i = tiles.findIndex((t) => t.contains(document.activeElement));
    if (i < 0) return false;
    const top = tiles[0].offsetTop;
    const columns = Math.max(1, tiles.filter((t) => t.offsetTop === top).length);
    const d = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns }[key] ?? 0;
    const next = tiles[Math.min(tiles.length - 1, Math.max(0, i + d))];
    next.querySelector<HTMLButtonElement>('button.screen')?.focus();
    return true;
  }
}
