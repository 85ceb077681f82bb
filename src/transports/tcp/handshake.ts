/**
 * handshake: both sides of the TCP handshake (messages.ts has the exchange). The hub asks its
 * Authenticator (src/auth) whether this peer may publish or view this stream, running the
 * challenge–response when the peer names a credential; the client answers the challenge with a
 * proof and checks the hub's signature. The secret itself never leaves the client, and every
 * comparison of keys happens in src/auth with safeEqual.
 */
import type { Authenticator, Challenge, ClientSession } from '../../auth/index.js';
import { challengeFromWire, challengeToWire, clientSession, newNonce, USER_NAME_PATTERN, type Presented } from '../../auth/index.js';
import type { AuthRequest } from '../../auth/index.js';
import { createError, type CamwireError } from '../../util/errors.js';
import { encodeChallenge, encodeHello, encodeProof, HEADER_BYTES, HELLO_PAD_BYTES, type Hello, type Message, type Role, type Welcome } from './messages.js';
import type { ChallengeWire } from '../../auth/index.js';
import { AGENT } from './agent.js';

/** Accepted is a handshake the hub accepted: what the peer asked for, as whom, and the signature to send back. */
export interface Accepted {
  hello: Hello;
  /** stream: the stream name the permission was checked for (a viewer's '' resolved already). */
  stream: string;
  /** user: the verified user ('' for the --token credential and anonymous peers). */
  user: string;
  /** authenticated: the peer proved a credential (false: anonymous, the policy allowed it). */
  authenticated: boolean;
  /** signature: base64 ServerSignature for WELCOME, after a proof. */
  signature?: string;
}

/** HubHandshakeOptions: the hub's Authenticator and what it needs to know about the peer and its streams. */
export interface HubHandshakeOptions {
  auth: Authenticator;
  /** address: the peer's address as its socket reports it (the no-auth policy and rate limits use it). */
  address: string;
  /** streamFor names the stream a HELLO asks for (a viewer's '' is the only live one); may throw. */
  streamFor: (hello: Hello) => string;
  /** publishers: false refuses every publisher before any authentication (a `?listen` camera). */
  publishers: boolean;
  /** send writes one encoded message to the peer. */
  send: (b: Buffer) => void;
  /** accept is called once when the handshake is accepted (synchronously for an allowed anonymous HELLO, so a pipelined FRAME is read). */
  accept: (a: Accepted) => void;
  /** refuse is called once with the error to fail the peer with. */
  refuse: (e: CamwireError) => void;
}

/**
 * HubHandshake runs the hub's side for one connection: feed it every message until it calls
 * `accept` or `refuse` (exactly one of them, once). While it waits for the Authenticator the
 * peer may only send KEEPALIVE.
 */
export class HubHandshake {
  private phase: 'hello' | 'proof' | 'deciding' | 'done' = 'hello';
  private pending?: { hello: Hello; stream: string; req: AuthRequest; ch: Challenge };

  constructor(private readonly opts: HubHandshakeOptions) {}

  /** onMessage takes the next message of the handshake. */
  onMessage(m: Message): void {
    if (this.phase === 'done' || m.type === 'keepalive') return;
    try {
      if (m.type === 'hello' && this.phase === 'hello') return this.onHello(m.hello, m.bytes);
      if (m.type === 'proof' && this.phase === 'proof') return this.onProof(m.proof.proof);
      const expected = this.phase === 'proof' ? 'PROOF' : this.phase === 'hello' ? 'HELLO first' : 'nothing until the hub answers';
      throw createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `expected ${expected}, got ${m.type.toUpperCase()}`);
    } catch (e) {
      this.fail(e as CamwireError);
    }
  }

  private onHello(hello: Hello, bytes: number): void {
    const action = hello.role === 'publish' ? 'publish' : 'view';
    if (action === 'publish' && !this.opts.publishers) {
      throw createError('CAMWIRE_ERR_FORBIDDEN', 'this sender only serves its own stream; it does not accept publishers');
    }
    const stream = this.opts.streamFor(hello);
    const req: AuthRequest = { action, stream, address: this.opts.address, transport: 'tcp' };
    const { auth } = this.opts;
    if (hello.user === undefined) {
      // The common case (the no-auth policy allows it) is answered at once; the callback or a refusal takes the async path.
      if (auth.can(undefined, action, stream, req.address)) return this.finish({ hello, stream, user: '', authenticated: false });
      return this.decide(auth.authorize(undefined, req), hello, stream, false);
    }
    if (!auth.enabled) {
      throw createError('CAMWIRE_ERR_UNAUTHORIZED', 'this hub has no credentials configured (no --auth or --token), so it cannot check yours; connect without one (unset CAMWIRE_TOKEN, drop --token-file and user:secret@)');
    }
    const nonce = hello.nonce === undefined ? undefined : Buffer.from(hello.nonce, 'base64');
    if (!USER_NAME_PATTERN.test(hello.user) || !nonce || nonce.length < 8 || nonce.length > 64) {
      throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'HELLO with a user needs a user name (up to 64 letters, digits or _ . @ + -) and a base64 nonce of 8–64 bytes');
    }
    const ch = auth.challenge(hello.user, nonce);
    const out = encodeChallenge(challengeToWire(ch));
    // A challenge larger than the HELLO that asked for it would let a forged HELLO amplify traffic.
    if (out.length - HEADER_BYTES > bytes) {
      throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `a HELLO with a user must be padded to at least ${out.length - HEADER_BYTES} bytes (this build pads to ${HELLO_PAD_BYTES})`);
    }
    this.pending = { hello, stream, req, ch };
    this.phase = 'proof';
    this.opts.send(out);
  }

  private onProof(proof: string): void {
    const p = this.pending!;
    const bytes = proof.length <= 128 ? Buffer.from(proof, 'base64') : Buffer.alloc(0);
    this.decide(this.opts.auth.verifyProof(p.ch, bytes, p.req), p.hello, p.stream, true);
  }

  private decide(decision: ReturnType<Authenticator['authorize']>, hello: Hello, stream: string, proved: boolean): void {
    this.phase = 'deciding';
    decision.then(
      (d) => {
        if (this.phase === 'done') return;
        if (!d.ok) return this.fail(createError(d.code, d.message));
        const signature = d.serverSignature?.toString('base64');
        this.finish({ hello, stream, user: d.user, authenticated: proved, ...(signature ? { signature } : {}) });
      },
      (e: unknown) => this.fail(createError('CAMWIRE_ERR_UNAUTHORIZED', `the hub could not check the credential: ${String(e)}`)),
    );
  }

  private finish(a: Accepted): void {
    this.phase = 'done';
    this.opts.accept(a);
  }

  private fail(e: CamwireError): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.opts.refuse(e);
  }
}

/**
 * ClientHandshake is the client's side for one connection: `hello()` to send first, `answer()`
 * for a CHALLENGE, `check()` for the WELCOME. With no credential it asks anonymously.
 */
export class ClientHandshake {
  private readonly nonce = newNonce();
  private session: ClientSession | undefined;

  constructor(
    private readonly cred: Presented | undefined,
    /** where: the URL, for error messages. */
    private readonly where: string,
  ) {}

  /** hello encodes the HELLO: with a credential it names the user and carries the nonce, padded to HELLO_PAD_BYTES. */
  hello(role: Role, stream: string): Buffer {
    const h: Hello = { role, stream, agent: AGENT };
    if (!this.cred) return encodeHello(h);
    const named = { ...h, user: this.cred.user, nonce: this.nonce.toString('base64'), pad: '' };
    const short = HELLO_PAD_BYTES - Buffer.byteLength(JSON.stringify(named));
    return encodeHello({ ...named, pad: '.'.repeat(Math.max(0, short)) });
  }

  /** answer computes the PROOF for a CHALLENGE; throws a CamwireError for an unasked or hostile challenge. */
  answer(c: ChallengeWire): Buffer {
    if (!this.cred || this.session) throw createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `${this.where}: the hub sent a CHALLENGE nobody asked for`);
    this.session = clientSession(this.cred.secret, challengeFromWire(c, this.cred.user), this.nonce);
    return encodeProof({ proof: this.session.proof.toString('base64') });
  }

  /** check returns why a WELCOME must be refused: with a credential, the hub has to prove it holds its keys. */
  check(w: Welcome): CamwireError | undefined {
    if (!this.cred) return undefined;
    const sig = w.signature === undefined || w.signature.length > 128 ? undefined : Buffer.from(w.signature, 'base64');
    if (this.session && sig && this.session.verifyServer(sig)) return undefined;
    return createError('CAMWIRE_ERR_UNAUTHORIZED', `${this.where}: the hub did not prove it knows your credential; it is not the hub you meant, or it runs without --auth/--token (then connect without a credential)`);
  }
}
