/**
 * udp-stream: drives real JPEG frames through a publisher to any number of readers and checks
 * what arrives — every delivered picture must equal (SHA-1) the one sent under its seq and
 * decode as a JPEG.
 */
import sharp from 'sharp';
import type { Frame } from '../src/frame/frame.js';
import type { Publisher } from '../src/hub/stream.js';
import { TestSource } from '../src/sources/testsrc/testsrc.js';
import { sleep } from '../src/util/sleep.js';
import { nowUs } from '../src/util/clock.js';
import { sha1 } from './udp-frames.js';

/** jpegFrames renders `n` distinct test-pattern JPEGs (the payloads are reused round-robin). */
export async function jpegFrames(n: number, width = 1280, height = 720, quality = 80): Promise<Frame[]> {
  const src = new TestSource({ width, height, fps: 30, quality });
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) out.push(await src.render(i, 'udp-test'));
  return out;
}

/** Delivery is what one reader got of the measured frames. */
export interface Delivery {
  intact: number;
  corrupt: number;
  undecodable: number;
  ended: boolean;
}

/**
 * streamThrough publishes warm-up frames until every reader has one (sockets bound, hub
 * handshakes done), then `frames` measured frames at `fps`, then ends the stream; it resolves
 * when every reader ended or `graceMs` after the last frame.
 */
export async function streamThrough(pub: Publisher, readers: AsyncIterable<Frame>[], o: { frames: number; fps?: number; pictures: Frame[]; graceMs?: number; end?: boolean }): Promise<Delivery[]> {
  const sent = new Map<number, string>();
  const measuredFrom = new Map<number, true>();
  const results: Delivery[] = readers.map(() => ({ intact: 0, corrupt: 0, undecodable: 0, ended: false }));
  const seen = readers.map(() => false);
  const checks: Promise<void>[] = [];
  const loops = readers.map(async (r, i) => {
    for await (const f of r) {
      seen[i] = true;
      if (!measuredFrom.has(f.seq)) continue;
      if (sent.get(f.seq) !== sha1(f.payload)) results[i].corrupt++;
      else results[i].intact++;
      checks.push(sharp(f.payload).raw().toBuffer().then(() => {}, () => void results[i].undecodable++));
    }
    results[i].ended = true;
  });
  const interval = 1000 / (o.fps ?? 30);
  let seq = 0;
  const send = (measured: boolean) => {
    const p = o.pictures[seq % o.pictures.length];
    sent.set(seq, sha1(p.payload));
    if (measured) measuredFrom.set(seq, true);
    pub.publish({ ...p, seq, captureUs: nowUs() });
    seq++;
  };
  const deadline = Date.now() + 10_000;
  while (!seen.every(Boolean) && Date.now() < deadline) {
    send(false);
    await sleep(interval);
  }
  for (let k = 0; k < o.frames; k++) {
    send(true);
    await sleep(interval);
  }
  if (o.end ?? true) pub.end();
  await Promise.race([Promise.all(loops), sleep(o.graceMs ?? 2000)]);
  await Promise.all(checks);
  return results;
}
