/**
 * auth: who may publish, view, record, play back, read the API and metrics — one Authenticator
 * that every transport asks (docs/security.md). Imports only config and util.
 *
 * Hub side: `authenticatorFromConfig(cfg)` (or `createAuthenticator`), then
 *   - HTTP / WebSocket: `checkSecret(fromHttp(req.headers.authorization, query.get('token')), req)`;
 *   - TCP / UDP: the client sends its user (and optionally its nonce) in HELLO; the hub answers
 *     `challengeToWire(auth.challenge(user, clientNonce))`; the client answers
 *     `clientSession(secret, challengeFromWire(msg, user), clientNonce).proof`; the hub calls
 *     `verifyProof(ch, proof, req)` and, on `ok`, sends `decision.serverSignature` back (the
 *     client checks it with `session.verifyServer`) and keeps `decision.key` for UDP tags;
 *   - with `enabled` false, skip the handshake and call `authorize(undefined, req)`: it applies
 *     the no-auth policy (view anywhere, publish from loopback and allowPublish only).
 * Client side: `clientCredential(cfg, url)` gives the Presented to use.
 *
 * Plumbing (api/hub-server.ts `startHub`): the hub builds ONE Authenticator and ONE
 * `PreAuthBudget` (util/peer-limits, `preAuthBudgetBytes`) and hands both to every listener:
 *   - TCP: `new TcpServer(hub, { …cfg, auth, preAuthBudget })`;
 *   - HTTP/WS: `startHttpListener(hub, { …cfg, auth, preAuthBudget })` → `HttpServerOptions.auth`,
 *     `.preAuthBudget` (the listener passes them on to the WebSocket side);
 *   - UDP: `new UdpServer(hub, { …, auth, limits: new PeerLimits({ …cfg, reservedConnections: 0 }, preAuthBudget) })`.
 * Each listener keeps its own `PeerLimits` (maxConnections and the per-address caps are per
 * listener), all charging the one budget, so strangers hold ≤ preAuthBudgetBytes hub-wide.
 * `HubServer.auth` and `.preAuthBudget` expose both. A library caller constructing a listener
 * without `auth` gets no checks beyond the old `token` option: pass `authenticatorFromConfig(cfg)`.
 * Compare secrets only with `safeEqual`.
 */
export type { Action, Rule } from './actions.js';
export { ACTIONS, isAction, parseRule } from './actions.js';
export type { AuthRequest, Decision } from './types.js';
export type { Presented } from './presented.js';
export { fromHttp, fromTokenString, fromUserinfo } from './presented.js';
export type { Authenticator, AuthOptions, Challenge } from './authenticator.js';
export { createAuthenticator, CHALLENGE_TTL_MS } from './authenticator.js';
export type { ChallengeForClient, ChallengeWire, ClientSession } from './client.js';
export { clientProof, clientSession, challengeFromWire, challengeToWire, newNonce } from './client.js';
export { safeEqual } from './safe-equal.js';
export { loadCredentials, parseCredentials, formatSecret, USER_NAME_PATTERN, type Credentials, type Credential } from './credentials.js';
export { hashSecret, generateSecret } from './hash.js';
export { DEFAULT_KDF, type KdfParams, type StoredKeys } from './scram.js';
export { isLoopback, AddressList } from './address-policy.js';
export { authenticatorFromConfig, clientCredential, resolveToken, urlCredential, type AuthConfig } from './from-config.js';
