/**
 * view: `camwire view URL` — a headless receiver that saves frames and reports stats.
 */
import { readFrom } from '../../api/remote.js';
import { openFrameWriter } from '../../sinks/frame-writer.js';
import { createError } from '../../util/errors.js';
import { COMMON_HELP, configFrom, parse, parseNumber } from '../args.js';
import { formatReport, ViewStats, type ViewReport } from '../view-stats.js';
import { untilSignal } from '../run.js';
import { udpChoices, udpConfigFlags, UDP_HELP, UDP_OPTIONS } from '../udp-options.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire view URL [options]

Receives a stream and saves or measures it.

URL:
  tcp://HOST:PORT/NAME     stream NAME of a hub
  tcp://HOST:PORT          a sender listening with ?listen (its only stream)
  udp://HOST:PORT/NAME     stream NAME of a hub over UDP ("camwire serve --udp PORT")
  udp://@:PORT             receive UDP sent straight here ("camwire send ... udp://THIS-HOST:PORT")
  udp://@GROUP:PORT        join a multicast group; any number of viewers per host

Options:
  --frames N               exit after N frames
  --seconds S              exit after S seconds
  --output DIR             save each frame as DIR/frame-000001.jpg, ...
  --output FILE.mjpeg      save the concatenated JPEG stream (FILE.h264: Annex B H.264)
  --output -               write the concatenated stream to stdout
  --json                   one JSON line per second on stdout, then a summary line
  --no-reconnect           exit on the first connection failure instead of retrying
${UDP_HELP}
${COMMON_HELP}

Examples:
  camwire view tcp://127.0.0.1:8089/lab --frames 300 --output shots/ --json
  camwire view tcp://robot.local:8089 --output - | ffplay -f mjpeg -
  camwire view udp://@239.10.0.1:10000 --json`;

/** view is the `camwire view` command. */
export const view: Command = {
  name: 'view',
  summary: 'receive a stream: save frames, print stats',
  usage,
  async run(argv) {
    const { values, positionals } = parse('view', argv, {
      frames: { type: 'string' },
      seconds: { type: 'string' },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
      'no-reconnect': { type: 'boolean' },
      ...UDP_OPTIONS,
    });
    if (values.help) return help(usage);
    if (positionals.length !== 1) throw createError('CAMWIRE_ERR_CONFIG', 'view needs one URL, e.g. camwire view tcp://127.0.0.1:8089/lab (see "camwire view --help")');
    const maxFrames = values.frames === undefined ? Infinity : parseNumber(values.frames, '--frames', 0, 1);
    const seconds = values.seconds === undefined ? Infinity : parseNumber(values.seconds, '--seconds', 0);
    const output = values.output as string | undefined;
    if (output === '-' && values.json) throw createError('CAMWIRE_ERR_CONFIG', '--output - and --json both want stdout; pick one');
    const cfg = configFrom(values, udpConfigFlags(values));
    const writer = output ? openFrameWriter(output) : undefined;
    const remote = readFrom(positionals[0], { ...cfg, ...udpChoices(values), reconnect: !values['no-reconnect'] });
    const stats = new ViewStats();
    const print = (r: ViewReport) => {
      if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(formatReport(r) + '\n');
    };
    const ticker = setInterval(() => print(stats.progress()), 1000);
    const limit = Number.isFinite(seconds) ? setTimeout(() => void remote.close(), seconds * 1000) : undefined;
    const receive = (async () => {
      for await (const f of remote) {
        stats.add(f);
        await writer?.write(f);
        if (stats.frames >= maxFrames) break;
      }
    })();
    const err = await untilSignal([remote], receive);
    clearInterval(ticker);
    clearTimeout(limit);
    await writer?.close();
    // A run that failed before any frame has nothing to sum up: the error line says it all.
    if (!err || stats.frames > 0) print(stats.summary());
    if (err) throw err;
    return 0;
  },
};
