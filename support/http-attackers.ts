/**
 * http-attackers: the hostile peers of issue 12's HTTP/WebSocket rows, each a bounded loop (in
 * count and time) on real sockets to 127.0.0.1. `http-attacks.ts` runs them in a child process
 * at a lower CPU priority: on a shared test machine the attacker stands in for another host, so
 * its own work should not take the CPU the hub and the good viewer need.
 *
 *   slowloris        CONNECTIONS half-open requests from ADDRESSES loopback addresses (127.0.0.2…),
 *                    one more header line every 2 s, reconnecting whenever the hub drops one
 *   subscribe-flood  SOCKETS WebSockets sending subscribe/unsubscribe as fast as they are read
 *   dns-rebinding    requests whose Host and Origin are both attacker.example, as a rebinding page sends
 *   credentials-leak polls /api/streams, /metrics and the WebSocket stream list for the secrets
 *   header-flood     HEADER_SOCKETS keep-alive connections from 20 hosts sending requests with headers
 *                    just under the hub's 8 KiB limit, every tenth over it (431, reconnect)
 *   auth-brute-force BRUTE_ADDRESSES hosts guessing the token and user secrets on /api/streams
 *                    (Bearer) and /ws (?token=) as fast as they are answered
 */
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/** HttpAttack names one attack. */
export type HttpAttack = 'slowloris' | 'subscribe-flood' | 'dns-rebinding' | 'credentials-leak' | 'header-flood' | 'auth-brute-force';

/** AttackOptions: where to attack, until when, and what the secrets are (credentials-leak). */
export interface AttackOptions {
  port: number;
  untilMs: number;
  stream: string;
  secrets?: string[];
}

/** AttackReport: how much of the attack the hub let through. */
export interface AttackReport {
  /** attempts: connections, messages or requests tried. */
  attempts: number;
  /** successes: what the attack wanted (a 2xx/101 for a foreign Host, a secret in an answer); must stay 0. */
  successes: number;
  /** held: for slowloris, the most half-open connections open at once. */
  held: number;
  /** closedByHub: for subscribe-flood, sockets the hub closed for breaking its policy (1008). */
  closedByHub?: number;
  /** statuses: for dns-rebinding, header-flood and auth-brute-force, how often each HTTP status came back. */
  statuses?: Record<string, number>;
}

/** SLOWLORIS_CONNECTIONS: the 1 100 — more than the listener's 1 024 slots. */
export const SLOWLORIS_CONNECTIONS = 1100;
/** SLOWLORIS_ADDRESSES: spread over 20 hosts, 55 each, under any sane per-address cap. */
export const SLOWLORIS_ADDRESSES = 20;
/** FLOOD_SOCKETS: the 20 sockets. */
export const FLOOD_SOCKETS = 20;
/** ATTACKER_ADDRESS: where the single-host attacks come from; the good viewer is 127.0.0.1, another host. */
export const ATTACKER_ADDRESS = '127.0.0.2';
/** HEADER_SOCKETS: connections of the header flood, spread over SLOWLORIS_ADDRESSES hosts. */
export const HEADER_SOCKETS = 40;
/** HEADER_LINE: one 100-byte header line; HEADER_LINES of them stay just under the hub's 8 KiB limit. */
const HEADER_LINE = `X-Flood: ${'f'.repeat(89)}\r\n`;
const HEADER_LINES = 78;
/** BRUTE_ADDRESSES: hosts the guesses come from (the hub limits wrong secrets per address). */
export const BRUTE_ADDRESSES = 20;
/** BRUTE_WORKERS: guesses in flight per host. */
const BRUTE_WORKERS = 4;
/** REBINDING_HOST: the name a DNS-rebinding page's requests carry. */
export const REBINDING_HOST = 'attacker.example';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** runAttack runs one attack until `untilMs` (Date.now() time) and reports. */
export async function runAttack(kind: HttpAttack, o: AttackOptions): Promise<AttackReport> {
  switch (kind) {
    case 'slowloris':
      return slowloris(o);
    case 'subscribe-flood':
      return subscribeFlood(o);
    case 'dns-rebinding':
      return rebinding(o);
    case 'credentials-leak':
      return credentialsLeak(o);
    case 'header-flood':
      return headerFlood(o);
    case 'auth-brute-force':
      return bruteForce(o);
  }
}

async function slowloris(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0 };
  let open = 0;
  const one = async (localAddress: string) => {
    while (Date.now() < o.untilMs) {
      r.attempts++;
      const s: Socket = connect({ port: o.port, host: '127.0.0.1', localAddress });
      s.on('error', () => {});
      const connected = await new Promise<boolean>((res) => {
        s.once('connect', () => res(true));
        s.once('close', () => res(false));
      });
      if (connected) {
        open++;
        r.held = Math.max(r.held, open);
        s.write(`GET /streams/${o.stream}.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
        const drip = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 2000);
        await new Promise<void>((res) => {
          s.once('close', () => res());
          const stop = setTimeout(() => s.destroy(), Math.max(0, o.untilMs - Date.now()));
          s.once('close', () => clearTimeout(stop));
        });
        clearInterval(drip);
        open--;
      }
      s.destroy();
      await sleep(200);
    }
  };
  const per = Math.ceil(SLOWLORIS_CONNECTIONS / SLOWLORIS_ADDRESSES);
  const all: Promise<void>[] = [];
  for (let a = 0; a < SLOWLORIS_ADDRESSES; a++) for (let i = 0; i < per; i++) all.push(one(`127.0.0.${a + 2}`));
  await Promise.all(all);
  return r;
}

async function subscribeFlood(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0, closedByHub: 0 };
  const on = JSON.stringify({ type: 'subscribe', streams: [o.stream] });
  const off = JSON.stringify({ type: 'subscribe', streams: [] });
  const one = async () => {
    while (Date.now() < o.untilMs) {
      const ws = new WebSocket(`ws://127.0.0.1:${o.port}/ws`, { localAddress: ATTACKER_ADDRESS });
      ws.on('error', () => {});
      ws.on('message', () => {}); // read everything, as a real flooding page would
      ws.on('close', (code) => code === 1008 && r.closedByHub!++);
      const opened = await new Promise<boolean>((res) => {
        ws.once('open', () => res(true));
        ws.once('close', () => res(false));
      });
      if (opened) r.held++;
      while (opened && ws.readyState === WebSocket.OPEN && Date.now() < o.untilMs) {
        // As fast as the hub takes them: stop only while our own send buffer is backed up.
        for (let i = 0; i < 50 && ws.bufferedAmount < 64 * 1024; i++) {
          ws.send(i % 2 === 0 ? on : off);
          r.attempts++;
        }
        await new Promise((res) => setImmediate(res));
        if (ws.bufferedAmount >= 64 * 1024) await sleep(5);
      }
      ws.terminate();
      await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: FLOOD_SOCKETS }, one));
  return r;
}

/** rawExchange writes `text` and collects the answer until the hub closes or `ms` pass. */
async function rawExchange(port: number, text: string, ms = 1500): Promise<string> {
  const s = connect({ port, host: '127.0.0.1', localAddress: ATTACKER_ADDRESS });
  s.on('error', () => {});
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString('latin1')));
  s.write(text);
  await new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    s.once('close', () => (clearTimeout(t), res()));
  });
  s.destroy();
  return got;
}

async function rebinding(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0, statuses: {} };
  const host = `${REBINDING_HOST}:${o.port}`;
  const head = `Host: ${host}\r\nOrigin: http://${host}\r\n`;
  const requests = [
    `GET /api/streams HTTP/1.1\r\n${head}Connection: close\r\n\r\n`,
    `GET /streams/${o.stream}.jpg HTTP/1.1\r\n${head}Connection: close\r\n\r\n`,
    `GET /streams/${o.stream}.mjpeg HTTP/1.1\r\n${head}Connection: close\r\n\r\n`,
    `GET /metrics HTTP/1.1\r\n${head}Connection: close\r\n\r\n`,
    `GET /ws HTTP/1.1\r\n${head}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  ];
  // Paced under the per-address handshake rate, so what answers is the Host check, not the rate limit.
  while (Date.now() < o.untilMs) {
    for (const q of requests) {
      r.attempts++;
      const answer = await rawExchange(o.port, q, 500);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 'none';
      r.statuses![status] = (r.statuses![status] ?? 0) + 1;
      if (/^(2\d\d|101)$/.test(status)) r.successes++;
      await sleep(150);
    }
  }
  return r;
}

async function credentialsLeak(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0 };
  const secrets = o.secrets ?? [];
  const leaks = (text: string) => secrets.some((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
  while (Date.now() < o.untilMs) {
    for (const path of ['/api/streams', '/metrics']) {
      r.attempts++;
      if (leaks(await rawExchange(o.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`))) r.successes++;
    }
    r.attempts++;
    const list = await new Promise<string>((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${o.port}/ws`, { localAddress: ATTACKER_ADDRESS });
      let text = '';
      const done = () => (ws.terminate(), res(text));
      ws.on('message', (d, bin) => {
        if (!bin) text += d.toString();
        if (text.includes('"streams"')) done();
      });
      ws.on('error', done);
      setTimeout(done, 1000);
    });
    if (leaks(list)) r.successes++;
    await sleep(400); // under the per-address handshake rate
  }
  return r;
}

/** countStatus records the status of one raw answer ('none' when nothing came back). */
function countStatus(r: AttackReport, answer: string): string {
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 'none';
  r.statuses![status] = (r.statuses![status] ?? 0) + 1;
  return status;
}

async function headerFlood(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0, statuses: {} };
  const fits = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${HEADER_LINE.repeat(HEADER_LINES)}\r\n`;
  const over = `GET /api/streams HTTP/1.1\r\nHost: 127.0.0.1\r\n${HEADER_LINE.repeat(HEADER_LINES * 2)}\r\n`;
  const one = async (localAddress: string) => {
    while (Date.now() < o.untilMs) {
      const s: Socket = connect({ port: o.port, host: '127.0.0.1', localAddress });
      s.on('error', () => {});
      let tail = '';
      let answered: ((status: string) => void) | undefined;
      s.on('data', (d: Buffer) => {
        // Count each status line (one per request); keep a short tail in case one is split.
        const text = tail + d.toString('latin1');
        const re = /HTTP\/1\.1 (\d{3}) /g;
        let end = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          r.statuses![m[1]] = (r.statuses![m[1]] ?? 0) + 1;
          end = re.lastIndex;
          answered?.(m[1]);
        }
        tail = text.slice(end).slice(-16);
      });
      const closed = new Promise<void>((res) => s.once('close', () => res()));
      const connected = await Promise.race([new Promise<boolean>((res) => s.once('connect', () => res(true))), closed.then(() => false)]);
      if (connected) {
        r.held++;
        for (let i = 0; Date.now() < o.untilMs && !s.destroyed; i++) {
          const big = i % 10 === 9;
          r.attempts++;
          const next = new Promise<string>((res) => (answered = res));
          s.write(big ? over : fits);
          const status = await Promise.race([next, closed.then(() => 'closed'), sleep(2000).then(() => 'none')]);
          if (big && status.startsWith('2')) r.successes++; // an oversized request served: the limit did not hold
          if (big || status !== '200') break; // the hub closes a connection after 431
        }
      }
      s.destroy();
      await closed;
    }
  };
  const all: Promise<void>[] = [];
  for (let i = 0; i < HEADER_SOCKETS; i++) all.push(one(`127.0.0.${(i % SLOWLORIS_ADDRESSES) + 2}`));
  await Promise.all(all);
  return r;
}

async function bruteForce(o: AttackOptions): Promise<AttackReport> {
  const r: AttackReport = { attempts: 0, successes: 0, held: 0, statuses: {} };
  let n = 0;
  const one = async (localAddress: string) => {
    while (Date.now() < o.untilMs) {
      const guess = n++ % 3 === 0 ? `admin:guess-${n}` : `guess-${n}-${Math.random().toString(36).slice(2)}`;
      r.attempts++;
      const viaWs = n % 5 === 0;
      const text = viaWs
        ? `GET /ws?token=${encodeURIComponent(guess)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
        : `GET /api/streams HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${guess}\r\nConnection: close\r\n\r\n`;
      const s = connect({ port: o.port, host: '127.0.0.1', localAddress });
      s.on('error', () => {});
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.write(text);
      await new Promise<void>((res) => {
        const t = setTimeout(res, 3000);
        s.once('close', () => (clearTimeout(t), res()));
        s.on('data', () => got.includes('\r\n\r\n') && s.destroy());
      });
      s.destroy();
      if (/^(2\d\d|101)$/.test(countStatus(r, got))) r.successes++;
    }
  };
  const all: Promise<void>[] = [];
  for (let a = 0; a < BRUTE_ADDRESSES; a++) for (let w = 0; w < BRUTE_WORKERS; w++) all.push(one(`127.0.0.${a + 2}`));
  await Promise.all(all);
  return r;
}

// As a child process (`node http-attackers.js ATTACK OPTIONS_JSON`, started by http-attacks.ts):
// run the attack, print the report as JSON on the line after "ready".
// The attack lasts durationMs from the moment it says "ready" (a busy machine may start it late).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const o = JSON.parse(process.argv[3]) as Omit<AttackOptions, 'untilMs'> & { durationMs: number };
  process.stdout.write('ready\n');
  void runAttack(process.argv[2] as HttpAttack, { ...o, untilMs: Date.now() + o.durationMs }).then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  });
}
