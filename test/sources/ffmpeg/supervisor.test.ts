import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FfmpegSupervisor } from '../../../src/sources/ffmpeg/supervisor.js';
import { createError, isCamwireError } from '../../../src/util/errors.js';
import { waitUntil } from '../../../support/net.js';
import { requireTool } from '../../helpers/tools.js';

const PATTERN = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=20', '-f', 'mjpeg', 'pipe:1'];
const FAST = { initialMs: 10, maxMs: 20 };

test('a plan that fails is retried by the same loop that restarts ffmpeg, with backoff, then ffmpeg runs', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  let plans = 0;
  const sup = new FfmpegSupervisor({
    ffmpeg: 'ffmpeg',
    args: async () => {
      if (++plans < 3) throw createError('CAMWIRE_ERR_SOURCE', 'camera not there yet');
      return PATTERN;
    },
    label: 'test',
    endOnCleanExit: false,
    failFast: false,
    backoff: FAST,
  });
  let bytes = 0;
  sup.on('data', (c) => (bytes += c.length));
  await sup.start(); // returns at once without failFast
  try {
    await waitUntil(() => bytes > 0, 10_000, 'output after two failed plans');
    assert.equal(plans, 3);
    assert.equal(sup.restarts, 2, 'each failed plan counts as an attempt');
    const pid = sup.pid!;
    sup.kill();
    await waitUntil(() => sup.pid !== undefined && sup.pid !== pid, 10_000, 'a restart after kill()');
    assert.equal(plans, 4, 'the args function is asked again before every run');
  } finally {
    await sup.close();
  }
  assert.equal(sup.pid, undefined);
  await sup.close(); // idempotent
});

test('with failFast a failed plan rejects start() with its own error and nothing is retried', async () => {
  let plans = 0;
  const sup = new FfmpegSupervisor({
    ffmpeg: 'ffmpeg',
    args: async () => {
      plans++;
      throw createError('CAMWIRE_ERR_SOURCE', 'file x.mp4: not found');
    },
    label: 'test',
    endOnCleanExit: false,
    failFast: true,
    backoff: FAST,
  });
  await assert.rejects(sup.start(), (e) => isCamwireError(e, 'CAMWIRE_ERR_SOURCE') && e.message === 'file x.mp4: not found');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(plans, 1);
  await sup.close();
});

test('with failFast an ffmpeg that dies before any output rejects start() with one line', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const sup = new FfmpegSupervisor({ ffmpeg: 'ffmpeg', args: ['-hide_banner', '-i', '/nonexistent/x.mp4', '-f', 'mjpeg', 'pipe:1'], label: 'file x', endOnCleanExit: false, failFast: true, backoff: FAST });
  await assert.rejects(sup.start(), (e) => isCamwireError(e, 'CAMWIRE_ERR_SOURCE') && /^file x/.test(e.message) && !e.message.includes('\n'));
  await sup.close();
});

test('a clean exit of a file ends the loop with one end event and no restart', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const sup = new FfmpegSupervisor({ ffmpeg: 'ffmpeg', args: ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=20', '-t', '0.2', '-f', 'mjpeg', 'pipe:1'], label: 'file', endOnCleanExit: true, failFast: true, backoff: FAST });
  let ends = 0;
  const ended = new Promise<void>((r) => sup.on('end', () => (ends++, r())));
  await sup.start();
  await ended;
  await sup.close();
  assert.equal(ends, 1);
  assert.equal(sup.restarts, 0);
});
