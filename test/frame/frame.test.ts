import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODECS, isValidStreamName, STREAM_NAME_PATTERN } from '../../src/frame/frame.js';

test('stream names: letters, digits, _ - . and / for grouping, 1–64 characters', () => {
  for (const ok of ['lab', 'site/door', 'cam-1_2.hd', 'A', 'x'.repeat(64), 'a..b'.replace('..', '.')]) assert.ok(isValidStreamName(ok), ok);
});

test('names that need escaping, climb directories or start a path are refused', () => {
  for (const bad of ['', 'x'.repeat(65), '../etc', 'a/../b', '.hidden', '/abs', 'a b', 'a?b', 'ä', 'a%2f', 'a\\b', 'a\nb']) {
    assert.ok(!isValidStreamName(bad), JSON.stringify(bad));
  }
  assert.equal(STREAM_NAME_PATTERN.source.includes('{1,64}'), true, 'the length limit is part of the pattern users are shown');
});

test('codecs are listed in wire-id order: mjpeg = 0, h264 = 1', () => {
  assert.deepEqual(CODECS, ['mjpeg', 'h264']);
});
