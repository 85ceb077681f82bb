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
 */
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/** HttpAttack names one attack. */
export type HttpAttack = 'slowloris' | 'subscribe-flood' | 'dns-rebinding' | 'credentials-leak';

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
  /** statuses: for dns-rebinding, how often each HTTP status came back. */
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
