/**
 * view: `camwire view URL` — shows a stream in the browser (default) or in ffplay (--play), or,
 * with --output / --json, receives it headless: saves frames and reports stats.
 */
import { readFrom } from '../../api/remote.js';
import { startLocalViewer } from '../../api/local-viewer.js';
import { openFrameWriter } from '../../sinks/frame-writer.js';
import { FfplayWindow, requireFfplay } from '../../sinks/ffplay.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import type { Config } from '../../config/defaults.js';
import { COMMON_HELP, configFrom, parse, parseNumber, type Parsed } from '../args.js';
import { formatReport, ViewStats, type ViewReport } from '../view-stats.js';
import { openBrowser } from '../open-browser.js';
import { untilSignal } from '../run.js';
import { udpChoices, udpConfigFlags, UDP_HELP, UDP_OPTIONS } from '../udp-options.js';
import { TcpClient } from '../../transports/tcp/client.js';
import type { UdpChoices } from '../../transports/udp/options.js';
import type { Command } from './command.js';
import { help } from './serve.js';
import { urlCredential } from '../../auth/index.js';

const log = createLogger('view');

const usage = `Usage: camwire view URL [options]

Shows a stream: in your browser (default), in an ffplay window (--play), or headless with
--output / --json / --frames (saves frames, reports stats).

URL:
  tcp://HOST:PORT/NAME     stream NAME of a hub
  tcp://HOST:PORT          a sender listening with ?listen (its only stream)
  udp://HOST:PORT/NAME     stream NAME of a hub over UDP ("camwire serve --udp PORT")
  udp://@:PORT             receive UDP sent straight here ("camwire send ... udp://THIS-HOST:PORT")
  udp://@GROUP:PORT        join a multicast group; any number of viewers per host
  tcp://HOST:PORT?wire=W   an old Python camera server (W = len-jpeg | pickle-bgr; docs/migrate.md)
  tcp://ADDR:PORT?listen&wire=pickle-jpeg[&allow=CIDR,…]
                           listen like the old viewer server; old camera clients connect here
  udp://@GROUP:PORT?wire=countdown
                           receive what the old multicast sender sends

Options:
  --no-open                print the viewer page's URL instead of opening a browser
  --http PORT              local port for the viewer page (default: any free port)
  --play                   show the stream in ffplay instead of the browser
  --seconds S              exit after S seconds
  --frames N               exit after N frames (headless, like --output / --json)
  --output DIR             save each frame as DIR/frame-000001.jpg, ...
  --output FILE.mjpeg      save the concatenated JPEG stream (FILE.h264: Annex B H.264)
  --output -               write the concatenated stream to stdout
  --json                   one JSON line per second on stdout, then a summary line
  --no-reconnect           exit on the first connection failure instead of retrying
${UDP_HELP}
${COMMON_HELP}

Examples:
  camwire view tcp://127.0.0.1:8089/lab
  camwire view tcp://127.0.0.1:8089/lab --play
  camwire view tcp://127.0.0.1:8089/lab --frames 300 --output shots/ --json
  camwire view tcp://robot.local:8089 --output - | ffplay -f mjpeg -
  camwire view udp://@239.10.0.1:10000 --json
  camwire view "tcp://robot:8089?wire=len-jpeg"
  camwire view "udp://@224.3.29.71:10000?wire=countdown"`;

/** view is the `camwire view` command. */
export const view: Command = {
  name: 'view',
  summary: 'show a stream in the browser or ffplay, or save frames and print stats',
  usage,
  async run(argv) {
    const { values, positionals } = parse('view', argv, {
      frames: { type: 'string' },
      seconds: { type: 'string' },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
      play: { type: 'boolean' },
      'no-open': { type: 'boolean' },
      http: { type: 'string' },
      'no-reconnect': { type: 'boolean' },
      ...UDP_OPTIONS,
    });
    if (values.help) return help(usage);
    if (positionals.length !== 1) throw createError('CAMWIRE_ERR_CONFIG', 'view needs one URL, e.g. camwire view tcp://127.0.0.1:8089/lab (see "camwire view --help")');
    // A frame count is a measurement: --frames alone also means headless, as it always did.
    const headless = values.output !== undefined || values.json === true || values.frames !== undefined;
    if (values.play && headless) throw createError('CAMWIRE_ERR_CONFIG', '--play shows the stream; --output / --json save or measure it: pick one');
    const cfg = configFrom(values, { httpPort: values.http, ...udpConfigFlags(values) });
    const url = positionals[0];
    cfg.token = urlCredential(url) ?? cfg.token; // tcp://NAME:SECRET@hub/… wins over --token-file and CAMWIRE_TOKEN
    const seconds = values.seconds === undefined ? Infinity : parseNumber(values.seconds, '--seconds', 0);
    const opts = { ...cfg, ...udpChoices(values), reconnect: !values['no-reconnect'] };
    if (headless) return receive(url, values, opts, seconds);
    if (values.play) return play(url, opts, seconds);
    return showInBrowser(url, opts, values.http !== undefined, !values['no-open'], seconds);
  },
};

type ViewOptions = Config & UdpChoices & { reconnect: boolean };

/** afterSeconds closes `c` after `seconds` (none when infinite); returns the timer to clear. */
function afterSeconds(seconds: number, c: { close(): Promise<void> }): NodeJS.Timeout | undefined {
  return Number.isFinite(seconds) ? setTimeout(() => void c.close(), seconds * 1000) : undefined;
}

async function showInBrowser(url: string, opts: ViewOptions, fixedPort: boolean, open: boolean, seconds: number): Promise<number> {
  const viewer = await startLocalViewer(url, { ...opts, httpPort: fixedPort ? opts.httpPort : 0 });
  // UDP has no connection to wait for (nor to give up on): only TCP honours --no-reconnect here.
  const tcp = viewer.client instanceof TcpClient ? viewer.client : undefined;
  if (!opts.reconnect && tcp) {
    // Exit on the first failure means: no page for a stream that cannot be reached.
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.on('state', (s) => s === 'connected' && resolve());
        viewer.done.then(resolve, reject);
      });
    } catch (e) {
      await viewer.close();
      throw e;
    }
  }
  process.stdout.write(`camwire view: showing ${url} at\n  ${viewer.pageUrl}\nCtrl-C to stop.\n`);
  if (open && !(await openBrowser(viewer.pageUrl))) log.warn('could not open a browser; open the address above yourself');
  const limit = afterSeconds(seconds, viewer);
  const err = await untilSignal([viewer], viewer.done);
  clearTimeout(limit);
  if (err) throw err;
  return 0;
}

async function play(url: string, opts: ViewOptions, seconds: number): Promise<number> {
  requireFfplay();
  const remote = readFrom(url, opts);
  const limit = afterSeconds(seconds, remote);
  let exitCode = 0;
  const ffplay = new FfplayWindow(remote.reader, `camwire: ${url}`);
  await ffplay.start();
  const played = ffplay.done.then((code) => {
    if (code !== 0) log.warn(`ffplay exited with code ${code}`);
    exitCode = code;
  });
  const err = await untilSignal([ffplay, remote], Promise.race([played, remote.client.done]));
  clearTimeout(limit);
  if (err) throw err;
  return exitCode;
}

async function receive(url: string, values: Parsed['values'], opts: ViewOptions, seconds: number): Promise<number> {
  const maxFrames = values.frames === undefined ? Infinity : parseNumber(values.frames, '--frames', 0, 1);
  const output = values.output as string | undefined;
  if (output === '-' && values.json) throw createError('CAMWIRE_ERR_CONFIG', '--output - and --json both want stdout; pick one');
  const writer = output ? openFrameWriter(output) : undefined;
  const remote = readFrom(url, opts);
  const stats = new ViewStats();
  // UDP receivers add their repair counters (FEC, NACKs sent/suppressed, repairs, loss rate).
  const udp = () => ('repairs' in remote.client ? remote.client.repairs() : undefined);
  const print = (r: ViewReport) => {
    if (values.json) process.stdout.write(JSON.stringify({ ...r, udp: udp() }) + '\n');
    else process.stderr.write(formatReport(r) + '\n');
  };
  const ticker = setInterval(() => print(stats.progress()), 1000);
  const limit = afterSeconds(seconds, remote);
  const received = (async () => {
    for await (const f of remote) {
      stats.add(f);
      await writer?.write(f);
      if (stats.frames >= maxFrames) break;
    }
  })();
  const err = await untilSignal([remote], received);
  clearInterval(ticker);
  clearTimeout(limit);
  await writer?.close();
  // A run that failed before any frame has nothing to sum up: the error line says it all.
  if (!err || stats.frames > 0) print(stats.summary());
  if (err) throw err;
  return 0;
}
