import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub } from '../../src/api/hub-server.js';
import { camwire } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

/** SECRET: what must never appear in a capture, in any of the encodings below. */
const SECRET = 'wire-secret-7Qk2/Zp@x9:Lm4';

/** encodings lists the forms a leaked secret could take on the wire. */
function encodings(s: string): Buffer[] {
  const b = Buffer.from(s);
  return [b, Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64url')), Buffer.from(b.toString('hex')), Buffer.from(b.toString('hex').toUpperCase()), Buffer.from(encodeURIComponent(s)), Buffer.from(JSON.stringify(s))];
}

/** capture runs tcpdump on loopback for `ports` until stop() and returns the raw pcap bytes. */
async function capture(ports: number[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-pcap-')), 'lo.pcap');
  const filter = ports.map((p) => `port ${p}`).join(' or ');
  const child = spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-s', '0', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
  });
  return {
    async stop(): Promise<Buffer> {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
      return readFileSync(file);
    },
  };
}

test('with auth on, a sender and a viewer over TCP and UDP never put the secret on the wire (loopback capture)', async (t) => {
  if (!requireTool(t, 'tcpdump')) return;
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'camwire-tok-')), 'token');
  writeFileSync(tokenFile, SECRET + '\n', { mode: 0o600 });
  const server = await startHub({ host: '127.0.0.1', tcpPort: 0, httpPort: null, udpPort: 0, token: SECRET });
  t.after(() => server.close());
  const tcp = server.tcp!.port;
  const udp = server.udp!.port;
  const cap = await capture([tcp, udp]);
  const env = { CAMWIRE_TOKEN: SECRET };
  for (const url of [`tcp://127.0.0.1:${tcp}/wire-tcp`, `udp://127.0.0.1:${udp}/wire-udp`]) {
    const sender = camwire(['send', 'testsrc', url, '--size', '160x120', '--fps', '10'], env);
    const viewer = camwire(['view', url, '--frames', '5', '--json', '--token-file', tokenFile]);
    try {
      assert.equal(await viewer.exited, 0, `viewer on ${url}: ${viewer.stderr()}`);
    } finally {
      await sender.stop();
      await viewer.stop();
    }
  }
  await new Promise((r) => setTimeout(r, 500)); // the last packets reach the capture file
  const pcap = await cap.stop();
  for (const name of ['wire-tcp', 'wire-udp']) assert.ok(pcap.includes(Buffer.from(name)), `the capture saw the ${name} handshake (${pcap.length} bytes captured)`);
  for (const e of encodings(SECRET)) assert.equal(pcap.indexOf(e), -1, `the secret appears on the wire as ${e.toString().slice(0, 40)}`);
});
