/**
 * devices: finds cameras and what they can deliver — v4l2 (/dev/video* and
 * `ffmpeg -f v4l2 -list_formats all`), AVFoundation and DirectShow (ffmpeg's device lists).
 * The parsers are pure and tested on captured ffmpeg output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Platform } from './args.js';
import { runFfmpeg } from './probe.js';

/** CameraMode is one format a camera offers, with its sizes ("640x480", or a stepwise range). */
export interface CameraMode {
  /** format: ffmpeg's name, e.g. mjpeg, h264, yuyv422. */
  format: string;
  compressed: boolean;
  sizes: string[];
}

/** CameraInfo is one camera: how to name it in `camera:…`, its description and modes. */
export interface CameraInfo {
  device: string;
  name: string;
  modes: CameraMode[];
}

const LIST_TIMEOUT_MS = 5000;

function stripPrefix(l: string): string {
  return l.replace(/^\[[^\]]*@ ?(0x)?[0-9a-f]+\]\s*/i, '');
}

/** parseV4l2Formats reads `ffmpeg -f v4l2 -list_formats all -i DEV` output. */
export function parseV4l2Formats(lines: readonly string[]): CameraMode[] {
  const out: CameraMode[] = [];
  for (const raw of lines) {
    const m = /^(Raw|Compressed)\s*:\s*(\S+)\s*:\s*(.*?)\s*:(.*)$/.exec(stripPrefix(raw));
    if (!m) continue;
    const sizes = m[4].match(/\{[^}]*\}x\{[^}]*\}|\d+x\d+/g) ?? [];
    out.push({ format: m[2], compressed: m[1] === 'Compressed', sizes });
  }
  return out;
}

/** parseAvfoundationDevices reads the video device names of `-f avfoundation -list_devices true`. */
export function parseAvfoundationDevices(lines: readonly string[]): { index: string; name: string }[] {
  const out: { index: string; name: string }[] = [];
  let inVideo = false;
  for (const raw of lines) {
    const l = stripPrefix(raw);
    if (/AVFoundation video devices/i.test(l)) inVideo = true;
    else if (/AVFoundation audio devices/i.test(l)) inVideo = false;
    else if (inVideo) {
      const m = /^\[(\d+)\]\s+(.+)$/.exec(l);
      if (m) out.push({ index: m[1], name: m[2] });
    }
  }
  return out;
}

/** parseDshowDevices reads the video device names of `-f dshow -list_devices true` (old and new layouts). */
export function parseDshowDevices(lines: readonly string[]): string[] {
  const out: string[] = [];
  let section: 'video' | 'audio' | undefined;
  for (const raw of lines) {
    const l = stripPrefix(raw);
    if (/DirectShow video devices/i.test(l)) section = 'video';
    else if (/DirectShow audio devices/i.test(l)) section = 'audio';
    const m = /^"([^"]+)"\s*(\((video|audio|none)[^)]*\))?\s*$/.exec(l);
    if (!m || /^@device/.test(m[1])) continue;
    if (m[3] ? m[3] === 'video' : section === 'video') out.push(m[1]);
  }
  return out;
}

/** parseDshowOptions reads `-f dshow -list_options true -i video=NAME` into modes. */
export function parseDshowOptions(lines: readonly string[]): CameraMode[] {
  const modes = new Map<string, CameraMode>();
  for (const raw of lines) {
    const m = /(vcodec|pixel_format)=(\S+)\s+min s=(\d+x\d+).*max s=(\d+x\d+)/.exec(stripPrefix(raw));
    if (!m) continue;
    const mode = modes.get(m[2]) ?? { format: m[2], compressed: m[1] === 'vcodec', sizes: [] };
    for (const s of new Set([m[3], m[4]])) if (!mode.sizes.includes(s)) mode.sizes.push(s);
    modes.set(m[2], mode);
  }
  return [...modes.values()];
}

/** v4l2Nodes lists /dev/videoN in numeric order (an empty list when there is none). */
export function v4l2Nodes(dev = '/dev'): string[] {
  let names: string[];
  try {
    names = readdirSync(dev);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^video\d+$/.test(n))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((n) => `${dev}/${n}`);
}

/** v4l2Modes asks ffmpeg for a v4l2 device's formats. */
export async function v4l2Modes(ffmpeg: string, device: string): Promise<{ modes: CameraMode[]; lines: string[] }> {
  const { lines } = await runFfmpeg(ffmpeg, ['-hide_banner', '-f', 'v4l2', '-list_formats', 'all', '-i', device], LIST_TIMEOUT_MS);
  return { modes: parseV4l2Formats(lines), lines };
}

/** dshowNames lists DirectShow video devices. */
export async function dshowNames(ffmpeg: string): Promise<string[]> {
  const { lines } = await runFfmpeg(ffmpeg, ['-hide_banner', '-list_devices', 'true', '-f', 'dshow', '-i', 'dummy'], LIST_TIMEOUT_MS);
  return parseDshowDevices(lines);
}

/** listCameras finds the cameras of this machine with their modes. */
export async function listCameras(ffmpeg: string, platform: Platform): Promise<CameraInfo[]> {
  if (platform === 'linux') {
    const out: CameraInfo[] = [];
    for (const device of v4l2Nodes()) {
      let name = device;
      try {
        name = readFileSync(`/sys/class/video4linux/${device.slice(5)}/name`, 'utf8').trim();
      } catch {
        // no sysfs (a container): the node name will do
      }
      out.push({ device, name, modes: (await v4l2Modes(ffmpeg, device)).modes });
    }
    return out;
  }
  if (platform === 'darwin') {
    const { lines } = await runFfmpeg(ffmpeg, ['-hide_banner', '-f', 'avfoundation', '-list_devices', 'true', '-i', ''], LIST_TIMEOUT_MS);
    return parseAvfoundationDevices(lines).map((d) => ({ device: d.index, name: d.name, modes: [] }));
  }
  const out: CameraInfo[] = [];
  for (const [i, name] of (await dshowNames(ffmpeg)).entries()) {
    const { lines } = await runFfmpeg(ffmpeg, ['-hide_banner', '-f', 'dshow', '-list_options', 'true', '-i', `video=${name}`], LIST_TIMEOUT_MS);
    out.push({ device: String(i), name, modes: parseDshowOptions(lines) });
  }
  return out;
}

/** offersAt tells whether a mode includes `size` (any size when none is asked, or a stepwise range). */
export function offersAt(mode: CameraMode, size: { width: number; height: number } | undefined): boolean {
  if (!size) return true;
  return mode.sizes.some((s) => {
    const step = /^\{(\d+)-(\d+), ?\d+\}x\{(\d+)-(\d+), ?\d+\}$/.exec(s);
    if (step) return size.width >= +step[1] && size.width <= +step[2] && size.height >= +step[3] && size.height <= +step[4];
    return s === `${size.width}x${size.height}`;
  });
}
