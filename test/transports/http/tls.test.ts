import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startHub } from '../../../src/api/hub-server.js';
import { loadTls } from '../../../src/transports/http/tls.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { camwire } from '../../helpers/cli.js';
import { freePort } from '../../../support/net.js';
import { selfSignedCert } from '../../helpers/tls.js';

setLogLevel('error');

function status(get: typeof httpsGet, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('with --tls-cert and --tls-key the HTTP port speaks HTTPS and WSS, and plain HTTP is refused', async (t) => {
  const tls = selfSignedCert(t);
  if (!tls) return;
  t.after(() => tls.remove());
  const hub = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', tlsCert: tls.cert, tlsKey: tls.key });
  try {
    const port = hub.http!.port;
    assert.equal(hub.http!.scheme, 'https');
    assert.equal(await status(httpsGet, `https://127.0.0.1:${port}/healthz`), 200);
    await assert.rejects(status(httpGet as typeof httpsGet, `http://127.0.0.1:${port}/healthz`));
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.close();
  } finally {
    await hub.close();
  }
});

test('a certificate without its key, or an unreadable file, is one clear config error', () => {
  const cases: [object, RegExp][] = [
    [{ tlsCert: 'cert.pem' }, /needs both --tls-cert FILE and --tls-key FILE/],
    [{ tlsKey: 'key.pem' }, /needs both/],
    [{ tlsCert: join(tmpdir(), 'camwire-no-such-dir', 'nope.pem'), tlsKey: 'key.pem' }, /cannot read --tls-cert .*nope\.pem: ENOENT/],
  ];
  for (const [files, re] of cases) {
    assert.throws(() => loadTls(files), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message));
  }
  assert.equal(loadTls({}), undefined);
});

test('camwire serve --tls-cert/--tls-key prints an https viewer address', async (t) => {
  const tls = selfSignedCert(t);
  if (!tls) return;
  t.after(() => tls.remove());
  const p = camwire(['serve', '--tcp', String(await freePort()), '--http', '0', '--host', '127.0.0.1', '--tls-cert', tls.cert, '--tls-key', tls.key]);
  try {
    await p.waitFor(/viewer: https:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    assert.equal(await p.stop(), 0);
  }
});
