import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { boundPort, listen } from '../../src/util/listen.js';
import { createLogger, setLogSink } from '../../src/util/logger.js';
import { isCamwireError } from '../../src/util/errors.js';
import { waitUntil } from '../helpers/net.js';

const log = createLogger('test');
const target = (port: number, maxConnections?: number) => ({ url: `tcp://127.0.0.1:${port}`, inUseHint: 'pick another with --tcp', maxConnections });

test('listen binds port 0 and boundPort tells the port; a closed or missing server reads 0', async () => {
  const s = createServer();
  await listen(s, 0, '127.0.0.1', target(0), log);
  assert.ok(boundPort(s) > 0);
  await new Promise((r) => s.close(r));
  assert.equal(boundPort(s), 0);
  assert.equal(boundPort(undefined), 0);
});

test('a taken port is one CAMWIRE_ERR_LISTEN naming the URL and the fix, with the errno as cause', async () => {
  const a = createServer();
  await listen(a, 0, '127.0.0.1', target(0), log);
  const port = boundPort(a);
  try {
    await assert.rejects(listen(createServer(), port, '127.0.0.1', target(port), log), (e) => {
      assert.ok(isCamwireError(e, 'CAMWIRE_ERR_LISTEN'));
      assert.equal(e.message, `cannot listen on tcp://127.0.0.1:${port}: port already in use (pick another with --tcp)`);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      return true;
    });
  } finally {
    a.close();
  }
});

test('maxConnections refuses connections beyond the cap and logs them, rate-limited', async (t) => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  t.after(() => setLogSink((l) => process.stderr.write(l + '\n')));
  const open = new Set<import('node:net').Socket>();
  const s = createServer((c) => open.add(c));
  await listen(s, 0, '127.0.0.1', target(0, 2), log);
  const port = boundPort(s);
  const clients = [0, 1, 2, 3].map(() => connect(port, '127.0.0.1').on('error', () => {}));
  try {
    await waitUntil(() => open.size === 2 && lines.some((l) => /refused \d+ connection\(s\): 2 already open \(maxConnections\)/.test(l)), 5000, 'the third connection refused and logged');
    assert.equal(open.size, 2);
  } finally {
    for (const c of clients) c.destroy();
    for (const c of open) c.destroy();
    await new Promise((r) => s.close(r));
  }
});
