/**
 * mosquitto: a real MQTT broker for tests and benchmarks — Debian's mosquitto started on a free
 * 127.0.0.1 port with its own config in a temp directory, stopped by close().
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './net.js';

/** MOSQUITTO: where Debian installs the broker (it is not on a user's PATH). */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Broker is a running mosquitto. */
export interface Broker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** startMosquitto runs a broker that accepts anonymous clients on 127.0.0.1 only. */
export async function startMosquitto(bin = MOSQUITTO): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  const child = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port, 5000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
