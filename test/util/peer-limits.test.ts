import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { addressKey, PeerLimits, PreAuthBudget, type PeerLimitsOptions } from '../../src/util/peer-limits.js';
import { isCamwireError } from '../../src/util/errors.js';

const BASE: PeerLimitsOptions = {
  maxConnections: 10,
  reservedConnections: 2,
  maxConnectionsPerAddress: 4,
  handshakesPerSecond: 2,
  handshakeBurst: 5,
  preAuthPeerBytes: 100,
};

/** limits builds a PeerLimits on a clock the test moves by hand. */
function limits(o: Partial<PeerLimitsOptions> = {}, budgetBytes = 1000) {
  const clock = { t: 0 };
  const l = new PeerLimits({ ...BASE, ...o }, new PreAuthBudget(budgetBytes), () => clock.t);
  return { l, clock };
}

describe('PeerLimits', () => {
  it('caps connections per address, and a closed slot frees its place', () => {
    const { l } = limits();
    const slots = [1, 2, 3, 4].map(() => l.admit('10.0.0.1').slot!);
    assert.ok(slots.every(Boolean));
    const r = l.admit('10.0.0.1');
    assert.ok(isCamwireError(r.error, 'CAMWIRE_ERR_TOO_MANY_CONNECTIONS'));
    assert.match(r.error!.message, /maxConnectionsPerAddress/);
    assert.ok(l.admit('10.0.0.2').slot, 'another address is not affected');
    slots[0]!.close();
    slots[0]!.close(); // idempotent: frees one place, not two
    assert.ok(l.admit('10.0.0.1').slot);
    assert.ok(l.admit('10.0.0.1').error);
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(addressKey('::ffff:192.168.1.5'), '192.168.1.5');
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    const { l } = limits();
    for (let i = 1; i <= 4; i++) assert.ok(l.admit(`2001:db8::${i}`).slot);
    assert.ok(l.admit('2001:db8::99').error, 'a fifth address of the same /64 is refused');
  });

  it('limits the handshake rate per address with a token bucket (burst, then the rate)', () => {
    const { l, clock } = limits({ maxConnectionsPerAddress: 100, maxConnections: 100 });
    for (let i = 0; i < 5; i++) l.admit('10.0.0.1').slot!.close();
    const r = l.admit('10.0.0.1');
    assert.ok(isCamwireError(r.error, 'CAMWIRE_ERR_RATE_LIMITED'), 'the sixth handshake in one instant is refused');
    clock.t += 499;
    assert.ok(l.admit('10.0.0.1').error, 'under one token after 499 ms at 2/s');
    clock.t += 1;
    assert.ok(l.admit('10.0.0.1').slot, 'one token after 500 ms at 2/s');
    assert.ok(l.admit('10.0.0.2').slot, 'another address has its own bucket');
  });

  it('keeps reservedConnections for authenticated peers: strangers are refused first', () => {
    const { l } = limits({ maxConnectionsPerAddress: 100 });
    const strangers = Array.from({ length: 8 }, (_, i) => l.admit(`10.0.1.${i}`).slot!);
    assert.ok(strangers.every(Boolean));
    const r = l.admit('10.0.2.1');
    assert.ok(isCamwireError(r.error, 'CAMWIRE_ERR_TOO_MANY_CONNECTIONS'));
    assert.match(r.error!.message, /reservedConnections/);
    // One stranger authenticates: it leaves the unauthenticated share, a new peer may try.
    strangers[0]!.authenticate();
    const good = l.admit('10.0.2.1').slot!;
    assert.ok(good);
    good.authenticate();
    // 8 unauthenticated would be allowed, but only 10 slots exist: 2 authenticated + 7 + 1.
    assert.ok(l.admit('10.0.2.2').slot);
    assert.ok(isCamwireError(l.admit('10.0.2.3').error, 'CAMWIRE_ERR_TOO_MANY_CONNECTIONS'));
    assert.match(l.admit('10.0.2.3').error!.message, /maxConnections/);
    assert.deepEqual({ ...l.stats(), refused: 0 }, { connections: 10, unauthenticated: 8, addresses: 10, refused: 0, preAuthBytes: 0 });
  });

  it('charges pre-auth input per peer and hub-wide, refuses past either, and gives it back', () => {
    const { l } = limits({ maxConnectionsPerAddress: 100 }, 250);
    const [a, b, c] = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((x) => l.admit(x).slot!);
    assert.equal(a!.charge(100), undefined);
    const over = a!.charge(1);
    assert.ok(isCamwireError(over, 'CAMWIRE_ERR_MESSAGE_TOO_LARGE'));
    assert.match(over!.message, /preAuthPeerBytes/);
    assert.equal(b!.charge(100), undefined);
    const full = c!.charge(60);
    assert.ok(isCamwireError(full, 'CAMWIRE_ERR_OVERLOADED'));
    assert.match(full!.message, /preAuthBudgetBytes/);
    assert.equal(l.budget.bytes, 200, 'a refused charge takes nothing');
    a!.release(40);
    assert.equal(c!.charge(50), undefined);
    b!.authenticate();
    assert.equal(l.budget.bytes, 110, 'authenticating gives back what the peer held');
    assert.equal(b!.charge(10_000), undefined, 'an authenticated peer is no longer charged');
    a!.close();
    c!.close();
    assert.equal(l.budget.bytes, 0, 'closing gives back the rest');
  });

  it('shares one budget between listeners', () => {
    const budget = new PreAuthBudget(150);
    const tcp = new PeerLimits(BASE, budget);
    const http = new PeerLimits(BASE, budget);
    assert.equal(tcp.admit('10.0.0.1').slot!.charge(100), undefined);
    assert.ok(isCamwireError(http.admit('10.0.0.2').slot!.charge(100), 'CAMWIRE_ERR_OVERLOADED'));
  });

  it('forgets idle addresses, so the address map stays bounded', () => {
    const { l, clock } = limits({ maxConnections: 10, maxConnectionsPerAddress: 1 });
    for (let i = 0; i < 1000; i++) {
      clock.t += 10_000;
      l.admit(`10.1.${i >> 8}.${i & 255}`).slot?.close();
    }
    assert.ok(l.stats().addresses <= 20, `${l.stats().addresses} addresses remembered`);
  });

  it('refuses (as config) a reserve that leaves no slot for anyone still handshaking', () => {
    assert.throws(() => loadConfig({ env: {}, flags: { maxConnections: 10, reservedConnections: 10 } }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /reservedConnections/.test((e as Error).message));
  });

  it('admits with the shipped defaults', () => {
    const l = new PeerLimits(DEFAULTS, new PreAuthBudget(DEFAULTS.preAuthBudgetBytes));
    assert.ok(l.admit('127.0.0.1').slot);
  });
});
