import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { CountdownReassembler, countdownSlices, COUNTDOWN_HELLO, COUNTDOWN_ACK } from '../../../src/transports/seed/countdown.js';
import { entropyFits } from '../../../src/transports/seed/jpeg-entropy.js';
import { isWholeJpeg } from '../../../src/transports/seed/jpeg-whole.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { Prng } from '../../../support/prng.js';

const r = new Prng(3);
const noisy = (w: number, h: number, q = 90, chroma = '4:2:0') => sharp(r.bytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: q, chromaSubsampling: chroma }).toBuffer();
const pics = Promise.all([noisy(64, 48), noisy(80, 40, 60, '4:4:4'), noisy(33, 17, 95)]);

function feed(ra: CountdownReassembler, ds: Buffer[]): Buffer[] {
  return ds.map((d) => ra.push(d)?.jpeg).filter((j): j is Buffer => j !== undefined);
}

test('slices a JPEG into datagrams whose k counts down to 1 and reassembles it', async () => {
  const [a] = await pics;
  const ds = countdownSlices(a, 1400);
  assert.deepEqual(ds.map((d) => d[0]), Array.from({ length: ds.length }, (_, k) => ds.length - k));
  assert.ok(ds.every((d) => d.length <= 1401));
  assert.deepEqual(feed(new CountdownReassembler(1 << 20), ds), [a]);
});

test('refuses a JPEG that would need more than 255 slices, saying what to change', async () => {
  const [a] = await pics;
  assert.throws(() => countdownSlices(a, Math.floor(a.length / 256)), (e: unknown) => isCamwireError(e, 'CAMWIRE_ERR_FRAME_TOO_LARGE') && /more than 255.*--quality/.test(e.message));
});

test('ignores Hello and ack, and answers nothing', async () => {
  const [a] = await pics;
  const ra = new CountdownReassembler(1 << 20);
  assert.deepEqual(feed(ra, [COUNTDOWN_HELLO, ...countdownSlices(a, 500), COUNTDOWN_ACK, COUNTDOWN_HELLO, ...countdownSlices(a, 500)]), [a, a]);
  assert.deepEqual(ra.stats, { frames: 2, dropped: 0, ignored: 3 });
});

/** Named damage: each turns frames [a, b, c] into a datagram sequence; only whole pictures come out. */
const DAMAGE: { name: string; make: (ds: Buffer[][]) => Buffer[]; out: number[]; dropped: number }[] = [
  { name: 'the first slice of the first frame lost (the old receiver crashed)', make: ([a, b]) => [...a.slice(1), ...b], out: [1], dropped: 1 },
  { name: 'a middle slice lost', make: ([a, b]) => [a[0], ...a.slice(2), ...b], out: [1], dropped: 1 },
  { name: 'a slice repeated', make: ([a, b]) => [a[0], a[1], a[1], ...a.slice(2), ...b], out: [1], dropped: 1 },
  { name: 'two slices swapped', make: ([a, b]) => [a[1], a[0], ...a.slice(2), ...b], out: [1], dropped: 1 },
  { name: "the last slice lost, then the next frame (never merged)", make: ([a, b, c]) => [...a.slice(0, -1), ...b, ...c], out: [1, 2], dropped: 1 },
  {
    name: "one frame's head glued to another's tail with matching k (only the entropy check sees it)",
    make: ([a, b, c]) => [...a.slice(0, a.length - 2), ...b.slice(b.length - 2), ...c],
    out: [2],
    dropped: 1,
  },
];

for (const d of DAMAGE) {
  test(`delivers only whole pictures when ${d.name}`, async () => {
    const p = await pics;
    const ds = p.map((j) => countdownSlices(j, 300));
    assert.ok(ds.every((x) => x.length >= 3));
    const ra = new CountdownReassembler(1 << 20);
    assert.deepEqual(feed(ra, d.make(ds)), d.out.map((k) => p[k]));
    assert.equal(ra.stats.dropped, d.dropped);
  });
}

test('recognises whole JPEGs from sharp and refuses glued, cut and padded ones', async () => {
  const [a, b, c] = await pics;
  for (const j of [a, b, c]) {
    assert.equal(isWholeJpeg(j), true);
    assert.equal(entropyFits(j), true);
  }
  const glued = Buffer.concat([a.subarray(0, a.length - 100), b.subarray(b.length - 100)]);
  assert.equal(isWholeJpeg(glued) && entropyFits(glued) !== false, false);
  assert.equal(entropyFits(Buffer.concat([a.subarray(0, a.length - 2), Buffer.from([0x12, 0xff, 0xd9])])), false);
  assert.equal(isWholeJpeg(a.subarray(0, a.length - 1)), false);
  assert.equal(isWholeJpeg(Buffer.concat([a, a])), false);
});

test('drops a frame larger than maxFrameBytes without holding it', async () => {
  const [a] = await pics;
  const ra = new CountdownReassembler(a.length - 1);
  assert.deepEqual(feed(ra, countdownSlices(a, 200)), []);
  assert.ok(ra.pending <= a.length);
  assert.ok(ra.stats.dropped >= 1);
});
