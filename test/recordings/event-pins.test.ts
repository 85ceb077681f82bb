import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EventLog, type StreamEvent } from '../../src/hub/event-log.js';
import { Hub } from '../../src/hub/hub.js';
import { EventPins } from '../../src/recordings/event-pins.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import type { RecorderOptions } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { renderFrames } from '../../support/replay.js';
import { tempDir } from '../../support/media.js';
import { publishTimed, recorderOptions } from '../helpers/recordings.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

const H_MS = 3600_000;

function ev(stream: string, fromMs: number, toMs: number, endMs: number | null = toMs - 1000): StreamEvent {
  return { id: `${stream}-${fromMs}`, type: 'motion', stream, startMs: fromMs + 1000, endMs, peakScore: 0.1, zone: 'all', snapshot: null, clip: { fromMs, toMs, url: null } };
}

test('pins: overlapping clips merge; a span is kept while its event is younger than the keep age; per-stream ages', () => {
  const log = new EventLog();
  const now = 100 * H_MS;
  const pins = new EventPins(log, { keepUs: 10 * H_MS * 1000, perStream: { gate: 0 } });
  log.add(ev('door', now - 5 * H_MS, now - 5 * H_MS + 20_000));
  log.add(ev('door', now - 5 * H_MS + 10_000, now - 5 * H_MS + 40_000));
  log.add(ev('door', now - 20 * H_MS, now - 20 * H_MS + 20_000)); // ended 20 h ago: no longer kept
  log.add(ev('gate', now - H_MS, now - H_MS + 20_000)); // gate's events keep nothing
  log.add(ev('door', now - 60_000, now, null)); // still going on
  const us = (ms: number) => ms * 1000;
  const t = now - 5 * H_MS;
  assert.equal(pins.keeps('door', us(t + 30_000), us(t + 35_000), now), true, 'inside the second of two merged clips');
  assert.equal(pins.keeps('door', us(t - 60_000), us(t), now), true, 'touching the first');
  assert.equal(pins.keeps('door', us(t + 41_000), us(t + 60_000), now), false, 'after both');
  assert.equal(pins.keeps('door', us(now - 20 * H_MS), us(now - 20 * H_MS + 5000), now), false, 'expired');
  assert.equal(pins.keeps('gate', us(now - H_MS), us(now - H_MS + 5000), now), false, 'per-stream 0');
  assert.equal(pins.keeps('door', us(now + H_MS), us(now + 2 * H_MS), now), true, 'an event going on keeps what follows');
  pins.close();
});

async function record(dir: string, seconds: number, baseUs: number, over: Partial<RecorderOptions>) {
  const frames = await renderFrames({ width: 160, height: 120, fps: 30, quality: 80 }, 30, 'door');
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir, { segmentMs: 1000, queueFrames: 100_000, ...over }));
  await rec.start();
  await publishTimed(hub.publish('door'), Array.from({ length: seconds * 30 }, (_, i) => frames[i % 30]), baseUs);
  await rec.close();
  await hub.close();
  return rec;
}

test('--keep-events: age retention passes over the segments an event clip covers until the event is older than that; a size limit takes them last', { timeout: 60_000 }, async () => {
  const dir = tmp.file('pins');
  const store = new RecordingStore(dir);
  const t0 = Date.now() - 2 * H_MS; // two hours ago: older than --keep 1h
  await record(dir, 8, t0 * 1000, {});
  const all = await store.list('door', 0, Number.MAX_SAFE_INTEGER);
  assert.equal(all.length, 8);
  const log = new EventLog();
  log.add(ev('door', t0 + 3500, t0 + 4500)); // clip covers the segments starting at 3 s and 4 s
  const keep = (keepEventsMs: number, over: Partial<RecorderOptions> = {}) => {
    const pins = new EventPins(log, { keepUs: keepEventsMs * 1000 });
    return record(dir, 0, 0, { retention: { keepUs: H_MS * 1000, maxBytes: 0 }, pins, ...over });
  };
  const rec = await keep(24 * H_MS);
  const left = await store.list('door', 0, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(left.map((s) => Math.round((s.startUs / 1000 - t0) / 1000)), [3, 4], 'only the event clip is left');
  assert.equal(rec.stats().segmentsDeleted.age, 6);
  // Over a size budget with only kept segments left, the oldest kept one goes.
  await keep(24 * H_MS, { retention: { keepUs: H_MS * 1000, maxBytes: left[1].bytes } });
  assert.deepEqual((await store.list('door', 0, Number.MAX_SAFE_INTEGER)).map((s) => s.file), [left[1].file]);
  // The event is older than a 1-hour --keep-events: its clip goes by age like the rest.
  await keep(H_MS);
  assert.equal((await store.list('door', 0, Number.MAX_SAFE_INTEGER)).length, 0);
});
