/**
 * pattern: draws the test picture as raw RGB, cheaply enough for 720p30 on a fraction of a core.
 *
 * Each frame is a scrolling band of colour bars (one memcpy per row from a precomputed strip),
 * a bouncing white box, and burnt-in text: stream name, frame number and the capture clock, so
 * a human can read latency and freezes off any viewer and a test can tell frames apart.
 */
import { GLYPH_H, GLYPH_W, glyph } from './font.js';

const BARS: [number, number, number][] = [
  [192, 192, 192], [192, 192, 0], [0, 192, 192], [0, 192, 0], [192, 0, 192], [192, 0, 0], [0, 0, 192], [16, 16, 16],
];

/** Pattern owns the strip and the frame buffer for one picture size. */
export class Pattern {
  /** strip holds 8 brightness bands of two bar periods each, so any scroll offset is one copy. */
  private readonly strip: Buffer;
  private readonly stripRow: number;
  private readonly scale: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.stripRow = width * 2 * 3;
    this.strip = Buffer.alloc(this.stripRow * 8);
    for (let band = 0; band < 8; band++) {
      const shade = 1 - band * 0.08;
      for (let x = 0; x < width * 2; x++) {
        const c = BARS[Math.floor(((x % width) * BARS.length) / width)];
        const o = band * this.stripRow + x * 3;
        this.strip[o] = c[0] * shade;
        this.strip[o + 1] = c[1] * shade;
        this.strip[o + 2] = c[2] * shade;
      }
    }
    this.scale = Math.max(1, Math.floor(height / 180));
  }

  /** draw renders frame `n` with the given text lines into a new RGB buffer. */
  draw(n: number, lines: string[]): Buffer {
    const { width: w, height: h } = this;
    const out = Buffer.allocUnsafe(w * h * 3);
    const shift = (n * 4) % w;
    for (let y = 0; y < h; y++) {
      const band = Math.floor((y * 8) / h);
      const from = band * this.stripRow + ((shift + y) % w) * 3;
      this.strip.copy(out, y * w * 3, from, from + w * 3);
    }
    const box = Math.max(8, Math.floor(h / 8));
    const bx = bounce(n * 6, w - box);
    const by = bounce(n * 4, h - box);
    this.rect(out, bx, by, box, box, 255);
    const s = this.scale;
    const pad = s * 2;
    const lineH = (GLYPH_H + 3) * s;
    const longest = Math.max(...lines.map((l) => l.length));
    // Top right: viewers put their own labels top left, and the text must stay readable.
    const boxW = Math.min(w, longest * (GLYPH_W + 1) * s + pad * 2);
    const x0 = w - boxW;
    this.rect(out, x0, 0, boxW, Math.min(h, lines.length * lineH + pad), 0);
    lines.forEach((line, i) => this.text(out, x0 + pad, pad + i * lineH, s, line));
    return out;
  }

  private text(out: Buffer, x0: number, y0: number, s: number, t: string): void {
    for (let i = 0; i < t.length; i++) {
      const rows = glyph(t[i]);
      const gx = x0 + i * (GLYPH_W + 1) * s;
      for (let r = 0; r < GLYPH_H; r++) {
        const bits = rows[r];
        for (let c = 0; c < GLYPH_W; c++) {
          if (bits & (1 << (GLYPH_W - 1 - c))) this.rect(out, gx + c * s, y0 + r * s, s, s, 255);
        }
      }
    }
  }

  /** rect fills a clipped grey rectangle with value v. */
  private rect(out: Buffer, x: number, y: number, rw: number, rh: number, v: number): void {
    const x1 = Math.min(this.width, x + rw);
    const y1 = Math.min(this.height, y + rh);
    if (x >= x1) return;
    for (let yy = Math.max(0, y); yy < y1; yy++) {
      const o = (yy * this.width + x) * 3;
      out.fill(v, o, o + (x1 - x) * 3);
    }
  }
}

function bounce(t: number, range: number): number {
  if (range <= 0) return 0;
  const p = t % (2 * range);
  return p < range ? p : 2 * range - p;
}
