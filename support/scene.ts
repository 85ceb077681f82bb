/**
 * scene: synthetic camera pictures for motion tests and benchmarks — a textured still
 * background, gaussian sensor noise, an overall light level, and boxes placed in normalised
 * coordinates (so one scene renders at the analysis size or at 720p alike). Seeded: a failing
 * case repeats exactly.
 */
import sharp from 'sharp';
import { Prng } from './prng.js';

/** Box is a solid square: centre (x, y) and side as fractions of the picture width. */
export interface Box {
  x: number;
  y: number;
  size: number;
  /** shade: grey level of the box (0–255). */
  shade: number;
}

/** Look is what one picture shows besides the background. */
export interface Look {
  /** light: added to every pixel (a light change), default 0. */
  light?: number;
  /** noise: standard deviation of per-pixel sensor noise in grey levels, default 0. */
  noise?: number;
  boxes?: Box[];
}

/** Scene renders pictures of one size; see the file comment. */
export class Scene {
  private readonly base: Uint8Array;
  private readonly rnd: Prng;

  constructor(
    readonly width: number,
    readonly height: number,
    seed = 1,
  ) {
    this.rnd = new Prng(seed);
    this.base = new Uint8Array(width * height);
    // A still scene with structure at several scales: a gradient, tiles and fine stripes.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = x / width;
        const v = y / height;
        const tile = (Math.floor(u * 12) + Math.floor(v * 7)) % 2 ? 30 : 0;
        const stripe = Math.floor(u * 80) % 2 ? 8 : 0;
        this.base[y * width + x] = 60 + 60 * v + tile + stripe;
      }
    }
  }

  /** picture renders one grayscale picture (width×height bytes). */
  picture(look: Look = {}): Uint8Array {
    const { width: w, height: h } = this;
    const out = new Uint8Array(this.base);
    for (const b of look.boxes ?? []) {
      const side = Math.round(b.size * w);
      const x0 = Math.round(b.x * w - side / 2);
      const y0 = Math.round(b.y * h - side / 2);
      for (let y = Math.max(0, y0); y < Math.min(h, y0 + side); y++) out.fill(b.shade, y * w + Math.max(0, x0), y * w + Math.min(w, x0 + side));
    }
    const light = look.light ?? 0;
    const noise = look.noise ?? 0;
    if (light !== 0 || noise !== 0) {
      for (let i = 0; i < out.length; i++) out[i] = clamp(out[i] + light + (noise ? noise * this.gaussian() : 0));
    }
    return out;
  }

  /** jpeg renders a picture as a grayscale-looking colour JPEG (what a camera sends). */
  jpeg(look: Look = {}, quality = 80): Promise<Buffer> {
    return sharp(Buffer.from(this.picture(look)), { raw: { width: this.width, height: this.height, channels: 1 } }).toColourspace('srgb').jpeg({ quality }).toBuffer();
  }

  private gaussian(): number {
    // Box–Muller; one value per call is enough here.
    const u = 1 - this.rnd.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rnd.next());
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
