/**
 * doctor: `camwire doctor` — which ffmpeg camwire would run, what it can encode and which
 * capture devices it sees; the first thing to run when a camera source does not start.
 */
import { listCameras } from '../../sources/ffmpeg/devices.js';
import { abilitiesOf, candidates, locateFfmpeg } from '../../sources/ffmpeg/locate.js';
import { hostPlatform } from '../../sources/ffmpeg/plan.js';
import { isCamwireError } from '../../util/errors.js';
import { COMMON_HELP, parse } from '../args.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire doctor [--ffmpeg PATH]

Reports which ffmpeg camwire uses (--ffmpeg, $CAMWIRE_FFMPEG, ffmpeg on PATH, or the build
bundled through npm), its version, whether it can encode H.264 (libx264) and MJPEG, and the
cameras it sees. Exits 1 when no usable ffmpeg is found.

Options:
  --ffmpeg PATH    check this ffmpeg instead
${COMMON_HELP}`;

const ORIGINS = { flag: '--ffmpeg', env: '$CAMWIRE_FFMPEG', path: 'PATH', npm: 'bundled (@ffmpeg-installer/ffmpeg)' };

/** doctor is the `camwire doctor` command. */
export const doctor: Command = {
  name: 'doctor',
  summary: 'check ffmpeg, its codecs and the cameras it sees',
  usage,
  async run(argv) {
    const { values } = parse('doctor', argv, { ffmpeg: { type: 'string' } });
    if (values.help) return help(usage);
    const out = (s: string) => process.stdout.write(s + '\n');
    const flag = values.ffmpeg as string | undefined;
    out(`looked for ffmpeg in: ${candidates({ flag }).map((c) => `${c.path} (${ORIGINS[c.origin]})`).join(', ')}`);
    let ffmpeg;
    try {
      ffmpeg = locateFfmpeg({ flag });
    } catch (e) {
      if (!isCamwireError(e)) throw e;
      out(`ffmpeg:  NOT FOUND — ${e.message}`);
      return 1;
    }
    const can = abilitiesOf(ffmpeg.path);
    const yes = (b: boolean, missing: string) => (b ? 'yes' : `NO — ${missing}`);
    out(`ffmpeg:  ${ffmpeg.path} (${ORIGINS[ffmpeg.origin]}), version ${ffmpeg.version}`);
    out(`libx264: ${yes(can.libx264, '--codec h264 will not work; install an ffmpeg with libx264 or use the bundled one (--ffmpeg)')}`);
    out(`mjpeg:   ${yes(can.mjpeg, 'MJPEG encoding will not work')}`);
    out(`capture: ${can.inputFormats.filter((f) => f !== 'lavfi').join(', ') || 'none compiled in'}`);
    const cams = await listCameras(ffmpeg.path, hostPlatform());
    out(`cameras: ${cams.length ? cams.map((c) => `${c.device} (${c.name})`).join(', ') : 'no cameras found'}`);
    return can.libx264 && can.mjpeg ? 0 : 1;
  },
};
