/**
 * A hub's pushes as one: an MJPEG stream pushed to two RTMP names is encoded to H.264 once
 * (one encoder reads the stream), both arrive at nginx-rtmp as H.264, and the counters show
 * up for /metrics and /api/streams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../../src/hub/hub.js';
import { Pushes } from '../../../src/sinks/push/pushes.js';
import { TestSource } from '../../../src/sources/testsrc/testsrc.js';
import { waitUntil } from '../../../support/net.js';
import { probeStream, startNginxRtmp } from '../../../support/media-servers.js';
import { requireTool } from '../../helpers/tools.js';

test('an MJPEG stream pushed twice is encoded to H.264 once; both pushes reach nginx-rtmp; counters for /metrics and /api/streams', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  const hub = new Hub();
  const source = new TestSource({ width: 320, height: 240, fps: 15, quality: 60, label: 'cam' });
  await source.start(hub.publish('cam', 'test'));
  const pushes = new Pushes(hub, [{ stream: 'cam', url: nginx.url('a') }, { stream: 'cam', url: nginx.url('b') }], { ffmpeg: 'ffmpeg', gopSeconds: 1, bitrateKbps: 1000 });
  t.after(async () => {
    await pushes.close();
    await source.close();
    await hub.close();
    await nginx.close();
  });
  await pushes.start();
  await waitUntil(() => pushes.stats().every((s) => s.state === 'live'), 30_000, 'both pushes to go live');
  for (const name of ['a', 'b']) {
    const got = await probeStream(nginx.url(name));
    assert.deepEqual([got.codec, got.width, got.height], ['h264', 320, 240], `push ${name}: ${got.stderr}`);
    assert.ok(got.frames >= 5, `push ${name}: ffprobe read ${got.frames} frames back`);
  }
  const readers = hub.get('cam')!.stats().readers.map((r) => r.label);
  assert.deepEqual(readers, ['H.264 encoder'], 'one encoder reads the MJPEG stream; the pushes read its H.264');
  const info = pushes.streamInfo('cam').pushes!;
  assert.deepEqual(info.map((p) => [p.stream, p.url, p.state]), [['cam', nginx.url('a'), 'live'], ['cam', nginx.url('b'), 'live']]);
  assert.ok(info.every((p) => p.bytes > 0 && p.frames > 0 && p.reconnects === 0), JSON.stringify(info));
  assert.deepEqual(pushes.streamInfo('other'), {});
  const fam = Object.fromEntries(pushes.metricFamilies().map((f) => [f.name, f]));
  assert.deepEqual(fam.camwire_push_live.samples.map((s) => s.value), [1, 1]);
  assert.deepEqual(fam.camwire_push_live.samples[0].labels, { stream: 'cam', url: nginx.url('a') });
  assert.ok(fam.camwire_push_bytes_total.samples.every((s) => s.value > 0));
  assert.equal(fam.camwire_push_reconnects_total.type, 'counter');
});
