/**
 * The seed listener's own limits over real sockets (the old programs' behaviour against it is in
 * peers.test.ts): the hub's peer limits (per-address cap) and the pre-auth budget that bounds
 * what half-sent pictures may hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { Hub } from '../../../src/hub/hub.js';
import { FrameEncoder } from '../../../src/transports/seed/frame-encoder.js';
import { SeedTcpListener, type SeedListenerOptions } from '../../../src/transports/seed/tcp-listener.js';
import { PreAuthBudget } from '../../../src/util/peer-limits.js';
import { setLogSink } from '../../../src/util/logger.js';
import { rawConnect, waitUntil } from '../../../support/net.js';

const logs: string[] = [];
setLogSink((l) => logs.push(l));

function options(over: Partial<SeedListenerOptions>): SeedListenerOptions {
  return { ...DEFAULTS, host: '127.0.0.1', port: 0, wire: 'len-jpeg', allow: undefined, ...over };
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.on('close', () => r())));

test('serve: one address holds at most maxConnectionsPerAddress viewers; the next is refused and logged, the others keep their slots', async () => {
  const hub = new Hub();
  hub.publish('default', 'test');
  const l = new SeedTcpListener(options({ maxConnectionsPerAddress: 2 }), { kind: 'serve', encoder: new FrameEncoder('len-jpeg'), read: (label) => hub.read('default', { label }) });
  await l.start();
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) socks.push((await rawConnect(l.port)).on('error', () => {}));
    await waitUntil(() => l.connections === 2, 5000, 'two viewers held');
    const third = (await rawConnect(l.port)).on('error', () => {});
    socks.push(third);
    await closed(third);
    assert.equal(l.connections, 2);
    assert.equal(l.limits.stats().refused, 1);
    await waitUntil(() => logs.some((x) => /refused 1 connection\(s\); latest: 127\.0\.0\.1 already holds 2 connections \(maxConnectionsPerAddress\)/.test(x)), 5000, 'the refusal logged');
    // A viewer that leaves gives its slot back.
    socks[0]!.destroy();
    await waitUntil(() => l.limits.stats().connections === 1, 5000, 'slot released');
  } finally {
    for (const s of socks) s.destroy();
    await l.close();
    await hub.close();
  }
});

test('accept: half-sent pictures are charged to the shared pre-auth budget; the camera that would overflow it is closed, and leaving gives the bytes back', async () => {
  // Two listeners (two `serve --stream` seed URLs) share one budget; one listener holds one
  // camera at a time (the newest replaces the previous), so the overflow is across listeners.
  const budget = new PreAuthBudget(100_000);
  const l1 = new SeedTcpListener(options({ preAuthBudgetBytes: 100_000, preAuthBudget: budget }), { kind: 'accept', picture: () => {} });
  const l2 = new SeedTcpListener(options({ preAuthBudgetBytes: 100_000, preAuthBudget: budget }), { kind: 'accept', picture: () => {} });
  await l1.start();
  await l2.start();
  const header = Buffer.alloc(4);
  header.writeUInt32BE(90_000); // allowed (≤ maxFrameBytes), never completed
  const body = Buffer.alloc(60_000, 0xab);
  const a = (await rawConnect(l1.port)).on('error', () => {});
  const b = (await rawConnect(l2.port)).on('error', () => {});
  try {
    a.write(Buffer.concat([header, body]));
    await waitUntil(() => budget.bytes === 60_000, 5000, "the first camera's 60 000 held bytes charged");
    b.write(Buffer.concat([header, body]));
    await closed(b);
    await waitUntil(() => budget.bytes === 60_000, 5000, 'the refused camera holds nothing');
    assert.ok(!a.destroyed, 'the first camera stays connected');
    await waitUntil(() => logs.some((x) => /preAuthBudgetBytes.*CAMWIRE_ERR_OVERLOADED/.test(x)), 5000, 'the refusal logged with its code');
    a.destroy();
    await waitUntil(() => budget.bytes === 0, 5000, 'bytes given back when the camera leaves');
  } finally {
    a.destroy();
    b.destroy();
    await l1.close();
    await l2.close();
  }
});
