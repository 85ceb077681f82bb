/**
 * locate: finds the ffmpeg camwire runs — `--ffmpeg PATH`, else CAMWIRE_FFMPEG, else `ffmpeg` on
 * PATH, else the build shipped by the optional npm package @ffmpeg-installer/ffmpeg (so a bare
 * `npm ci` is enough on a fresh machine) — and what that build can do.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createError } from '../../util/errors.js';

/** FfmpegOrigin says where the ffmpeg in use was found. */
export type FfmpegOrigin = 'flag' | 'env' | 'path' | 'npm';

/** Ffmpeg is a usable ffmpeg binary. */
export interface Ffmpeg {
  path: string;
  origin: FfmpegOrigin;
  /** version is ffmpeg's own version string, e.g. "5.1.6-0+deb12u1". */
  version: string;
  /** major is the leading number of `version` (option names changed between 4 and 5); 0 if unknown. */
  major: number;
}

/** FfmpegAbilities lists the encoders and capture formats a build offers. */
export interface FfmpegAbilities {
  libx264: boolean;
  mjpeg: boolean;
  /** inputFormats holds the capture devices compiled in: v4l2, avfoundation, dshow, lavfi… */
  inputFormats: string[];
}

/** LocateOptions: the --ffmpeg flag and the environment (tests pass their own). */
export interface LocateOptions {
  flag?: string;
  env?: NodeJS.ProcessEnv;
}

const VERSION_TIMEOUT_MS = 5000;
const cache = new Map<string, Ffmpeg>();

/** versionOf runs `PATH -version` and returns the version string, or undefined if it does not run. */
export function versionOf(path: string): string | undefined {
  const r = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS });
  if (r.error || r.status !== 0) return undefined;
  return /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** npmFfmpegPath returns the binary of @ffmpeg-installer/ffmpeg, or undefined if not installed. */
export function npmFfmpegPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined; // not installed, or no build for this platform (it throws a string)
  }
}

/** candidates lists where to look, in order, without running anything. */
export function candidates(opts: LocateOptions = {}): { path: string; origin: FfmpegOrigin }[] {
  const env = opts.env ?? process.env;
  if (opts.flag) return [{ path: opts.flag, origin: 'flag' }];
  if (env.CAMWIRE_FFMPEG) return [{ path: env.CAMWIRE_FFMPEG, origin: 'env' }];
  const out: { path: string; origin: FfmpegOrigin }[] = [{ path: 'ffmpeg', origin: 'path' }];
  const npm = npmFfmpegPath();
  if (npm) out.push({ path: npm, origin: 'npm' });
  return out;
}

/**
 * locateFfmpeg returns the first ffmpeg that runs. An explicit --ffmpeg or CAMWIRE_FFMPEG that
 * does not run is an error (no silent fallback); so is finding none at all.
 */
export function locateFfmpeg(opts: LocateOptions = {}): Ffmpeg {
  const list = candidates(opts);
  for (const c of list) {
    const hit = cache.get(c.path);
    if (hit) return { ...hit, origin: c.origin };
    const version = versionOf(c.path);
    if (version === undefined) continue;
    const found = { path: c.path, origin: c.origin, version, major: Number(/^n?(\d+)/.exec(version)?.[1] ?? 0) };
    cache.set(c.path, found);
    return found;
  }
  if (list[0]?.origin === 'flag') throw createError('CAMWIRE_ERR_FFMPEG_MISSING', `--ffmpeg ${list[0].path} does not run; give the path of an ffmpeg binary`);
  if (list[0]?.origin === 'env') throw createError('CAMWIRE_ERR_FFMPEG_MISSING', `CAMWIRE_FFMPEG=${list[0].path} does not run; fix or unset it`);
  throw createError('CAMWIRE_ERR_FFMPEG_MISSING', 'no ffmpeg found: install it (apt install ffmpeg / brew install ffmpeg), run "npm ci" to get the bundled build, or pass --ffmpeg PATH');
}

/** abilitiesOf asks an ffmpeg which encoders and input devices it has. */
export function abilitiesOf(path: string): FfmpegAbilities {
  const run = (args: string[]) => spawnSync(path, ['-hide_banner', ...args], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS }).stdout ?? '';
  const encoders = run(['-encoders']);
  const formats = run(['-formats']);
  const inputFormats = [...formats.matchAll(/^ D.?\s+(\S+)/gm)].flatMap((m) => m[1].split(','));
  const wanted = ['v4l2', 'avfoundation', 'dshow', 'lavfi'];
  return {
    libx264: /^\s*V\S*\s+libx264\s/m.test(encoders),
    mjpeg: /^\s*V\S*\s+mjpeg\s/m.test(encoders),
    inputFormats: wanted.filter((f) => inputFormats.includes(f)),
  };
}
