/**
 * demo: `camwire demo` — a hub and a moving test pattern in one process, and how to watch it.
 */
import { startHub } from '../../api/hub-server.js';
import { COMMON_HELP, configFrom, HUB_HELP, HUB_OPTIONS, hubConfigFlags, parse } from '../args.js';
import { untilSignal } from '../run.js';
import type { Command } from './command.js';
import { help, viewerUrl } from './serve.js';
import { makeSource, SEND_OPTIONS } from './send.js';

const usage = `Usage: camwire demo [--tcp PORT] [--http PORT] [--tls-cert FILE --tls-key FILE] [--size WxH] [--fps N]

Starts a hub with a moving test pattern published as stream "demo", and prints how to watch it.

Options:
${HUB_HELP}
  --size WxH       test pattern size (default 640x480)
  --fps N          test pattern rate (default 30)
${COMMON_HELP}`;

/** demo is the `camwire demo` command. */
export const demo: Command = {
  name: 'demo',
  summary: 'a hub plus a test pattern in one process',
  usage,
  async run(argv) {
    const { values } = parse('demo', argv, { ...SEND_OPTIONS, ...HUB_OPTIONS });
    if (values.help) return help(usage);
    const cfg = configFrom(values, hubConfigFlags(values));
    const source = makeSource('testsrc', values, 'demo');
    const server = await startHub(cfg);
    await source.start(server.hub.publish('demo', 'test pattern'));
    const port = server.tcp?.port;
    process.stdout.write(
      [
        `camwire demo: hub on tcp port ${port}, test pattern streaming as "demo".`,
        ...(server.http ? [`Open the viewer in a browser:`, `  ${viewerUrl(server.http, cfg.token, cfg.host)}`] : []),
        `Watch it from another terminal:`,
        `  npx camwire view tcp://127.0.0.1:${port}/demo --frames 90 --output shots/ --json`,
        `  npx camwire view tcp://127.0.0.1:${port}/demo --output - | ffplay -f mjpeg -`,
        `Publish your own stream into it:`,
        `  npx camwire send testsrc tcp://127.0.0.1:${port}/mine`,
        `Ctrl-C to stop.`,
        '',
      ].join('\n'),
    );
    const err = await untilSignal([source, server], source.done);
    if (err) throw err;
    return 0;
  },
};
