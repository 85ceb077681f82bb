import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startHub } from '../../src/api/hub-server.js';
import type { StreamEvent } from '../../src/hub/event-log.js';
import { dayOf } from '../../src/recordings/store.js';
import { parseEvents, SNAPSHOT_WIDTH } from '../../src/recordings/event-journal.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { renderFrames } from '../../support/replay.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { publishTimed, recorderOptions } from '../helpers/recordings.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

function motionEvent(id: string, startMs: number, endMs: number | null): StreamEvent {
  return { id, type: 'motion', stream: 'door', startMs, endMs, peakScore: 0.05, zone: 'all', snapshot: `/api/events/${id}.jpg`, clip: { fromMs: startMs - 1000, toMs: (endMs ?? startMs) + 1000, url: null } };
}

test('events survive a hub restart, link to the recording that covers them, keep a small snapshot on disk; old days go', { timeout: 90_000 }, async () => {
  const dir = tmp.file('journal');
  const cfg = { tcpPort: null, httpPort: 0, host: '127.0.0.1', recordDir: dir, recordKeep: '7d' } as const;
  const server = await startHub(cfg);
  const rec = new Recorder(server.hub, recorderOptions(dir, { segmentMs: 1000, queueFrames: 100_000 }));
  await rec.start();
  // Five seconds of 640×360 pictures ending now, recorded.
  const frames = await renderFrames({ width: 640, height: 360, fps: 30, quality: 80 }, 30, 'door');
  const baseMs = Date.now() - 5000;
  await publishTimed(server.hub.publish('door'), Array.from({ length: 150 }, (_, i) => frames[i % 30]), baseMs * 1000);
  await rec.close();
  const log = server.events.log;
  await server.events.ready;
  const linked = new Promise<StreamEvent>((resolve) => log.on('event', (ev, phase) => phase === 'clip' && resolve(ev)));
  // What the motion sink does: start (with the picture), end.
  log.add(motionEvent('door-a', baseMs + 2000, null), frames[0].payload);
  log.update('door-a', { endMs: baseMs + 3000, clip: { fromMs: baseMs + 1000, toMs: baseMs + 4000, url: null } }, 'end');
  // An event of a stream with no recording is never linked.
  log.add({ ...motionEvent('gate-a', baseMs, baseMs + 100), stream: 'gate' });
  const ev = await linked;
  assert.equal(ev.id, 'door-a');
  assert.equal(ev.clip.url, `/api/recordings/clip.mp4?stream=door&from=${baseMs + 1000}&to=${baseMs + 4000}`);
  const base = `http://127.0.0.1:${server.http!.port}`;
  const clip = await fetch(base + ev.clip.url);
  assert.equal(clip.status, 200);
  const file = tmp.file('clip.mp4');
  writeFileSync(file, Buffer.from(await clip.arrayBuffer()));
  const n = ffprobeFrames(file);
  assert.ok(n >= 88 && n <= 121, `the 3 s clip holds ${n} pictures (from the keyframe at or before its start)`);
  await server.events.journal!.flushed();
  await server.close();

  // Days older than the keep age go on the next start; a torn last line is skipped; an event
  // whose end was never written (killed during it) comes back closed.
  const eventsDir = join(dir, 'door', 'events');
  const today = dayOf(baseMs * 1000);
  writeFileSync(join(eventsDir, '2020-01-01.jsonl'), JSON.stringify(motionEvent('door-old', Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 1) + 1)) + '\n');
  mkdirSync(join(eventsDir, '2020-01-01'));
  appendFileSync(join(eventsDir, `${today}.jsonl`), JSON.stringify(motionEvent('door-open', baseMs + 4000, null)) + '\n{"id":"door-torn","ty');

  const again = await startHub(cfg);
  try {
    await again.events.ready;
    const list = again.events.log.list({ stream: 'door' });
    assert.deepEqual(list.map((e) => e.id), ['door-open', 'door-a']);
    assert.equal(list[0].endMs, list[0].startMs, 'closed at its start');
    assert.equal(list[1].endMs, baseMs + 3000);
    assert.equal(list[1].clip.url, ev.clip.url, 'the link survived');
    assert.equal(again.events.log.list({ stream: 'gate' })[0].clip.url, null);
    const snap = await fetch(`http://127.0.0.1:${again.http!.port}/api/events/door-a.jpg`);
    assert.equal(snap.status, 200, 'the snapshot is served from disk');
    const meta = await sharp(Buffer.from(await snap.arrayBuffer())).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, SNAPSHOT_WIDTH, 'shrunk from 640 wide');
    assert.ok(!existsSync(join(eventsDir, '2020-01-01.jsonl')) && !existsSync(join(eventsDir, '2020-01-01')), `old day deleted: ${readdirSync(eventsDir)}`);
  } finally {
    await again.close();
  }
});

test('a day file: the newest line per event wins, torn and foreign lines are skipped', () => {
  const a = motionEvent('door-1', 1000, null);
  const text = [JSON.stringify(a), JSON.stringify({ ...a, endMs: 2000 }), JSON.stringify({ ...a, id: 'x', stream: 'gate' }), 'not json', '{"id":1}', JSON.stringify({ ...a, id: 'door-2' }).slice(0, 30)].join('\n');
  assert.deepEqual(parseEvents(text, 'door'), [{ ...a, endMs: 2000 }]);
});
