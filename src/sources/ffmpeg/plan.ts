/**
 * plan: decides how ffmpeg opens a source — its input arguments, and whether its pictures can
 * be copied as they are (a camera's MJPEG, an IP camera's or a file's H.264) instead of being
 * decoded and encoded again. Opening fails here, with one clear line, if the input is missing.
 */
import { createError } from '../../util/errors.js';
import { canCopy, cameraDevice, cameraInputArgs, fileInputArgs, urlInputArgs, type Platform } from './args.js';
import { dshowNames, offersAt, v4l2Modes } from './devices.js';
import type { FfmpegSourceOptions } from './ffmpeg-source.js';
import type { Ffmpeg } from './locate.js';
import { probeInput } from './probe.js';
import { describeFailure } from './stderr.js';

/** InputPlan is how to open the input and whether to copy it. */
export interface InputPlan {
  input: string[];
  copy: boolean;
}

/** planInput builds the InputPlan for a source (probing files, URLs and Linux cameras). */
export async function planInput(ffmpeg: Ffmpeg, o: FfmpegSourceOptions, label: string): Promise<InputPlan> {
  const want = { codec: o.codec, size: o.size, fps: o.fps };
  if (o.inputArgs) return { input: o.inputArgs, copy: canCopy(await probeInput(ffmpeg.path, o.inputArgs, label), want) };
  const s = o.spec;
  if (s.kind === 'file') {
    const input = fileInputArgs(s.path, o.loop);
    return { input, copy: canCopy(await probeInput(ffmpeg.path, input, label), want) };
  }
  if (s.kind === 'url') {
    const input = urlInputArgs(s.url, ffmpeg.major);
    return { input, copy: canCopy(await probeInput(ffmpeg.path, input, label), want) };
  }
  return planCamera(ffmpeg, o, s.which, label);
}

/** hostPlatform is this machine's capture API family (anything not macOS or Windows is treated as Linux). */
export function hostPlatform(): Platform {
  return process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
}

async function planCamera(ffmpeg: Ffmpeg, o: FfmpegSourceOptions, which: string | undefined, label: string): Promise<InputPlan> {
  const platform = o.platform ?? hostPlatform();
  const names = platform === 'win32' && (which === undefined || /^\d+$/.test(which)) ? await dshowNames(ffmpeg.path) : [];
  if (platform === 'win32' && names.length === 0 && (which === undefined || /^\d+$/.test(which))) {
    throw createError('CAMWIRE_ERR_SOURCE', `${label}: no cameras found (DirectShow lists none); "camwire devices" shows what ffmpeg sees`);
  }
  const device = cameraDevice(platform, which, names);
  let inputFormat = o.inputFormat;
  let copy = inputFormat === o.codec;
  if (platform === 'linux') {
    const { modes, lines } = await v4l2Modes(ffmpeg.path, device);
    if (modes.length === 0) {
      throw createError('CAMWIRE_ERR_SOURCE', describeFailure(`camera ${device}`, lines.length ? lines : ['no capture formats'], 'while listing its formats') + '; "camwire devices" lists cameras');
    }
    // The camera compresses already in the codec we send: ask for that and copy it.
    if (!inputFormat && modes.some((m) => m.format === o.codec && offersAt(m, o.size))) {
      inputFormat = o.codec;
      copy = true;
    }
  }
  return { input: cameraInputArgs({ platform, device, size: o.size, fps: o.fps, inputFormat }), copy };
}
