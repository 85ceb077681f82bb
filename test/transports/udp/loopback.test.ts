import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { startHub } from '../../../src/api/hub-server.js';
import { publishTo, readFrom, type RemotePublisher, type RemoteReader } from '../../../src/api/remote.js';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { UdpDirectReceiver } from '../../../src/transports/udp/direct-receiver.js';
import { udpOptions } from '../../../src/transports/udp/options.js';
import { sleep } from '../../../src/util/sleep.js';
import { nowUs } from '../../../src/util/clock.js';
import { freeUdpPort, waitUntil } from '../../../support/net.js';
import { datagramsOf, sha1, testFrame } from '../../../support/udp-frames.js';
import { RawPeer } from '../../helpers/udp-peer.js';
import type { Frame } from '../../../src/frame/frame.js';
import { LossyRelay } from '../../../support/lossy-relay.js';
import { jpegFrames, streamThrough } from '../../../support/udp-stream.js';

let pictures: Frame[];
const closers: { close(): Promise<void> }[] = [];
before(async () => {
  pictures = await jpegFrames(4);
});
after(async () => {
  for (const c of closers.reverse()) await c.close();
});

describe('udp direct unicast through a lossy relay', () => {
  it('delivers ≥ 95 % of 720p frames intact at 5 % loss with reordering and duplicates, and none corrupt', async () => {
    const port = await freeUdpPort();
    const relay = await LossyRelay.start({ host: '127.0.0.1', port }, { seed: 7, loss: 0.05, reorder: 0.03, duplicate: 0.03 });
    const reader = readFrom(`udp://@127.0.0.1:${port}`);
    const out = await publishTo(`udp://127.0.0.1:${relay.port}`);
    closers.push(relay, reader, out);
    const [d] = await streamThrough(out, [reader], { frames: 60, pictures });
    assert.equal(d.corrupt, 0);
    assert.equal(d.undecodable, 0);
    assert.ok(d.intact >= 57, `only ${d.intact}/60 frames intact`);
    assert.ok(d.ended, 'END reached the receiver and ended iteration');
    assert.ok(relay.stats.dropped > 50, 'the relay really lost datagrams');
  });

  it('delivers ≥ 95 % intact through burst loss (Gilbert–Elliott, mean burst 4), none corrupt', async () => {
    const port = await freeUdpPort();
    const relay = await LossyRelay.start({ host: '127.0.0.1', port }, { seed: 8, burst: { enter: 0.01, exit: 0.25 } });
    const reader = readFrom(`udp://@127.0.0.1:${port}`);
    const out = await publishTo(`udp://127.0.0.1:${relay.port}`);
    closers.push(relay, reader, out);
    const [d] = await streamThrough(out, [reader], { frames: 45, pictures });
    assert.equal(d.corrupt, 0);
    assert.ok(d.intact >= 43, `only ${d.intact}/45 frames intact`);
    assert.ok(relay.stats.dropped > 20, 'the relay really lost bursts');
  });

  it('ignores and counts a second sender and garbage while following the first, which it delivers whole', async () => {
    const port = await freeUdpPort();
    const got: Frame[] = [];
    const rx = new UdpDirectReceiver('127.0.0.1', port, udpOptions(), { frame: (f) => got.push({ ...f, stream: 'x' }), end: () => {} });
    await rx.start();
    const out = await publishTo(`udp://127.0.0.1:${port}`);
    const intruder = await publishTo(`udp://127.0.0.1:${port}`);
    const garbage = await RawPeer.open();
    closers.push(rx, out, intruder, garbage);
    for (let k = 0; k < 5; k++) {
      out.publish({ ...pictures[0], seq: k, captureUs: nowUs() });
      await sleep(33);
    }
    for (let k = 5; k < 35; k++) {
      out.publish({ ...pictures[k % 2], seq: k, captureUs: nowUs() });
      intruder.publish({ ...pictures[3], seq: 999_000 + k, captureUs: nowUs() });
      garbage.send(Buffer.from('not camwire'), port);
      garbage.send(datagramsOf(testFrame(3000, k), k)[0].subarray(0, 30), port);
      await sleep(33);
    }
    await waitUntil(() => got.some((f) => f.seq === 34), 3000, 'the last frame');
    assert.ok(got.length >= 33, `only ${got.length}/35 frames`);
    assert.ok(got.every((f) => f.seq < 35 && sha1(f.payload) === sha1(pictures[f.seq < 5 ? 0 : f.seq % 2].payload)), 'only the followed sender\'s frames, whole');
    assert.ok(rx.rejections.count('CAMWIRE_ERR_UNKNOWN_PEER') > 100, 'the intruder\'s datagrams were counted');
    assert.ok(rx.rejections.count('CAMWIRE_ERR_BAD_MAGIC') >= 30);
    assert.ok(rx.rejections.count('CAMWIRE_ERR_SHORT_DATAGRAM') >= 30);
    assert.equal(rx.stats()?.frames, got.length);
  });
});

describe('udp over IPv6 loopback', () => {
  it('sends straight to a receiver bound on [::1]', async () => {
    const port = await freeUdpPort();
    const reader = readFrom(`udp://@[::1]:${port}`);
    const out = await publishTo(`udp://[::1]:${port}`);
    closers.push(reader, out);
    const [d] = await streamThrough(out, [reader], { frames: 20, pictures });
    assert.equal(d.corrupt, 0);
    assert.ok(d.intact >= 19 && d.ended, `${d.intact}/20 intact`);
  });

  it('publishes to and views from a hub on [::1]', async () => {
    const hub = await startHub({ tcpPort: null, httpPort: null, udpPort: 0, host: '::1' });
    closers.push(hub);
    const reader = readFrom(`udp://[::1]:${hub.udp!.port}/six`);
    const out = await publishTo(`udp://[::1]:${hub.udp!.port}/six`);
    closers.push(reader, out);
    const [d] = await streamThrough(out, [reader], { frames: 20, pictures });
    assert.equal(d.corrupt, 0);
    assert.ok(d.intact >= 19 && d.ended, `${d.intact}/20 intact`);
  });
});

describe('udp receive buffer', () => {
  it('is raised to udpRecvBufferBytes, as far as the kernel allows', async () => {
    const r = new UdpDirectReceiver('127.0.0.1', 0, udpOptions(), { frame: () => {}, end: () => {} });
    await r.start();
    try {
      const plain = createSocket('udp4');
      await new Promise<void>((res) => plain.bind(0, '127.0.0.1', () => res()));
      const before = plain.getRecvBufferSize();
      plain.close();
      const max = existsSync('/proc/sys/net/core/rmem_max') ? Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')) : undefined;
      if (max !== undefined && process.platform === 'linux') assert.equal(r.recvBufferBytes, 2 * Math.min(max, DEFAULTS.udpRecvBufferBytes));
      assert.ok(r.recvBufferBytes >= before);
    } finally {
      await r.close();
    }
  });
});

describe('udp multicast on loopback', () => {
  it('reaches two receivers on one host sharing the group port', async () => {
    const port = await freeUdpPort();
    const group = `239.10.${(port >> 8) & 255}.${port & 255}`; // a group per run, so parallel runs do not meet
    const opts = { iface: '127.0.0.1' };
    const readers: RemoteReader[] = [readFrom(`udp://@${group}:${port}`, opts), readFrom(`udp://@${group}:${port}`, opts)];
    const out: RemotePublisher = await publishTo(`udp://${group}:${port}`, { ...opts, udpTtl: 0 });
    closers.push(...readers, out);
    const results = await streamThrough(out, readers, { frames: 45, pictures });
    for (const d of results) {
      assert.equal(d.corrupt, 0);
      assert.equal(d.undecodable, 0);
      assert.ok(d.intact >= 43, `only ${d.intact}/45 intact`);
      assert.ok(d.ended);
    }
  });

  it('refuses to view a group without "@" and to send to "@"', async () => {
    assert.throws(() => readFrom('udp://239.10.0.1:10000'), { code: 'CAMWIRE_ERR_BAD_URL' });
    await assert.rejects(publishTo('udp://@:10000'), { code: 'CAMWIRE_ERR_BAD_URL' });
  });
});
