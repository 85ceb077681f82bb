/**
 * support/read-forever is how the soak's viewers read; this is the soak's leak (3 sockets left in
 * the hub after every client left) reduced to its cause: viewers of a stream that went quiet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startHub } from '../../src/api/hub-server.js';
import { publishTo } from '../../src/api/remote.js';
import { nowUs } from '../../src/util/clock.js';
import { setLogLevel } from '../../src/util/logger.js';
import { readForever } from '../../support/read-forever.js';
import { waitUntil } from '../../support/net.js';

setLogLevel('error');

test('aborting viewers of a stream that went quiet closes their connections at once (the soak leak)', async () => {
  const server = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1' });
  const tcp = server.tcp!;
  const pub = await publishTo(`tcp://127.0.0.1:${tcp.port}/quiet`);
  const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#335' } }).jpeg().toBuffer();
  const stop = new AbortController();
  const got = [0, 0, 0];
  const viewers = got.map((_, i) => readForever(`tcp://127.0.0.1:${tcp.port}/quiet`, stop.signal, () => got[i]++));
  try {
    await waitUntil(() => tcp.connections === 4, 10_000, 'the publisher and three viewers connected');
    // A few frames, then the stream goes quiet (the publisher stays connected, as the soak's relay did).
    for (let seq = 0; seq < 3; seq++) {
      pub.publish({ stream: 'quiet', codec: 'mjpeg', keyframe: true, seq, captureUs: nowUs(), width: 16, height: 16, payload: jpeg });
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitUntil(() => got.every((n) => n > 0), 10_000, 'every viewer got a frame');
    stop.abort();
    await waitUntil(() => tcp.connections === 1, 5000, 'the viewers gone from the hub, no frame needed to notice the abort');
    await Promise.all(viewers.map((v) => v.done));
  } finally {
    stop.abort();
    await pub.close();
    await server.close();
  }
});
