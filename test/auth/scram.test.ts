import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  challengeFromWire,
  challengeToWire,
  clientProof,
  clientSession,
  createAuthenticator,
  newNonce,
  parseCredentials,
  type AuthRequest,
} from '../../src/auth/index.js';
import { authMessage, hmac, sha256 } from '../../src/auth/scram.js';
import { isCamwireError } from '../../src/util/errors.js';
import { credentialsJson } from '../helpers/auth.js';

const REQ: AuthRequest = { action: 'publish', stream: 'door', address: '192.168.1.5', transport: 'tcp' };
const USERS = [
  { name: 'cam', secret: 'correct horse/battery@staple', allow: ['publish:door*', 'view:*'] },
  { name: 'alice', secret: 'alice-secret', allow: ['view:*'] },
];

async function hub() {
  return createAuthenticator({ credentials: parseCredentials(await credentialsJson(USERS)) });
}

/** handshake runs one challenge–response as a TCP hub and client would, through the wire form. */
async function handshake(auth: Awaited<ReturnType<typeof hub>>, user: string, secret: string, req = REQ) {
  const clientNonce = newNonce();
  const ch = auth.challenge(user, clientNonce);
  const wire = JSON.parse(JSON.stringify(challengeToWire(ch)));
  const session = clientSession(secret, challengeFromWire(wire, user), clientNonce);
  const d = await auth.verifyProof(ch, session.proof, req);
  return { d, session, ch };
}

test('a proof made from the right secret verifies, and both ends hold the same session key and server signature', async () => {
  const auth = await hub();
  const { d, session } = await handshake(auth, 'cam', USERS[0].secret);
  assert.equal(d.ok, true);
  assert.ok(d.ok && d.key && d.serverSignature);
  assert.equal(d.user, 'cam');
  assert.deepEqual(d.key, session.key);
  assert.equal(session.verifyServer(d.serverSignature), true);
  assert.equal(session.verifyServer(Buffer.alloc(32)), false);
});

test('a wrong secret, an unknown user and a forbidden action are refused with the right codes', async () => {
  const auth = await hub();
  const wrong = await handshake(auth, 'cam', 'correct horse/battery@stapl');
  assert.deepEqual(wrong.d, { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: `wrong user or secret; check the credential (set CAMWIRE_TOKEN, --token-file FILE, or user:secret@ in the URL)` });
  const unknown = await handshake(auth, 'mallory', 'anything');
  assert.deepEqual(unknown.d, wrong.d, 'an unknown user gets exactly the answer a wrong secret gets');
  const forbidden = await handshake(auth, 'alice', 'alice-secret');
  assert.equal(forbidden.d.ok, false);
  assert.ok(!forbidden.d.ok && forbidden.d.code === 'CAMWIRE_ERR_FORBIDDEN' && /alice.*publish "door"/.test(forbidden.d.message));
  const other = await handshake(auth, 'cam', USERS[0].secret, { ...REQ, stream: 'garden' });
  assert.ok(!other.d.ok && other.d.code === 'CAMWIRE_ERR_FORBIDDEN');
});

test('unknown users get a deterministic fake salt, shaped like a real one, so names cannot be enumerated', async () => {
  const auth = await hub();
  const a = challengeToWire(auth.challenge('mallory'));
  const b = challengeToWire(auth.challenge('mallory'));
  const c = challengeToWire(auth.challenge('trudy'));
  const real = challengeToWire(auth.challenge('cam'));
  assert.equal(a.salt, b.salt);
  assert.notEqual(a.salt, c.salt);
  assert.notEqual(a.nonce, b.nonce, 'nonces are fresh every time');
  assert.equal(Buffer.from(a.salt, 'base64').length, Buffer.from(real.salt, 'base64').length);
  assert.deepEqual(Object.keys(a), Object.keys(real));
});

test('a challenge answers once: replaying the same proof is refused', async () => {
  const auth = await hub();
  const { d, session, ch } = await handshake(auth, 'cam', USERS[0].secret);
  assert.equal(d.ok, true);
  const again = await auth.verifyProof(ch, session.proof, REQ);
  assert.ok(!again.ok && again.code === 'CAMWIRE_ERR_UNAUTHORIZED');
  // The same proof against a fresh challenge (new server nonce) fails too.
  const ch2 = auth.challenge('cam', ch.clientNonce);
  assert.equal((await auth.verifyProof(ch2, session.proof, REQ)).ok, false);
});

test('the client nonce may come with the proof instead of the HELLO', async () => {
  const auth = await hub();
  const ch = auth.challenge('cam');
  const nonce = newNonce();
  const proof = clientProof(USERS[0].secret, ch, nonce);
  assert.equal((await auth.verifyProof(ch, proof, REQ, nonce)).ok, true);
});

test('a stolen auth file does not log anyone in: StoredKey and ServerKey make no valid proof', async () => {
  const text = await credentialsJson(USERS);
  const stolen = parseCredentials(text).users.get('cam')!.keys;
  assert.ok(!text.includes(USERS[0].secret), 'the file does not hold the secret');
  const auth = await hub();
  const tries = [stolen.storedKey, stolen.serverKey, sha256(stolen.storedKey)];
  for (const key of tries) {
    const nonce = newNonce();
    const ch = auth.challenge('cam', nonce);
    const msg = authMessage({ user: 'cam', salt: ch.salt, kdf: ch.kdf, serverNonce: ch.serverNonce, clientNonce: nonce });
    const forged = Buffer.alloc(32);
    const sig = hmac(stolen.storedKey, msg);
    for (let i = 0; i < 32; i++) forged[i] = key[i] ^ sig[i];
    assert.equal((await auth.verifyProof(ch, forged, REQ)).ok, false);
  }
});

test('a proof of the wrong length or type is refused without throwing', async () => {
  const auth = await hub();
  for (const proof of [Buffer.alloc(0), Buffer.alloc(31), Buffer.alloc(33), Buffer.alloc(4096)]) {
    const ch = auth.challenge('cam', newNonce());
    assert.equal((await auth.verifyProof(ch, proof, REQ)).ok, false);
  }
  const ch = auth.challenge('cam');
  assert.equal((await auth.verifyProof(ch, Buffer.alloc(32), REQ)).ok, false, 'no client nonce anywhere');
});

test('a hostile challenge (huge scrypt cost, bad fields) is refused before the client runs scrypt', () => {
  const ok = { salt: Buffer.alloc(16, 1).toString('base64'), n: 1024, r: 8, p: 1, nonce: Buffer.alloc(18, 2).toString('base64') };
  const cases: [string, unknown][] = [
    ['N = 2^30', { ...ok, n: 2 ** 30 }],
    ['N not a power of two', { ...ok, n: 1000 }],
    ['r = 1e6', { ...ok, r: 1e6 }],
    ['p = 0', { ...ok, p: 0 }],
    ['N as a string', { ...ok, n: '1024; rm' }],
    ['no salt', { ...ok, salt: undefined }],
    ['salt not base64', { ...ok, salt: '!!!!' }],
    ['huge nonce', { ...ok, nonce: 'A'.repeat(100_000) }],
    ['null', null],
    ['array', []],
  ];
  for (const [name, wire] of cases) {
    assert.throws(() => challengeFromWire(wire, 'cam'), (e) => isCamwireError(e, 'CAMWIRE_ERR_MALFORMED_MESSAGE'), name);
  }
  assert.doesNotThrow(() => challengeFromWire(ok, 'cam'));
});
