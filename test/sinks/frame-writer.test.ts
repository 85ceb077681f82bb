import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFrameWriter, STREAM_EXTENSIONS } from '../../src/sinks/frame-writer.js';
import { isCamwireError } from '../../src/util/errors.js';
import { fakeFrame } from '../helpers/frames.js';
import { tempDir } from '../../support/media.js';

test('a directory gets one numbered file per frame, named by codec', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const dir = tmp.file('shots/deep');
  const w = openFrameWriter(dir);
  await w.write(fakeFrame(1));
  await w.write(fakeFrame(2, { codec: 'h264', keyframe: false }));
  await w.close();
  assert.deepEqual(readdirSync(dir).sort(), ['frame-000001.jpg', 'frame-000002.h264']);
  assert.deepEqual(readFileSync(join(dir, 'frame-000001.jpg')), fakeFrame(1).payload);
});

test('a stream file (.mjpeg, .h264 …) gets the payloads back to back; close is idempotent', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  assert.ok(STREAM_EXTENSIONS.includes('.h264') && STREAM_EXTENSIONS.includes('.mjpeg'));
  const file = tmp.file('out.MJPEG');
  const w = openFrameWriter(file);
  for (let i = 0; i < 3; i++) await w.write(fakeFrame(i));
  await Promise.all([w.close(), w.close()]);
  assert.deepEqual(readFileSync(file), Buffer.concat([0, 1, 2].map((i) => fakeFrame(i).payload)));
});

test('a directory that cannot be created is one CAMWIRE_ERR_CONFIG naming it', (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const blocker = tmp.file('file');
  writeFileSync(blocker, 'x');
  assert.throws(() => openFrameWriter(join(blocker, 'sub')), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /cannot create output directory .*file\/sub: (ENOTDIR|EEXIST)/.test((e as Error).message));
});

test('a stream file that cannot be written fails the next write with one clear error', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const w = openFrameWriter(tmp.file('no/such/dir/out.h264'));
  await new Promise((r) => setTimeout(r, 50)); // the open fails asynchronously
  await assert.rejects(w.write(fakeFrame(1)), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /cannot write output: ENOENT/.test((e as Error).message));
});
