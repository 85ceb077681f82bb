import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { EventLog, type StreamEvent } from '../../../src/hub/event-log.js';
import { MqttPublisher, objectId, parseMqttUrl } from '../../../src/sinks/notify/mqtt.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { MOSQUITTO, startMosquitto } from '../../../support/mosquitto.js';
import { waitUntil } from '../../../support/net.js';
import { existsSync } from 'node:fs';

/** listen subscribes a plain client to everything and records the newest message per topic. */
async function listen(url: string) {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const last = new Map<string, { payload: Buffer; retain: boolean }>();
  const all: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload, packet) => {
    last.set(topic, { payload, retain: packet.retain });
    all.push({ topic, payload: payload.toString() });
  });
  await client.subscribeAsync('#', { qos: 1 });
  return { client, last, all, text: (t: string) => last.get(t)?.payload.toString() };
}

/** hasMosquitto: the broker is required under CI=true (.ci/run installs it), skipped elsewhere. */
function hasMosquitto(t: TestContext): boolean {
  if (existsSync(MOSQUITTO)) return true;
  if (process.env.CI === 'true') throw new Error(`${MOSQUITTO} is required under CI=true but was not found (.ci/run installs the mosquitto package)`);
  t.skip('mosquitto not installed');
  return false;
}

const event = (over: Partial<StreamEvent> = {}): StreamEvent => ({
  id: 'site_door-1000-1', type: 'motion', stream: 'site/door', startMs: 1000, endMs: null, peakScore: 0.1, zone: 'porch',
  snapshot: '/api/events/site_door-1000-1.jpg', clip: { fromMs: -4000, toMs: 11000, url: null }, ...over,
});

test('MQTT: Home Assistant discovery, availability, a binary_sensor going ON and OFF, the event JSON and the snapshot', async (t) => {
  if (!hasMosquitto(t)) return;
  const broker = await startMosquitto();
  const log = new EventLog();
  let pub: MqttPublisher | undefined;
  const sub = await listen(broker.url);
  try {
    pub = new MqttPublisher({ url: broker.url, topic: 'camwire', discoveryPrefix: 'homeassistant', streams: ['site/door'] }, log);
    const id = objectId('site/door');
    assert.equal(id, 'site_door');
    await waitUntil(() => sub.text('camwire/site/door/motion') === 'OFF' && sub.text('camwire/availability') === 'online', 5000, 'initial state');
    const disc = JSON.parse(sub.text(`homeassistant/binary_sensor/camwire_${id}/motion/config`)!);
    assert.deepEqual(
      { device_class: disc.device_class, state_topic: disc.state_topic, payload_on: disc.payload_on, payload_off: disc.payload_off, availability_topic: disc.availability_topic, unique_id: disc.unique_id },
      { device_class: 'motion', state_topic: 'camwire/site/door/motion', payload_on: 'ON', payload_off: 'OFF', availability_topic: 'camwire/availability', unique_id: 'camwire_site_door_motion' },
    );
    assert.equal(JSON.parse(sub.text(`homeassistant/camera/camwire_${id}/snapshot/config`)!).topic, 'camwire/site/door/snapshot');

    const jpeg = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    log.add(event(), jpeg);
    await waitUntil(() => sub.text('camwire/site/door/motion') === 'ON', 5000, 'ON');
    await waitUntil(() => sub.last.has('camwire/site/door/snapshot'), 5000, 'snapshot');
    assert.deepEqual(sub.last.get('camwire/site/door/snapshot')!.payload, jpeg);
    const started = JSON.parse(sub.all.find((m) => m.topic === 'camwire/events')!.payload);
    assert.equal(started.phase, 'start');
    assert.equal(started.event.zone, 'porch');

    log.update(event().id, { endMs: 4000 }, 'end');
    await waitUntil(() => sub.text('camwire/site/door/motion') === 'OFF', 5000, 'OFF');
    assert.equal(JSON.parse(sub.text('camwire/site/door/event')!).endMs, 4000);

    // A client that connects later still sees the retained state and discovery.
    const late = await listen(broker.url);
    await waitUntil(() => late.text('camwire/site/door/motion') === 'OFF' && late.last.has(`homeassistant/binary_sensor/camwire_${id}/motion/config`), 5000, 'retained');
    await late.client.endAsync();

    await pub.close();
    pub = undefined;
    await waitUntil(() => sub.text('camwire/availability') === 'offline', 5000, 'offline');
  } finally {
    await pub?.close();
    await sub.client.endAsync();
    await broker.close();
  }
});

test('MQTT: a broker that starts late is joined, and the states are published then', async (t) => {
  if (!hasMosquitto(t)) return;
  const first = await startMosquitto();
  const url = first.url;
  await first.close(); // nothing listens on that port now
  const log = new EventLog();
  const pub = new MqttPublisher({ url, topic: 'cam', discoveryPrefix: '', streams: ['gate'] }, log);
  try {
    log.add(event({ id: 'gate-1', stream: 'gate' }));
    assert.equal(pub.connected, false);
    // Start a broker on the same port: the publisher reconnects by itself.
    const { spawn } = await import('node:child_process');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'camwire-mosquitto-'));
    const port = new URL(url).port;
    writeFileSync(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
    const child = spawn(MOSQUITTO, ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
    try {
      await waitUntil(() => pub.connected, 10000, 'reconnect');
      const sub = await listen(url);
      await waitUntil(() => sub.text('cam/gate/motion') === 'ON', 5000, 'state after reconnect');
      assert.equal(sub.all.some((m) => m.topic.startsWith('homeassistant/')), false, 'no discovery with an empty prefix');
      await sub.client.endAsync();
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    await pub.close();
  }
});

test('an MQTT URL that is not mqtt:// is a clear config error', () => {
  for (const bad of ['nonsense', 'http://127.0.0.1:1883']) {
    assert.throws(() => parseMqttUrl(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /--mqtt/.test((e as Error).message));
  }
});
