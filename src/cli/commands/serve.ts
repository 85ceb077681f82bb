/**
 * serve: `camwire serve` — a hub that publishers push streams into and viewers pull out of.
 */
import { startHub } from '../../api/hub-server.js';
import { COMMON_HELP, HUB_HELP, HUB_OPTIONS, hubConfigFlags, loadedConfigFrom, parse } from '../args.js';
import { makeSource, SOURCE_HELP, SOURCE_OPTIONS } from '../source-options.js';
import { redactUrl } from '../../sources/spec.js';
import { hostForUrl } from '../../config/url.js';
import { createError } from '../../util/errors.js';
import { isValidStreamName } from '../../frame/frame.js';
import { untilSignal } from '../run.js';
import { udpChoices, udpConfigFlags, UDP_HELP, UDP_OPTIONS } from '../udp-options.js';
import { createLogger } from '../../util/logger.js';
import { RECORD_HELP, RECORD_OPTIONS, recordConfigFlags } from '../record-options.js';
import { Recorder } from '../../sinks/recorder/recorder.js';
import { eventPinsFrom, recorderOptionsFrom } from '../../sinks/recorder/config.js';
import type { Command } from './command.js';
import { EVENT_HELP, EVENT_OPTIONS, eventConfigFlags } from '../event-options.js';
import { PUSH_HELP, PUSH_OPTIONS, pushConfigFlags, pushSpecs, startPushes } from '../push-options.js';

const log = createLogger('serve');

const usage = `Usage: camwire serve [--tcp PORT] [--http PORT] [--tls-cert FILE --tls-key FILE] [--udp PORT] [--host ADDR] [--stream NAME=SOURCE]... [--motion NAMES] [--record DIR [--keep AGE] [--max-disk SIZE] [--keep-events AGE]] [--push NAME=URL]...

Runs a hub. Senders publish named streams into it ("camwire send ... tcp://HOST:8089/NAME");
any number of viewers read each stream, each always getting the newest frame. With --stream
the hub opens sources itself (cameras, files, IP cameras), so one box can do everything.

Options:
${HUB_HELP}
  --udp PORT       also take UDP publishers and subscribers on this port (off unless given
                   here or as udpPort in the config file or CAMWIRE_UDP_PORT)
  --host ADDR      address to listen on (default 0.0.0.0, all interfaces)
  --stream NAME=SOURCE
                   publish SOURCE as stream NAME (repeatable); a source that cannot be
                   opened is retried in the background. The source options below apply to all.

${SOURCE_HELP}
${UDP_HELP}
${EVENT_HELP}
${RECORD_HELP}
${PUSH_HELP}
${COMMON_HELP}

Example:
  camwire serve --tcp 9000
  camwire send testsrc tcp://127.0.0.1:9000/lab
  camwire serve --stream door=camera:0 --stream gate=rtsp://10.0.0.7/stream1 --codec h264
  camwire serve --udp 10000          then   camwire view udp://HUB:10000/lab
  camwire serve --stream door=camera:0 --motion door
  camwire serve --stream robot="tcp://robot:8089?wire=len-jpeg" --stream door="tcp://0.0.0.0:8485?listen&wire=pickle-jpeg"
  camwire serve --stream door=camera:0 --record recordings/ --keep 7d --max-disk 20GB
  camwire serve --stream door=camera:0 --codec h264 --push door=rtmp://nginx/live/door`;

/** serve is the `camwire serve` command. */
export const serve: Command = {
  name: 'serve',
  summary: 'run a hub: publishers push streams in, viewers pull them out',
  usage,
  async run(argv) {
    const { values } = parse('serve', argv, { ...HUB_OPTIONS, host: { type: 'string' }, stream: { type: 'string', multiple: true }, udp: { type: 'string' }, ...EVENT_OPTIONS, ...SOURCE_OPTIONS, ...UDP_OPTIONS, ...RECORD_OPTIONS, ...PUSH_OPTIONS });
    if (values.help) return help(usage);
    const { config: cfg, origins } = loadedConfigFrom(values, { ...hubConfigFlags(values), host: values.host, udpPort: values.udp, ...eventConfigFlags(values), ...udpConfigFlags(values), ...recordConfigFlags(values), ...pushConfigFlags(values) });
    const recording = cfg.recordDir ? recorderOptionsFrom(cfg) : undefined;
    const pushing = pushSpecs(cfg);
    // UDP stays off unless asked for: by --udp, or udpPort in a config file or the environment.
    const udpPort = origins.udpPort.from === 'default' ? null : cfg.udpPort;
    const pulled = ((values.stream ?? []) as unknown as string[]).map((arg) => {
      const m = /^([^=]+)=(.+)$/.exec(arg);
      if (!m) throw createError('CAMWIRE_ERR_CONFIG', `--stream "${arg}" must look like NAME=SOURCE, e.g. door=camera:0`);
      if (!isValidStreamName(m[1])) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `--stream: bad stream name "${m[1]}" (letters, digits, _ - . /)`);
      return { name: m[1], spec: m[2], source: makeSource(m[2], values, m[1], { maxFrameBytes: cfg.maxFrameBytes, failFast: false, token: cfg.token }) };
    });
    const server = await startHub({ ...cfg, udpPort, nack: udpChoices(values).nack, ffmpegPath: values.ffmpeg as string | undefined });
    log.info(`hub listening on tcp://${cfg.host}:${server.tcp?.port} — publish with: camwire send testsrc tcp://127.0.0.1:${server.tcp?.port}/NAME`);
    if (server.udp) server.http?.extraMetrics.push(() => server.udp!.metricFamilies());
    if (server.udp) log.info(`hub listening on udp://${cfg.host}:${server.udp.port} — publish with: camwire send testsrc udp://127.0.0.1:${server.udp.port}/NAME`);
    // The recorder follows streams as they get publishers, so it starts before the sources.
    const recorder = recording && new Recorder(server.hub, { ...recording, pins: eventPinsFrom(cfg, server.events.log), eventsReady: server.events.ready });
    if (recorder) {
      await recorder.start();
      server.http?.extraMetrics.push(() => recorder.metricFamilies());
      log.info(`recording ${recording!.streams?.join(', ') ?? 'every stream'} into ${recording!.dir}`);
    }
    const pushes = await startPushes(server, pushing, values);
    for (const p of pulled) {
      await p.source.start(server.hub.publish(p.name, redactUrl(p.spec)));
      log.info(`pulling "${p.name}" from ${redactUrl(p.spec)}`);
    }
    if (server.http) log.info(`viewer: ${viewerUrl(server.http, cfg.token, cfg.host)} (MJPEG, snapshots, /api/streams, /metrics: docs/http.md)`);
    const err = await untilSignal([...pulled.map((p) => p.source), ...(recorder ? [recorder] : []), ...(pushes ? [pushes] : []), server]);
    if (err) throw err;
    return 0;
  },
};

/**
 * viewerUrl is the address of the browser viewer: on this machine when the hub listens on every
 * interface, else on the one address it listens on. The token itself is not printed.
 */
export function viewerUrl(http: { scheme: string; port: number }, token = '', host = '0.0.0.0'): string {
  const where = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : hostForUrl(host);
  return `${http.scheme}://${where}:${http.port}/${token ? '?token=YOUR_TOKEN' : ''}`;
}

/** help prints a usage text to stdout and returns exit code 0. */
export function help(text: string): number {
  process.stdout.write(text + '\n');
  return 0;
}
