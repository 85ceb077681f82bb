import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { exportClip, type ClipInfo } from '../../src/recordings/export.js';
import { holdForReading, isBeingRead } from '../../src/recordings/reading.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { renderFrames } from '../../support/replay.js';
import { tempDir } from '../../support/media.js';
import { publishTimed, recorderOptions } from '../helpers/recordings.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

test('holds count: a path stays held until every reader released it; release twice is harmless', () => {
  const a = holdForReading(['/x/a.mp4', '/x/b.mp4']);
  const b = holdForReading(['/x/./a.mp4']);
  assert.equal(isBeingRead('/x/a.mp4'), true);
  a();
  a();
  assert.equal(isBeingRead('/x/a.mp4'), true, 'b still holds it (same file, other spelling)');
  assert.equal(isBeingRead('/x/b.mp4'), false);
  b();
  assert.equal(isBeingRead('/x/a.mp4'), false);
});

test('export vs retention: a size pass while an export reads deletes none of its segments; the clip has every frame; they go after', { timeout: 60_000 }, async () => {
  const dir = tmp.file('race');
  const baseUs = Date.UTC(2026, 0, 2) * 1000;
  const frames = await renderFrames({ width: 160, height: 120, fps: 30, quality: 80 }, 30, 'cam');
  const hub = new Hub();
  const first = new Recorder(hub, recorderOptions(dir, { segmentMs: 1000, queueFrames: 100_000 }));
  await first.start();
  await publishTimed(hub.publish('cam'), Array.from({ length: 150 }, (_, i) => frames[i % 30]), baseUs);
  await first.close();
  const store = new RecordingStore(dir);
  assert.equal((await store.list('cam', 0, Number.MAX_SAFE_INTEGER)).length, 5);

  const info: Partial<ClipInfo> = {};
  const chunks = exportClip(store, 'cam', baseUs, baseUs + 5e6, info);
  await chunks.next(); // the export has read the index and holds its segments
  // Retention with a budget of one byte wants every closed segment gone, right now.
  const prune = new Recorder(new Hub(), recorderOptions(dir, { streams: [], retention: { keepUs: 0, maxBytes: 1 } }));
  await prune.start();
  await prune.close();
  assert.equal((await store.list('cam', 0, Number.MAX_SAFE_INTEGER)).length, 5, 'nothing deleted under the export');
  for await (const _ of chunks);
  assert.equal(info.frames, 150, 'the clip has every frame');

  const again = new Recorder(new Hub(), recorderOptions(dir, { streams: [], retention: { keepUs: 0, maxBytes: 1 } }));
  await again.start();
  await again.close();
  assert.equal((await store.list('cam', 0, Number.MAX_SAFE_INTEGER)).length, 0, 'released: retention deletes them');
});
