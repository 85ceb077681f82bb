/**
 * events: a hub's event machinery, started and closed as one component — the EventLog, motion
 * detection on the configured streams, the notifiers that carry events out (webhook, MQTT), and
 * when the hub records, the journal that keeps events on disk with their clips. startHub owns
 * one; embedders reach the log as `server.events`.
 */
import type { Hub } from '../hub/hub.js';
import { EventLog } from '../hub/event-log.js';
import type { Config } from '../config/defaults.js';
import { Motion } from '../sinks/motion/motion.js';
import { Webhook, parseWebhookUrl } from '../sinks/notify/webhook.js';
import { MqttPublisher, parseMqttUrl } from '../sinks/notify/mqtt.js';
import { isValidStreamName } from '../frame/frame.js';
import { createError } from '../util/errors.js';
import { EventJournal } from '../recordings/event-journal.js';
import { eventKeepMs } from '../sinks/recorder/config.js';

/** EventsOptions: the motion* keys of Config, and the ffmpeg that decodes H.264 for motion. */
export type EventsOptions = Pick<Config, 'recordDir' | 'recordKeep' | 'recordKeepEvents' | 'motion' | 'motionFps' | 'motionSensitivity' | 'motionWarmupMs' | 'motionEndMs' | 'motionPreRollMs' | 'motionPostRollMs' | 'motionZones' | 'onMotion' | 'onMotionTimeoutMs' | 'mqtt' | 'mqttTopic' | 'mqttDiscoveryPrefix'> & {
  ffmpegPath?: string;
};

/** HubEvents is the running event machinery of a hub. */
export interface HubEvents {
  readonly log: EventLog;
  /** motion: detection on the configured streams, if any are. */
  readonly motion: Motion | undefined;
  readonly webhook: Webhook | undefined;
  readonly mqtt: MqttPublisher | undefined;
  /** journal: the events on disk beside the recordings (only when the hub records: recordDir). */
  readonly journal: EventJournal | undefined;
  /** ready settles once events of earlier runs are back in the log. */
  readonly ready: Promise<void>;
  /** close stops detection (ending events in progress) and the notifiers. Idempotent. */
  close(): Promise<void>;
}

/** motionStreams splits the `motion` key ("door, gate") into stream names; a bad name is a config error. */
export function motionStreams(list: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!isValidStreamName(n)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `--motion / motion: bad stream name "${n.slice(0, 80)}" (letters, digits, _ - . /)`);
  return names;
}

/** startEvents creates the EventLog and starts what the options ask for. */
export function startEvents(hub: Hub, opts: EventsOptions): HubEvents {
  const log = new EventLog();
  const streams = motionStreams(opts.motion);
  const keepMs = opts.recordDir ? eventKeepMs(opts) : undefined; // a bad age is a config error before anything starts
  // Check every URL before anything starts, so a typo is one clear error and nothing to undo.
  if (opts.onMotion) parseWebhookUrl(opts.onMotion);
  if (opts.mqtt) parseMqttUrl(opts.mqtt);
  const motion = streams.length
    ? new Motion(hub, log, {
        streams,
        fps: opts.motionFps,
        sensitivity: opts.motionSensitivity,
        warmupMs: opts.motionWarmupMs,
        endMs: opts.motionEndMs,
        preRollMs: opts.motionPreRollMs,
        postRollMs: opts.motionPostRollMs,
        zones: opts.motionZones,
        ffmpegPath: opts.ffmpegPath,
      })
    : undefined;
  const webhook = opts.onMotion ? new Webhook(opts.onMotion, log, opts.onMotionTimeoutMs) : undefined;
  const mqtt = opts.mqtt ? new MqttPublisher({ url: opts.mqtt, topic: opts.mqttTopic, discoveryPrefix: opts.mqttDiscoveryPrefix, streams }, log) : undefined;
  const journal = opts.recordDir ? new EventJournal(log, { dir: opts.recordDir, keepMs: keepMs! }) : undefined;
  motion?.start();
  let closing: Promise<void> | undefined;
  return {
    log,
    motion,
    webhook,
    mqtt,
    journal,
    ready: journal?.ready ?? Promise.resolve(),
    close: () => (closing ??= (async () => {
      // Detection first: the events it ends on the way out still reach the notifiers and the disk.
      await motion?.close();
      await journal?.close();
      await webhook?.close();
      await mqtt?.close();
    })()),
  };
}
