/**
 * push-options: `serve --push NAME=URL` (repeatable) mapped to the push config key, the hub's
 * pushes started from it with their counters wired into /metrics and /api/streams, and
 * `send SOURCE URL` to a streaming server.
 */
import type { HubServer } from '../api/hub-server.js';
import type { Config } from '../config/defaults.js';
import { Pushes } from '../sinks/push/pushes.js';
import { parsePushList, type PushSpec } from '../sinks/push/target.js';
import { FFMPEG_SOURCE_DEFAULTS } from '../sources/ffmpeg/ffmpeg-source.js';
import { locateFfmpeg } from '../sources/ffmpeg/locate.js';
import { redact } from '../util/redact.js';
import { createLogger } from '../util/logger.js';
import { configFrom, parseNumber, type Options, type Parsed } from './args.js';
import { Hub } from '../hub/hub.js';
import { makeSource } from './source-options.js';
import { untilSignal } from './run.js';

const log = createLogger('serve');

/** PUSH_OPTIONS: the push flag of serve. */
export const PUSH_OPTIONS = {
  push: { type: 'string', multiple: true },
} as const satisfies Options;

/** PUSH_HELP documents PUSH_OPTIONS. */
export const PUSH_HELP = `Pushing to streaming servers (docs/scale.md):
  --push NAME=URL        push stream NAME to an RTMP, RTSP or SRT server (repeatable):
                         rtmp://HOST/APP/KEY, rtsp://HOST:8554/PATH, "srt://HOST:PORT?streamid=ID".
                         H.264 is copied; MJPEG is encoded to H.264 once (--gop, --bitrate).
                         A server that is down or refuses is retried with backoff.`;

/** pushConfigFlags maps --push to the push config key (entries joined by spaces). */
export function pushConfigFlags(values: Parsed['values']): Partial<Record<keyof Config, unknown>> {
  return { push: (values.push as unknown as string[] | undefined)?.join(' ') };
}

/** pushSpecs reads the push key (before the hub starts, so a bad entry stops serve at once). */
export function pushSpecs(cfg: Config): PushSpec[] {
  return parsePushList(cfg.push);
}

/** pushesOptions: the ffmpeg and the H.264 settings (for MJPEG streams) from the source flags. */
function pushesOptions(values: Parsed['values']) {
  return {
    ffmpeg: locateFfmpeg({ flag: values.ffmpeg as string | undefined }).path,
    gopSeconds: parseNumber(values.gop, '--gop', FFMPEG_SOURCE_DEFAULTS.gopSeconds, 0.1),
    bitrateKbps: parseNumber(values.bitrate, '--bitrate', FFMPEG_SOURCE_DEFAULTS.bitrateKbps, 100),
  };
}

/**
 * sendToServer is `camwire send SOURCE rtmp://…|rtsp://…|srt://…`: the source published into a
 * private hub and pushed from there, like a hub's --push; it runs until Ctrl-C or the source ends.
 */
export async function sendToServer(spec: string, url: string, values: Parsed['values']): Promise<number> {
  const cfg = configFrom(values);
  const hub = new Hub();
  const pushes = new Pushes(hub, [{ stream: 'default', url }], pushesOptions(values));
  const source = makeSource(spec, values, 'default', { maxFrameBytes: cfg.maxFrameBytes, failFast: true });
  await source.start(hub.publish('default', redact(spec)));
  await pushes.start();
  log.info(`pushing ${redact(spec)} to ${redact(url)}`);
  const err = await untilSignal([source, pushes, hub], source.done);
  if (err) throw err;
  return 0;
}

/** startPushes starts `specs` (none: undefined), wired into the hub's /metrics and /api/streams. */
export async function startPushes(server: HubServer, specs: PushSpec[], values: Parsed['values']): Promise<Pushes | undefined> {
  if (specs.length === 0) return undefined;
  const pushes = new Pushes(server.hub, specs, pushesOptions(values));
  server.http?.extraMetrics.push(() => pushes.metricFamilies());
  server.http?.streamExtras.push((name) => pushes.streamInfo(name));
  await pushes.start();
  for (const p of specs) log.info(`pushing "${p.stream}" to ${redact(p.url)}`);
  return pushes;
}
