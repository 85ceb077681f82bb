/**
 * send: `camwire send SOURCE DEST` — publish a source to a hub, or serve it to viewers directly.
 */
import { publishTo } from '../../api/remote.js';
import { isUdpUrl, parseUdpUrl } from '../../config/udp-url.js';
import { parseStreamUrl } from '../../config/url.js';
import { urlCredential } from '../../auth/index.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { COMMON_HELP, configFrom, parse, parseSize } from '../args.js';
import { makeSource, SOURCE_HELP, SOURCE_OPTIONS } from '../source-options.js';
import { untilSignal } from '../run.js';
import { udpChoices, udpConfigFlags, UDP_HELP, UDP_OPTIONS } from '../udp-options.js';
import type { Command } from './command.js';
import { isPushUrl } from '../../sinks/push/target.js';
import { sendToServer } from '../push-options.js';
import { help } from './serve.js';

const log = createLogger('send');

const usage = `Usage: camwire send SOURCE DEST [options]

Publishes a video source.

${SOURCE_HELP}

DEST:
  tcp://HOST:PORT/NAME         push to a hub ("camwire serve") as stream NAME
  tcp://ADDR:PORT[/NAME]?listen
                               be a camera server: viewers connect here directly
  udp://HOST:PORT              send over UDP straight to one receiver ("camwire view udp://@:PORT")
  udp://GROUP:PORT             send to a multicast group (e.g. 239.10.0.1): every receiver that joined
  udp://HOST:PORT/NAME         publish stream NAME into a hub over UDP ("camwire serve --udp PORT")
  tcp://…?wire=W, udp://…?wire=countdown
                               speak an old Python camera program's format (docs/migrate.md):
                               W = len-jpeg | pickle-jpeg | pickle-bgr (--size sets its frame size)
  rtmp://HOST/APP/KEY, rtsp://HOST:PORT/PATH, "srt://HOST:PORT?streamid=ID"
                               push to a streaming server (nginx-rtmp, MediaMTX, SRS; docs/scale.md):
                               H.264 is copied (use --codec h264), MJPEG encoded to H.264 once

Options:
  --no-reconnect    exit on the first connection failure instead of retrying
${UDP_HELP}
${COMMON_HELP}

Examples:
  camwire send testsrc tcp://127.0.0.1:8089/lab --size 1280x720 --fps 30
  camwire send camera tcp://hub:8089/door --size 1280x720 --fps 30
  camwire send camera:/dev/video2 "tcp://0.0.0.0:8089?listen" --codec h264
  camwire send file:lobby.mp4 tcp://hub:8089/lobby --loop
  camwire send rtsp://user:pass@10.0.0.7/stream1 tcp://hub:8089/gate --codec h264
  camwire send testsrc "tcp://0.0.0.0:8089?listen"
  camwire send testsrc udp://239.10.0.1:10000 --ttl 4
  camwire send camera "tcp://0.0.0.0:8089?listen&wire=len-jpeg"
  camwire send testsrc "tcp://0.0.0.0:9999?listen&wire=pickle-bgr" --size 320x240
  camwire send file:video.mp4 "udp://224.3.29.71:10000?wire=countdown" --loop
  camwire send camera rtmp://nginx/live/door --codec h264`;

/** SEND_OPTIONS are the flags of `camwire send` (shared with `demo`). */
export const SEND_OPTIONS = {
  ...SOURCE_OPTIONS,
  'no-reconnect': { type: 'boolean' },
} as const;

export { makeSource };

/** send is the `camwire send` command. */
export const send: Command = {
  name: 'send',
  summary: 'publish a source to a hub, or serve it to viewers directly',
  usage,
  async run(argv) {
    const { values, positionals } = parse('send', argv, { ...SEND_OPTIONS, ...UDP_OPTIONS });
    if (values.help) return help(usage);
    if (positionals.length !== 2) throw createError('CAMWIRE_ERR_CONFIG', 'send needs SOURCE and DEST, e.g. camwire send testsrc tcp://127.0.0.1:8089/lab (see "camwire send --help")');
    const [spec, dest] = positionals;
    if (isPushUrl(dest)) return sendToServer(spec, dest, values);
    const url = isUdpUrl(dest) ? parseUdpUrl(dest) : parseStreamUrl(dest);
    const cfg = configFrom(values, udpConfigFlags(values));
    cfg.token = urlCredential(dest) ?? cfg.token; // tcp://NAME:SECRET@hub/… wins over --token-file and CAMWIRE_TOKEN
    const source = makeSource(spec, values, url.stream || 'default', { maxFrameBytes: cfg.maxFrameBytes, failFast: true });
    const out = await publishTo(dest, {
      ...cfg,
      ...udpChoices(values),
      reconnect: !values['no-reconnect'],
      // wire=pickle-bgr sends raw frames of --size; wire=countdown slices to fit --mtu (see docs/migrate.md).
      size: values.size ? parseSize(values.size as string) : undefined,
      countdownSliceBytes: values.mtu !== undefined ? cfg.udpMtu - 49 : undefined,
    });
    await source.start(out);
    if (url.wire) log.info(`sending "${out.stream.name}" as wire=${url.wire} ${url.listen ? `on tcp://${url.host}:${out.port} (old viewers connect here)` : `to ${url.text}`}`);
    else if (url.listen) log.info(`serving "${out.stream.name}" on tcp://${url.host}:${out.port} — watch with: camwire view tcp://127.0.0.1:${out.port}`);
    else log.info(`publishing "${out.stream.name}" to ${url.text}`);
    // The source ending calls out.end(), which finishes out.done once END went out.
    const err = await untilSignal([source, out], out.done);
    if (err) throw err;
    return 0;
  },
};
