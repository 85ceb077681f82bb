import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { freePort } from '../../helpers/net.js';
import { hasTool } from '../../helpers/tools.js';

setLogLevel('error');

const dir = mkdtempSync(join(tmpdir(), 'camwire-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');

before(() => {
  // openssl is part of every Debian base system; a self-signed certificate for localhost.
  if (!hasTool('openssl') && process.env.CI !== 'true') return;
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1'], { stdio: 'ignore' });
  assert.equal(r.status, 0, 'openssl made a certificate');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function status(get: typeof httpsGet, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('with --tls-cert and --tls-key the HTTP port speaks HTTPS and WSS, and plain HTTP is refused', async () => {
  const hub = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', tlsCert: cert, tlsKey: key });
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
    [{ tlsCert: cert }, /needs both --tls-cert FILE and --tls-key FILE/],
    [{ tlsKey: key }, /needs both/],
    [{ tlsCert: join(dir, 'nope.pem'), tlsKey: key }, /cannot read --tls-cert .*nope\.pem: ENOENT/],
  ];
  for (const [files, re] of cases) {
    assert.throws(() => loadTls(files), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message));
  }
  assert.equal(loadTls({}), undefined);
});

test('camwire serve --tls-cert/--tls-key prints an https viewer address', async () => {
  const p = camwire(['serve', '--tcp', String(await freePort()), '--http', '0', '--host', '127.0.0.1', '--tls-cert', cert, '--tls-key', key]);
  try {
    await p.waitFor(/viewer: https:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    assert.equal(await p.stop(), 0);
  }
});
