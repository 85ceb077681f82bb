import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { connect, type PeerCertificate } from 'node:tls';
import { watchTlsFiles } from '../../src/util/tls-reload.js';
import { createLogger, setLogLevel } from '../../src/util/logger.js';
import { selfSignedCert } from '../helpers/tls.js';

setLogLevel('error');

/** peerCn handshakes with 127.0.0.1:port and returns the certificate's CN. */
function peerCn(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      const c: PeerCertificate = s.getPeerCertificate();
      s.destroy();
      resolve(String(c.subject.CN));
    });
    s.on('error', reject);
  });
}

test('a renewed certificate is served to new connections; open ones stay; a bad pair keeps the old one', async (t) => {
  const first = selfSignedCert(t, 'first.test');
  const second = selfSignedCert(t, 'second.test');
  if (!first || !second) return;
  t.after(() => (first.remove(), second.remove()));
  const server = createServer({ cert: readFileSync(first.cert), key: readFileSync(first.key) }, (_q, r) => r.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const watch = watchTlsFiles(first.cert, first.key, (pair) => server.setSecureContext(pair), createLogger('test'), 50);
  t.after(() => (watch.close(), server.closeAllConnections(), server.close()));

  const open = connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise((r) => open.once('secureConnect', r));
  assert.equal(await peerCn(port), 'first.test');

  // A key that does not match the certificate: logged, not applied.
  copyFileSync(second.key, first.key + '.new');
  renameSync(first.key + '.new', first.key);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await peerCn(port), 'first.test', 'a mismatched pair is not used');

  // The matching certificate arrives (renamed over, as renewal tools do): new connections get it.
  writeFileSync(first.cert + '.new', readFileSync(second.cert));
  renameSync(first.cert + '.new', first.cert);
  let cn = '';
  for (let i = 0; i < 50 && cn !== 'second.test'; i++) {
    cn = await peerCn(port);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(cn, 'second.test');
  assert.ok(!open.destroyed && open.writable, 'the connection opened before the renewal is still up');
  open.destroy();
});
