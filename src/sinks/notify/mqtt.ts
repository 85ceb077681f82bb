/**
 * mqtt: publishes events and motion states to an MQTT broker (`--mqtt mqtt://HOST:PORT`), in the
 * shape Home Assistant's MQTT integration discovers by itself (docs/events.md):
 *
 * ```
 * camwire/availability                       online / offline          retained (offline = last will)
 * camwire/STREAM/motion                      ON / OFF                  retained: a binary_sensor per stream
 * camwire/STREAM/snapshot                    JPEG bytes of the peak    retained: an MQTT camera per stream
 * camwire/events                             {"phase","event"} JSON    every start, new peak, end, clip
 * homeassistant/binary_sensor/camwire_ID/motion/config   discovery     retained, one per watched stream
 * homeassistant/camera/camwire_ID/snapshot/config        discovery     retained
 * ```
 *
 * `camwire` is `mqttTopic`, `homeassistant` is `mqttDiscoveryPrefix` ('' publishes no
 * discovery). ID is the stream name with every character outside [A-Za-z0-9_-] as `_`. The
 * client reconnects by itself (mqtt.js, every RECONNECT_MS); states are re-published on every
 * connect so a restarted broker knows them again. Messages published while disconnected are
 * queued by mqtt.js only up to its in-flight window; a lost ON/OFF is repaired by the next.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { EventLog, EventPhase, StreamEvent } from '../../hub/event-log.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';

const log = createLogger('mqtt');

/** RECONNECT_MS: a broker restart is noticed and re-joined within 2 s. */
export const RECONNECT_MS = 2000;
/** CONNECT_TIMEOUT_MS: a broker that does not answer CONNECT within 5 s is retried. */
const CONNECT_TIMEOUT_MS = 5000;

/** MqttOptions: the broker, the topic prefixes, and the streams that get a discovered sensor. */
export interface MqttOptions {
  url: string;
  topic: string;
  discoveryPrefix: string;
  streams: readonly string[];
}

/** parseMqttUrl checks the broker URL; throws CAMWIRE_ERR_CONFIG naming the flag. */
export function parseMqttUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw createError('CAMWIRE_ERR_CONFIG', `--mqtt "${url.slice(0, 100)}" is not a URL; give mqtt://HOST:PORT`);
  }
  if (!['mqtt:', 'mqtts:'].includes(u.protocol)) throw createError('CAMWIRE_ERR_CONFIG', `--mqtt must be an mqtt:// or mqtts:// URL, got ${u.protocol}`);
  return u;
}

/** objectId is a stream name as Home Assistant object ids allow. */
export function objectId(stream: string): string {
  return stream.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** MqttPublisher carries an EventLog to a broker; see the file comment. */
export class MqttPublisher {
  private readonly client: MqttClient;
  private readonly availability: string;
  /** motion: the current state of each stream, re-published on reconnect. */
  private readonly motion = new Map<string, 'ON' | 'OFF'>();
  private readonly onEvent = (event: StreamEvent, phase: EventPhase) => this.publishEvent(event, phase);

  constructor(
    private readonly opts: MqttOptions,
    private readonly events: EventLog,
  ) {
    parseMqttUrl(opts.url);
    this.availability = `${opts.topic}/availability`;
    for (const s of opts.streams) this.motion.set(s, 'OFF');
    this.client = mqtt.connect(opts.url, {
      clientId: `camwire-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      will: { topic: this.availability, payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    let warned = false;
    this.client.on('connect', () => {
      warned = false;
      log.info(`connected to ${redact(opts.url)}`);
      this.announce();
    });
    this.client.on('error', (e) => {
      if (!warned) log.warn(`${redact(opts.url)}: ${e.message} (retrying every ${RECONNECT_MS / 1000} s)`);
      warned = true;
    });
    events.on('event', this.onEvent);
  }

  /** connected tells whether the broker connection is up. */
  get connected(): boolean {
    return this.client.connected;
  }

  /** close says "offline", then disconnects. Idempotent. */
  async close(): Promise<void> {
    this.events.off('event', this.onEvent);
    if (this.client.connected) await this.client.publishAsync(this.availability, 'offline', { retain: true, qos: 1 }).catch(() => {});
    await this.client.endAsync();
  }

  /** announce publishes discovery configs, availability and every current state. */
  private announce(): void {
    const { topic, discoveryPrefix } = this.opts;
    const device = { identifiers: [`camwire_${topic}`], name: 'camwire', manufacturer: 'camwire' };
    if (discoveryPrefix) {
      for (const stream of this.motion.keys()) {
        const id = objectId(stream);
        this.publish(`${discoveryPrefix}/binary_sensor/camwire_${id}/motion/config`, JSON.stringify({
          name: `${stream} motion`, unique_id: `camwire_${id}_motion`, device_class: 'motion',
          state_topic: `${topic}/${stream}/motion`, payload_on: 'ON', payload_off: 'OFF',
          availability_topic: this.availability, json_attributes_topic: `${topic}/${stream}/event`, device,
        }), true);
        this.publish(`${discoveryPrefix}/camera/camwire_${id}/snapshot/config`, JSON.stringify({
          name: `${stream} motion snapshot`, unique_id: `camwire_${id}_snapshot`, topic: `${topic}/${stream}/snapshot`,
          availability_topic: this.availability, device,
        }), true);
      }
    }
    this.publish(this.availability, 'online', true);
    for (const [stream, state] of this.motion) this.publish(`${topic}/${stream}/motion`, state, true);
  }

  private publishEvent(event: StreamEvent, phase: EventPhase): void {
    const { topic } = this.opts;
    const json = JSON.stringify({ phase, event });
    this.publish(`${topic}/events`, json, false);
    this.publish(`${topic}/${event.stream}/event`, JSON.stringify(event), true);
    const state = event.endMs === null ? 'ON' : 'OFF';
    if (this.motion.get(event.stream) !== state) {
      this.motion.set(event.stream, state);
      this.publish(`${topic}/${event.stream}/motion`, state, true);
    }
    const jpeg = phase === 'start' || phase === 'update' ? this.events.snapshot(event.id) : undefined;
    if (jpeg) this.publish(`${topic}/${event.stream}/snapshot`, jpeg, true);
  }

  private publish(t: string, payload: string | Buffer, retain: boolean): void {
    // QoS 1 for states (they must arrive); mqtt.js queues while reconnecting.
    this.client.publish(t, payload, { retain, qos: 1 }, (e) => e && log.debug(`publish ${t}: ${e.message}`));
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
