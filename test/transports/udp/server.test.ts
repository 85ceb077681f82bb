import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub, type HubServer } from '../../../src/api/hub-server.js';
import { publishTo, readFrom } from '../../../src/api/remote.js';
import type { Frame } from '../../../src/frame/frame.js';
import { encodeBye, encodeHello, encodeNack } from '../../../src/transports/udp/control.js';
import { LossyRelay } from '../../../support/lossy-relay.js';
import { waitUntil } from '../../../support/net.js';
import { datagramsOf, testFrame } from '../../../support/udp-frames.js';
import { RawPeer } from '../../helpers/udp-peer.js';
import { jpegFrames, streamThrough } from '../../../support/udp-stream.js';

const REFRESH_MS = 100;

let pictures: Frame[];
let server: HubServer;
let port: number;
const closers: { close(): Promise<void> }[] = [];
before(async () => {
  pictures = await jpegFrames(3);
  server = await startHub({ tcpPort: null, httpPort: null, udpPort: 0, host: '127.0.0.1', udpRefreshMs: REFRESH_MS });
  port = server.udp!.port;
});
after(async () => {
  for (const c of closers.reverse()) await c.close();
  await server.close();
});

const readers = (name: string) => server.hub.get(name)?.readers.size ?? 0;

/** subscribe plays a viewer by hand up to WELCOME (HELLO, CHALLENGE, HELLO with the cookie). */
async function subscribe(peer: RawPeer, stream: string) {
  peer.send(encodeHello({ role: 'view', stream }), port);
  const { cookie } = await peer.next('challenge');
  peer.send(encodeHello({ role: 'view', stream, cookie }), port);
  return { cookie, welcome: (await peer.next('welcome')).welcome };
}

describe('udp hub', () => {
  it('carries a publisher and two viewers through lossy links, each viewer through its own reader', async () => {
    const links = await Promise.all([0, 1, 2].map((i) => LossyRelay.start({ host: '127.0.0.1', port }, { seed: 11 + i, loss: 0.05, reorder: 0.02, duplicate: 0.02 })));
    const views = [readFrom(`udp://127.0.0.1:${links[1].port}/lab`), readFrom(`udp://127.0.0.1:${links[2].port}/lab`)];
    const out = await publishTo(`udp://127.0.0.1:${links[0].port}/lab`);
    closers.push(...links, ...views, out);
    const results = await streamThrough(out, views, { frames: 45, pictures });
    for (const d of results) {
      assert.equal(d.corrupt, 0);
      assert.equal(d.undecodable, 0);
      assert.ok(d.intact >= 43, `only ${d.intact}/45 intact`);
      assert.ok(d.ended, 'the publisher\'s END reached the viewer');
    }
    assert.equal(server.hub.get('lab')?.stats().readers.length ?? 0, 0, 'the ended stream released its readers');
    // /metrics keeps what the viewers' senders spent on repairs after they left.
    const m = Object.fromEntries(server.udp!.metricFamilies().map((f) => [f.name, f.samples.find((x) => x.labels?.stream === 'lab')?.value]));
    assert.ok(m.camwire_udp_repair_bytes_total! > 0 && m.camwire_udp_nacks_total! > 0, 'the lossy links needed repairs');
    assert.ok(m.camwire_udp_parity_bytes_total! > 0);
  });

  it('answers a HELLO without a cookie with a CHALLENGE only: no reader, no video to an unproven address', async () => {
    const peer = await RawPeer.open();
    closers.push(peer);
    const pub = server.hub.publish('cam1', 'test');
    const timer = setInterval(() => pub.publish({ ...testFrame(3000, 1), stream: 'cam1' }), 20);
    try {
      peer.send(encodeHello({ role: 'view', stream: 'cam1', cookie: 'forged' }), port);
      await peer.next('challenge');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(readers('cam1'), 0);
      assert.ok(!peer.received.some((d) => d.type === 'data' || d.type === 'welcome'));
    } finally {
      clearInterval(timer);
      pub.end();
    }
  });

  it('forgets a viewer that stops refreshing, and one that says BYE at once', async () => {
    const pub = server.hub.publish('cam2', 'test');
    const timer = setInterval(() => pub.publish({ ...testFrame(3000, 1), stream: 'cam2' }), 20);
    const quiet = await RawPeer.open();
    const polite = await RawPeer.open();
    closers.push(quiet, polite);
    try {
      await subscribe(quiet, 'cam2');
      const { welcome } = await subscribe(polite, 'cam2');
      await quiet.next('data');
      assert.equal(readers('cam2'), 2);
      polite.send(encodeBye(welcome.streamId), port);
      await waitUntil(() => readers('cam2') === 1, 2000, 'BYE to free its reader');
      // quiet never refreshes: gone after 5 refresh intervals.
      await waitUntil(() => readers('cam2') === 0, 5000, 'the silent viewer to expire');
      assert.ok(server.hub.get('cam2')?.publisher, 'the publisher is unaffected');
    } finally {
      clearInterval(timer);
      pub.end();
    }
  });

  it('ignores and counts malformed datagrams and strangers while a viewer keeps receiving', async () => {
    const pub = server.hub.publish('cam3', 'test');
    let seq = 0;
    const timer = setInterval(() => pub.publish({ ...pictures[0], seq: seq++, stream: 'cam3' }), 30);
    const view = readFrom(`udp://127.0.0.1:${port}/cam3`);
    const attacker = await RawPeer.open();
    closers.push(view, attacker);
    try {
      const rej = server.udp!.rejections!;
      const before = { short: rej.count('CAMWIRE_ERR_SHORT_DATAGRAM'), magic: rej.count('CAMWIRE_ERR_BAD_MAGIC'), stranger: rej.count('CAMWIRE_ERR_UNKNOWN_PEER'), bad: rej.count('CAMWIRE_ERR_BAD_FRAGMENT') };
      const it = view[Symbol.asyncIterator]();
      await it.next();
      const garbage = [Buffer.alloc(0), Buffer.from('hello'), Buffer.from('CU\x01\x01'), ...datagramsOf(testFrame(5000, 1), 1)];
      const wrongIndex = Buffer.from(datagramsOf(testFrame(5000, 2), 2)[0]);
      wrongIndex.writeUInt16BE(500, 30);
      for (let i = 0; i < 50; i++) for (const g of [...garbage, wrongIndex, encodeNack({ streamId: 1, frameNo: 1, indices: [0] })]) attacker.send(g, port);
      await waitUntil(() => rej.count('CAMWIRE_ERR_UNKNOWN_PEER') - before.stranger >= 50 * 6, 3000, 'the hub to count the strangers');
      assert.ok(rej.count('CAMWIRE_ERR_SHORT_DATAGRAM') - before.short >= 100);
      assert.ok(rej.count('CAMWIRE_ERR_BAD_MAGIC') - before.magic >= 50);
      assert.ok(rej.count('CAMWIRE_ERR_BAD_FRAGMENT') - before.bad >= 50);
      for (let k = 0; k < 5; k++) assert.ok((await it.next()).value, 'the viewer still gets frames');
    } finally {
      clearInterval(timer);
      pub.end();
    }
  });

  it('refuses a viewer with the wrong token for good, with CAMWIRE_ERR_UNAUTHORIZED', async () => {
    const guarded = await startHub({ tcpPort: null, httpPort: null, udpPort: 0, host: '127.0.0.1', token: 'secret' });
    closers.push(guarded);
    const view = readFrom(`udp://127.0.0.1:${guarded.udp!.port}/x`, { token: 'wrong' });
    closers.push(view);
    await assert.rejects(
      (async () => {
        for await (const _ of view);
      })(),
      { code: 'CAMWIRE_ERR_UNAUTHORIZED' },
    );
  });
});
