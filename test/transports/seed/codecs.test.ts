import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeLenJpeg } from '../../../src/transports/seed/len-jpeg.js';
import { encodePickleJpeg, parsePickleJpeg } from '../../../src/transports/seed/pickle-jpeg.js';
import { encodePickleBgr, parsePickleBgr } from '../../../src/transports/seed/pickle-bgr.js';
import { SeedDecoder } from '../../../src/transports/seed/formats.js';
import { LengthPrefixDecoder } from '../../../src/transports/seed/length-prefix.js';
import { isCamwireError, LimitError, ProtocolError } from '../../../src/util/errors.js';
import { requirePython, runPython } from './python.js';

const dir = mkdtempSync(join(tmpdir(), 'camwire-seed-'));
const fx = (name: string) => readFileSync(join(dir, name));
let ready = false;

before(() => {
  try {
    runPython('numpy_tool.py', ['fixtures', dir]);
    ready = true;
  } catch {
    // requirePython in each test reports the missing interpreter (fails under CI).
  }
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const join2 = (parts: Buffer[]) => Buffer.concat(parts);
const body = (parts: Buffer[]) => Buffer.concat(parts.slice(1));

function refused(fn: () => unknown, code: string, text?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isCamwireError(e), `not a CamwireError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (text) assert.match(e.message, text);
    return true;
  });
}

test('parses what numpy 1.x pickles for pickle-jpeg: shape (N,), (N, 1) and protocol 4', (t) => {
  if (!requirePython(t) || !ready) return;
  for (const name of ['jpeg-p0.pkl', 'jpeg-p0-n1.pkl', 'jpeg-p4.pkl']) {
    const p = parsePickleJpeg(fx(name));
    assert.deepEqual(p.jpeg, fx('img.jpg'), name);
    assert.deepEqual([p.width, p.height], [64, 48], name);
  }
});

/** NUMPY2: vectors recorded from real numpy 2.4.6 (peers/numpy2_tool.py vectors; see peers/numpy2/README.md). */
const NUMPY2 = fileURLToPath(new URL('../../../../test/transports/seed/peers/numpy2/', import.meta.url));
const np2 = (name: string) => readFileSync(join(NUMPY2, name));
/** np2Pixels is the picture numpy2_tool.py pickles: BGR value (7x + 13y + 50c) mod 256. */
function np2Pixels(w: number, h: number): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) b[(y * w + x) * 3 + c] = (7 * x + 13 * y + 50 * c) % 256;
  return b;
}

test('parses what real numpy 2.x pickled (numpy._core.multiarray): pickle-jpeg protocol 0 (N,) and (N, 1) and 4, pickle-bgr protocol 4 and 3, data inside and outside FRAME', () => {
  for (const name of ['jpeg-p0.pkl', 'jpeg-p0-n1.pkl', 'jpeg-p4.pkl']) {
    assert.ok(np2(name).includes('numpy._core.multiarray'), `${name} is a numpy 2 pickle`);
    const p = parsePickleJpeg(np2(name));
    assert.deepEqual(p.jpeg, np2('img.jpg'), name);
    assert.deepEqual([p.width, p.height], [64, 48], name);
  }
  for (const [name, w, h] of [['bgr-p4.pkl', 64, 48], ['bgr-p3.pkl', 64, 48], ['big-p4.pkl', 200, 120]] as const) {
    const p = parsePickleBgr(np2(name));
    assert.deepEqual([p.width, p.height], [w, h], name);
    assert.deepEqual(p.pixels, np2Pixels(w, h), name);
  }
  // The whole wire message too (u64 LE length + pickle), in one piece.
  const big = np2('big-p4.pkl');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(big.length));
  const out = new SeedDecoder('pickle-bgr', 1 << 20).push(Buffer.concat([prefix, big]));
  assert.equal(out.length, 1);
});

/** numpy2Python finds an interpreter with numpy 2.x: $CAMWIRE_PYTHON_NUMPY2, else python3 on PATH. */
function numpy2Python(): string | undefined {
  for (const py of [process.env.CAMWIRE_PYTHON_NUMPY2, 'python3'].filter((x): x is string => !!x)) {
    const r = spawnSync(py, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
    if (r.status === 0 && Number(r.stdout.split('.')[0]) >= 2) return py;
  }
  return undefined;
}

test('real numpy 2.x loads what camwire writes (live; Debian ships numpy 1.x, so this runs where a numpy 2 python is found)', (t) => {
  const py = numpy2Python();
  if (!py) return t.skip('no python3 with numpy 2.x (set CAMWIRE_PYTHON_NUMPY2); the recorded numpy 2 vectors above still run');
  const out = mkdtempSync(join(tmpdir(), 'camwire-np2-'));
  try {
    const files = [join(out, 'jpeg.pkl'), join(out, 'bgr.pkl'), join(out, 'big.pkl')];
    writeFileSync(files[0], body(encodePickleJpeg(np2('img.jpg'))));
    writeFileSync(files[1], body(encodePickleBgr({ width: 64, height: 48, pixels: np2Pixels(64, 48) })));
    writeFileSync(files[2], body(encodePickleBgr({ width: 200, height: 120, pixels: np2Pixels(200, 120) })));
    const r = spawnSync(py, [fileURLToPath(new URL('../../../../test/transports/seed/peers/numpy2_tool.py', import.meta.url)), 'load', ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.ok(Number(String(got[0].numpy).split('.')[0]) >= 2);
    const want = (shape: number[], bytes: Buffer) => ({ numpy: got[0].numpy, type: 'ndarray', dtype: 'uint8', shape, c_contiguous: true, sha256: sha(bytes) });
    assert.deepEqual(got, [want([np2('img.jpg').length], np2('img.jpg')), want([48, 64, 3], np2Pixels(64, 48)), want([120, 200, 3], np2Pixels(200, 120))]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('parses what numpy pickles for pickle-bgr: protocol 4 with data inside or outside FRAME, and protocol 3', (t) => {
  if (!requirePython(t) || !ready) return;
  for (const [name, raw, w, h] of [['bgr-p4.pkl', 'img.bgr', 64, 48], ['bgr-p3.pkl', 'img.bgr', 64, 48], ['big-p4.pkl', 'big.bgr', 320, 240]] as const) {
    const p = parsePickleBgr(fx(name));
    assert.deepEqual([p.width, p.height], [w, h], name);
    assert.deepEqual(p.pixels, fx(raw), name);
  }
});

test('writes byte for byte what numpy 1.x writes: pickle-jpeg protocol 0, and pickle-bgr protocol 4 of a 320x240 frame', (t) => {
  if (!requirePython(t) || !ready) return;
  assert.deepEqual(body(encodePickleJpeg(fx('img.jpg'))), fx('jpeg-p0.pkl'));
  assert.deepEqual(body(encodePickleBgr({ width: 320, height: 240, pixels: fx('big.bgr') })), fx('big-p4.pkl'));
});

test('real numpy loads what camwire writes, with the same bytes, C order, and OpenCV decodes the JPEG', (t) => {
  if (!requirePython(t) || !ready) return;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const bgr: [number, number, Buffer][] = [[64, 48, fx('img.bgr')], [320, 240, fx('big.bgr')], [300, 233, Buffer.alloc(300 * 233 * 3, 7)]];
  const files = [join(dir, 'out-jpeg.pkl'), ...bgr.map(([w]) => join(dir, `out-bgr-${w}.pkl`))];
  writeFileSync(files[0], body(encodePickleJpeg(fx('img.jpg'))));
  bgr.forEach(([width, height, pixels], k) => writeFileSync(files[k + 1], body(encodePickleBgr({ width, height, pixels }))));
  const [j, ...b] = runPython('numpy_tool.py', ['load', ...files]).trim().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(j, { type: 'ndarray', dtype: 'uint8', shape: [fx('img.jpg').length], c_contiguous: true, sha256: sha(fx('img.jpg')), decoded: [48, 64, 3] });
  bgr.forEach(([w, h, pixels], k) => assert.deepEqual(b[k], { type: 'ndarray', dtype: 'uint8', shape: [h, w, 3], c_contiguous: true, sha256: sha(pixels) }));
});

/** The malformed table: each named input must be refused with this code (and message). */
const MALFORMED: { name: string; parse: 'jpeg' | 'bgr'; bytes: () => Buffer; code: string; text: RegExp }[] = [
  { name: 'a protocol 0 pickle that calls os.system', parse: 'jpeg', bytes: () => fx('evil-p0.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /expected a numpy array.*got a call of posix\.system/ },
  { name: 'a protocol 4 pickle that calls os.system', parse: 'bgr', bytes: () => fx('evil-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /got a call of posix\.system/ },
  { name: 'a pickled list', parse: 'bgr', bytes: () => fx('list-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /opcode 0x5d \(']'\)/ },
  { name: 'a pickled dict holding the array', parse: 'jpeg', bytes: () => fx('dict-p0.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /opcode 0x64 \('d'\)/ },
  { name: 'a Fortran-ordered array', parse: 'bgr', bytes: () => fx('bgr-fortran-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /expected C order/ },
  { name: 'a float32 array', parse: 'bgr', bytes: () => fx('bgr-float-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /expected dtype "u1".*got "f4"/ },
  { name: 'a grey (H, W) picture as pickle-bgr', parse: 'bgr', bytes: () => fx('bgr-gray-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /shape \(H, W, 3\).*got shape \(48, 64\)/ },
  { name: 'a BGR picture as pickle-jpeg', parse: 'jpeg', bytes: () => fx('bgr-p4.pkl'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /1-D array of JPEG bytes.*\(48, 64, 3\)/ },
  { name: 'a shape that does not match the byte count', parse: 'bgr', bytes: () => withShape(fx('bgr-p4.pkl'), 49), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /shape \(49, 64, 3\) holds 9408 bytes but the array data has 9216/ },
  { name: 'a pickle-jpeg whose declared N disagrees with its text', parse: 'jpeg', bytes: () => Buffer.from(fx('jpeg-p0.pkl').toString('latin1').replace(/\(I(\d+)\ntp10/, (_, n) => `(I${Number(n) + 1}\ntp10`), 'latin1'), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /holds \d+ bytes but the array data has/ },
  { name: 'protocol 2', parse: 'bgr', bytes: () => Buffer.concat([Buffer.from([0x80, 0x02]), fx('bgr-p3.pkl').subarray(2)]), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /protocol 2/ },
  { name: 'bytes after STOP', parse: 'bgr', bytes: () => Buffer.concat([fx('bgr-p4.pkl'), Buffer.from('x')]), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /1 bytes after STOP/ },
  { name: 'an array that is not a JPEG', parse: 'jpeg', bytes: () => body(encodePickleJpeg(Buffer.from('not a jpeg at all'))), code: 'CAMWIRE_ERR_BAD_FRAME', text: /not a whole JPEG/ },
  { name: 'an empty message', parse: 'jpeg', bytes: () => Buffer.alloc(0), code: 'CAMWIRE_ERR_BAD_PICKLE', text: /empty pickle/ },
];

/** withShape rewrites the first dimension (a BININT1) of a small protocol 4 array pickle. */
function withShape(p: Buffer, h: number): Buffer {
  const q = Buffer.from(p);
  const at = q.indexOf(Buffer.from([0x28, 0x4b, 0x01, 0x4b]));
  q[at + 4] = h;
  return q;
}

for (const m of MALFORMED) {
  test(`refuses ${m.name} with ${m.code}, saying what was expected`, (t) => {
    if (!requirePython(t) || !ready) return;
    refused(() => (m.parse === 'jpeg' ? parsePickleJpeg : parsePickleBgr)(m.bytes()), m.code, m.text);
  });
}

test('never creates the file the os.system pickle names (nothing is ever unpickled)', (t) => {
  if (!requirePython(t) || !ready) return;
  for (const name of ['evil-p0.pkl', 'evil-p4.pkl']) assert.throws(() => parsePickleBgr(fx(name)), ProtocolError);
  assert.equal(existsSync('/tmp/camwire-pwned'), false);
});

test('refuses every truncation of each valid pickle with CAMWIRE_ERR_BAD_PICKLE, at every byte offset', (t) => {
  if (!requirePython(t) || !ready) return;
  for (const [name, parse] of [['jpeg-p0.pkl', parsePickleJpeg], ['jpeg-p4.pkl', parsePickleJpeg], ['bgr-p4.pkl', parsePickleBgr], ['bgr-p3.pkl', parsePickleBgr]] as const) {
    const p = fx(name);
    for (let k = 0; k < p.length; k++) refused(() => parse(p.subarray(0, k)), 'CAMWIRE_ERR_BAD_PICKLE');
  }
});

test('refuses a u64 length of 2^63 before buffering a byte of its body', () => {
  const d = new SeedDecoder('pickle-bgr', 16 << 20);
  const h = Buffer.alloc(8);
  h.writeBigUInt64LE(2n ** 63n);
  assert.throws(() => d.push(Buffer.concat([h, Buffer.alloc(100)])), (e: unknown) => e instanceof LimitError && e.code === 'CAMWIRE_ERR_FRAME_TOO_LARGE' && /9223372036854775808 bytes exceeds maxFrameBytes/.test(e.message));
  assert.equal(d.bufferedBytes, 0);
  assert.deepEqual(d.push(Buffer.alloc(10)), [], 'a failed decoder takes nothing more');
});

test('refuses a u64 length just above 2^53 and a u32 length above maxFrameBytes at the header', () => {
  const h = Buffer.alloc(8);
  h.writeBigUInt64LE(2n ** 53n + 1n);
  refused(() => new LengthPrefixDecoder('u64le', Number.MAX_SAFE_INTEGER, 'pickle-bgr').push(h), 'CAMWIRE_ERR_FRAME_TOO_LARGE', /9007199254740993/);
  const d = new SeedDecoder('len-jpeg', 1000);
  refused(() => d.push(Buffer.from([0, 0, 0x03, 0xe9])), 'CAMWIRE_ERR_FRAME_TOO_LARGE', /1001 bytes exceeds maxFrameBytes 1000/);
});

test('decodes a stream of messages identically when split at every byte offset, and reports a truncated end', (t) => {
  if (!requirePython(t) || !ready) return;
  const cases = [
    { wire: 'len-jpeg' as const, stream: join2([...encodeLenJpeg(fx('img.jpg')), ...encodeLenJpeg(fx('img.jpg'))]) },
    { wire: 'pickle-jpeg' as const, stream: join2([...encodePickleJpeg(fx('img.jpg')), ...encodePickleJpeg(fx('img.jpg'))]) },
    { wire: 'pickle-bgr' as const, stream: join2([...encodePickleBgr({ width: 64, height: 48, pixels: fx('img.bgr') }), ...encodePickleBgr({ width: 64, height: 48, pixels: fx('img.bgr') })]) },
  ];
  for (const c of cases) {
    for (let k = 0; k <= c.stream.length; k += c.wire === 'pickle-bgr' ? 7 : 1) {
      const d = new SeedDecoder(c.wire, 1 << 20);
      const out = [...d.push(c.stream.subarray(0, k)), ...d.push(c.stream.subarray(k))];
      d.end();
      assert.equal(out.length, 2, `${c.wire} split at ${k}`);
      for (const p of out) assert.ok(!(p instanceof Error) && (p.kind === 'jpeg' ? p.jpeg.equals(fx('img.jpg')) : p.pixels.equals(fx('img.bgr'))));
    }
    const d = new SeedDecoder(c.wire, 1 << 20);
    d.push(c.stream.subarray(0, c.stream.length - 1));
    refused(() => d.end(), 'CAMWIRE_ERR_TRUNCATED');
  }
});

test('hands back a len-jpeg message that is not a JPEG as a counted CAMWIRE_ERR_BAD_FRAME, and goes on', (t) => {
  if (!requirePython(t) || !ready) return;
  const d = new SeedDecoder('len-jpeg', 1 << 20);
  const out = d.push(join2([...encodeLenJpeg(Buffer.from('hello')), ...encodeLenJpeg(fx('img.jpg'))]));
  assert.equal(out.length, 2);
  assert.ok(isCamwireError(out[0], 'CAMWIRE_ERR_BAD_FRAME'));
  assert.ok(!(out[1] instanceof Error) && out[1].kind === 'jpeg');
});
