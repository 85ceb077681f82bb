/**
 * countdown-socket's lifecycle on real UDP sockets (the old programs against it are in
 * peers.test.ts): one awaited start, one idempotent close, whatever the order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import sharp from 'sharp';
import { CountdownReceiver, CountdownSender } from '../../../src/transports/seed/countdown-socket.js';
import { COUNTDOWN_HELLO } from '../../../src/transports/seed/countdown.js';
import type { SeedPicture } from '../../../src/transports/seed/picture.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { freeUdpPort, waitUntil } from '../../../support/net.js';

setLogLevel('error');
const base = { host: '127.0.0.1', ttl: 1, loopback: true };

test('sender and receiver: start once, pictures flow, close twice (and concurrently) is fine, the port is free again', async () => {
  const port = await freeUdpPort();
  const got: SeedPicture[] = [];
  const rx = new CountdownReceiver({ ...base, port, maxFrameBytes: 1 << 20, recvBufferBytes: 1 << 20, allow: undefined }, (p) => got.push(p));
  assert.equal(rx.port, 0, 'nothing bound before start');
  await Promise.all([rx.start(), rx.start()]);
  assert.equal(rx.port, port);
  const tx = new CountdownSender({ ...base, port, sliceBytes: 1400, pacePercent: 50 });
  await tx.start();
  await tx.start();
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#468' } }).jpeg().toBuffer();
  tx.write({ stream: 'x', codec: 'mjpeg', keyframe: true, seq: 0, captureUs: 0, width: 320, height: 240, payload: jpeg });
  await waitUntil(() => got.length === 1, 5000, 'the picture');
  assert.deepEqual(got[0].kind === 'jpeg' && got[0].jpeg, jpeg);
  await Promise.all([tx.close(), tx.close(), rx.close()]);
  await rx.close();
  assert.equal(tx.closed, true);
  assert.equal(rx.port, 0);
  // The port is free: a plain socket binds it.
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => (s.once('error', reject), s.bind(port, '127.0.0.1', () => resolve())));
  s.close();
});

test('close before start, or while start is in progress, releases everything; the sender sends its Hello exactly once', async () => {
  await new CountdownSender({ ...base, port: 9, sliceBytes: 1400, pacePercent: 50 }).close(); // never started
  const port = await freeUdpPort();
  const seen: Buffer[] = [];
  const listener = createSocket('udp4');
  await new Promise<void>((r) => listener.bind(port, '127.0.0.1', () => r()));
  listener.on('message', (d) => seen.push(d));
  try {
    const tx = new CountdownSender({ ...base, port, sliceBytes: 1400, pacePercent: 50 });
    await tx.start();
    await tx.start();
    const during = new CountdownReceiver({ ...base, port: await freeUdpPort(), maxFrameBytes: 1 << 20, recvBufferBytes: 1 << 20, allow: undefined }, () => {});
    const starting = during.start();
    await during.close(); // waits for the start, then closes what it opened
    await starting;
    assert.equal(during.port, 0);
    await waitUntil(() => seen.length >= 1, 5000, 'the Hello');
    await tx.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, [COUNTDOWN_HELLO], 'one Hello, never again');
  } finally {
    listener.close();
  }
});
