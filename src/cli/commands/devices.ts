/**
 * devices: `camwire devices` — the cameras this machine has and the modes each offers.
 */
import { listCameras } from '../../sources/ffmpeg/devices.js';
import { locateFfmpeg } from '../../sources/ffmpeg/locate.js';
import { hostPlatform } from '../../sources/ffmpeg/plan.js';
import { COMMON_HELP, parse } from '../args.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire devices [--ffmpeg PATH]

Lists the cameras ffmpeg can open here (Linux: /dev/video*, macOS: AVFoundation, Windows:
DirectShow), with their formats and sizes. Use them as SOURCE: camera:N or camera:DEVICE.
A camera listing "mjpeg" at your --size is passed through without re-encoding.

Options:
  --ffmpeg PATH    the ffmpeg to ask (default: $CAMWIRE_FFMPEG, ffmpeg on PATH, the bundled build)
${COMMON_HELP}`;

/** devices is the `camwire devices` command. */
export const devices: Command = {
  name: 'devices',
  summary: 'list cameras and the modes they offer',
  usage,
  async run(argv) {
    const { values } = parse('devices', argv, { ffmpeg: { type: 'string' } });
    if (values.help) return help(usage);
    const ffmpeg = locateFfmpeg({ flag: values.ffmpeg as string | undefined });
    const cams = await listCameras(ffmpeg.path, hostPlatform());
    if (cams.length === 0) {
      process.stdout.write('no cameras found (nothing under /dev/video*, or ffmpeg lists none); files and IP cameras still work: camwire send file:PATH … or rtsp://…\n');
      return 0;
    }
    for (const c of cams) {
      process.stdout.write(`${c.device}  ${c.name}\n`);
      if (c.modes.length === 0) process.stdout.write('    (no capture formats: a metadata node, or ffmpeg cannot list its modes)\n');
      for (const m of c.modes) process.stdout.write(`    ${m.format.padEnd(10)} ${m.compressed ? 'compressed' : 'raw       '}  ${m.sizes.join(' ')}\n`);
    }
    return 0;
  },
};
