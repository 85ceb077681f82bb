import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, loadCredentials } from '../../src/auth/index.js';
import { CAMWIRE_BIN, camwire } from '../helpers/cli.js';
import { startHub } from '../../src/api/hub-server.js';
import { requireTool } from '../helpers/tools.js';

/** run runs the real binary with `input` on stdin (not a terminal). */
function run(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CAMWIRE_BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, CAMWIRE_LOG: 'info' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('auth add hashes a secret from stdin into the file; the hub verifies it; the file never holds it', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-authcli-')), 'auth.json');
  const secret = 'a long pass/phrase@with:colons';
  const r = run(['auth', 'add', 'door-cam', '--allow', 'publish:door*,view:*', '--file', file], secret + '\n');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /added "door-cam" \(publish:door\*,view:\*\)/);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(secret) && !text.includes(Buffer.from(secret).toString('base64')));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const auth = await createAuthenticator({ credentials: loadCredentials(file) });
  const req = { action: 'publish' as const, stream: 'door2', address: '10.0.0.1', transport: 'http' as const };
  assert.deepEqual(await auth.checkSecret({ user: 'door-cam', secret }, req), { ok: true, user: 'door-cam' });
  assert.equal((await auth.checkSecret({ user: 'door-cam', secret: 'guess' }, req)).ok, false);
  assert.equal(run(['auth', 'list', '--file', file]).out, 'door-cam  publish:door*,view:*\n');
});

test('auth add --generate prints NAME:SECRET once, on stdout only; remove deletes the user', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-authcli-')), 'auth.json');
  const r = run(['auth', 'add', 'alice', '--allow', 'view:*', '--generate', '--file', file]);
  assert.equal(r.code, 0, r.err);
  const m = /^alice:([A-Za-z0-9_-]{43})\n$/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(!r.err.includes(m[1]), 'the secret is not in the log output');
  const auth = await createAuthenticator({ credentials: loadCredentials(file) });
  assert.equal((await auth.checkSecret({ user: 'alice', secret: m[1] }, { action: 'view', stream: 'x', address: '10.0.0.1', transport: 'http' })).ok, true);
  assert.equal(run(['auth', 'remove', 'alice', '--file', file]).code, 0);
  assert.equal(loadCredentials(file).users.size, 0);
});

test('auth add refuses bad rules and names, and a file the hub would refuse, with one clear line', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-authcli-')), 'auth.json');
  const cases: [string[], RegExp][] = [
    [['auth', 'add', 'cam', '--allow', 'pubish:door', '--file', file], /--allow rule 1: unknown action "pubish"/],
    [['auth', 'add', 'cam', '--file', file], /--allow is required/],
    [['auth', 'add', 'a:b', '--allow', 'view', '--file', file], /give a user NAME/],
    [['auth', 'frob', 'x', '--file', file], /unknown auth command "frob"/],
    [['auth', 'remove', 'nobody', '--file', file], /no user "nobody"/],
  ];
  for (const [args, re] of cases) {
    const r = run(args, 'secret-secret-secret\n');
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
  assert.match(run(['auth', '--help']).out, /camwire auth add NAME --allow RULES/);
});

test('cert makes a certificate for this host\'s names and addresses, a private key only the owner reads, and prints the fingerprint', (t) => {
  if (!requireTool(t, 'openssl')) return;
  const dir = mkdtempSync(join(tmpdir(), 'camwire-cert-'));
  const r = run(['cert', '--out', dir, '--name', 'hub.lan', '--name', '192.168.50.2']);
  assert.equal(r.code, 0, r.err);
  const x = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
  const sans = x.subjectAltName ?? '';
  for (const want of [`DNS:${hostname()}`, 'DNS:localhost', 'DNS:hub.lan', 'IP Address:127.0.0.1', 'IP Address:192.168.50.2']) assert.ok(sans.includes(want), `${want} in ${sans}`);
  assert.equal(x.ca, false);
  assert.ok(x.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'key.pem')))));
  assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
  assert.ok(r.out.includes(x.fingerprint256));
  const again = run(['cert', '--out', dir]);
  assert.equal(again.code, 2);
  assert.match(again.err, /exists; pass --force/);
  const missing = run(['cert', '--out', mkdtempSync(join(tmpdir(), 'camwire-cert-')), '--openssl', '/nonexistent/openssl']);
  assert.match(missing.err, /cannot run \/nonexistent\/openssl \(ENOENT\): install OpenSSL/);
  assert.match(run(['cert', '--help']).out, /--tls-cert DIR\/cert\.pem/);
});

test('send and view take the credential from the URL, CAMWIRE_TOKEN or --token-file, and a wrong one gets one clear line', async (t) => {
  const secret = 'url-secret/with@odd:chars';
  const server = await startHub({ host: '127.0.0.1', tcpPort: 0, httpPort: null, token: secret });
  t.after(() => server.close());
  const base = `127.0.0.1:${server.tcp!.port}/cred`;
  const sender = camwire(['send', 'testsrc', `tcp://${base}`, '--size', '160x120', '--fps', '10'], { CAMWIRE_TOKEN: secret });
  t.after(() => sender.stop());
  const viewer = camwire(['view', `tcp://${encodeURIComponent(secret)}@${base}`, '--frames', '3', '--json']);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  assert.ok(!viewer.stderr().includes('url-secret'), 'the URL is redacted in the log');
  const wrong = camwire(['view', `tcp://${base}`, '--frames', '3', '--json', '--no-reconnect'], { CAMWIRE_TOKEN: 'wrong' });
  assert.notEqual(await wrong.exited, 0);
  assert.match(wrong.stderr(), /camwire: .*(token|credentials)/);
});

test('serve refuses --auth and --auth-http-url together with --udp (UDP does not apply them yet) in one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-authcli-'));
  for (const flag of [['--auth', join(dir, 'auth.json')], ['--auth-http-url', 'http://127.0.0.1:9/x']]) {
    const r = run(['serve', '--tcp', '0', '--http', '0', '--udp', '0', '--host', '127.0.0.1', ...flag]);
    assert.notEqual(r.code, 0, flag.join(' '));
    assert.match(r.err, /not yet by the UDP listener: leave out --udp/, flag.join(' '));
    assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('camwire:')).length, 1);
  }
});

test('serve --auth FILE: a user publishes and views over TCP and reads the HTTP API with NAME:SECRET; a stranger and a wrong stream are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-authcli-'));
  const file = join(dir, 'auth.json');
  const secret = 'door secret/with@odd:chars';
  assert.equal(run(['auth', 'add', 'door-cam', '--allow', 'publish:door,view:door,api', '--file', file], secret + '\n').code, 0);
  const hub = camwire(['serve', '--tcp', '0', '--http', '0', '--host', '127.0.0.1', '--auth', file]);
  t.after(() => hub.stop());
  const tcp = Number((await hub.waitFor(/tcp:\/\/127\.0\.0\.1:(\d+)/))[1]);
  const http = Number((await hub.waitFor(/viewer: http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  const cred = `${encodeURIComponent('door-cam')}:${encodeURIComponent(secret)}@127.0.0.1:${tcp}`;
  const sender = camwire(['send', 'testsrc', `tcp://${cred}/door`, '--size', '160x120', '--fps', '10']);
  t.after(() => sender.stop());
  const viewer = camwire(['view', `tcp://${cred}/door`, '--frames', '3', '--json']);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  const summary = JSON.parse(viewer.stdout().trim().split('\n').at(-1)!);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.frames, 3, 'three frames of "door" reached the user');
  const stranger = camwire(['view', `tcp://127.0.0.1:${tcp}/door`, '--frames', '1', '--json', '--no-reconnect']);
  assert.notEqual(await stranger.exited, 0, 'no credential, no picture');
  const otherStream = camwire(['send', 'testsrc', `tcp://${cred}/gate`, '--size', '160x120', '--fps', '10', '--no-reconnect']);
  assert.notEqual(await otherStream.exited, 0, 'door-cam may not publish "gate"');
  assert.match(otherStream.stderr(), /camwire: .*(FORBIDDEN|may not|not allowed)/i);
  const basic = 'Basic ' + Buffer.from(`door-cam:${secret}`).toString('base64');
  const ok = await fetch(`http://127.0.0.1:${http}/api/streams`, { headers: { authorization: basic } });
  assert.equal(ok.status, 200);
  assert.ok(JSON.stringify(await ok.json()).includes('door'));
  assert.equal((await fetch(`http://127.0.0.1:${http}/api/streams`)).status, 401);
});

test('serve takes --allow-publish (TCP applies it) and names a bad CIDR in one line', () => {
  const r = run(['serve', '--tcp', '0', '--http', '0', '--host', '127.0.0.1', '--allow-publish', '10.0.0.0/33']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /allowPublish: "10\.0\.0\.0\/33" is not an address or CIDR/);
  assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('camwire:')).length, 1);
});
