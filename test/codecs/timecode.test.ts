import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { drawTimecode, readTimecode, type Picture } from '../../src/codecs/timecode.js';
import { Pattern } from '../../src/sources/testsrc/pattern.js';
import { requireTool } from '../helpers/tools.js';
import { Prng } from '../../support/prng.js';

const T0 = Date.UTC(2026, 10, 29, 5, 0, 0) * 1000 + 123_457;

/** picture draws test-pattern frame `n` with the strip for `us`. */
function picture(pattern: Pattern, n: number, us: number): Picture {
  const pic: Picture = { data: pattern.draw(n, ['TIMECODE', `#${n}`]), width: pattern.width, height: pattern.height, channels: 3 };
  drawTimecode(pic, us);
  return pic;
}

async function throughJpeg(pic: Picture, quality: number, width = pic.width): Promise<Picture> {
  const jpeg = await sharp(pic.data, { raw: { width: pic.width, height: pic.height, channels: 3 } }).resize({ width }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 1 };
}

test('the strip reads back exactly from the raw picture, in grey, RGB and RGBA', () => {
  const pattern = new Pattern(640, 480);
  for (let i = 0; i < 20; i++) {
    const us = T0 + i * 33_367;
    const pic = picture(pattern, i, us);
    assert.equal(readTimecode(pic, us + 5_000_000), us);
    const rgba = new Uint8ClampedArray(640 * 480 * 4);
    for (let p = 0; p < 640 * 480; p++) rgba.set([...pic.data.subarray(p * 3, p * 3 + 3), 255], p * 4);
    assert.equal(readTimecode({ data: rgba, width: 640, height: 480, channels: 4 }, us), us);
  }
});

test('the reader resolves the 48-bit value to the time nearest its own clock', () => {
  const pic = picture(new Pattern(320, 240), 0, T0);
  assert.equal(readTimecode(pic, T0 + 3600e6), T0);
  assert.equal(readTimecode(pic, T0 - 86400e6), T0);
});

test('the strip survives JPEG q30 with 4:2:0 chroma, at 1280x720 and 640x480', async () => {
  for (const [w, h] of [[1280, 720], [640, 480]]) {
    const pattern = new Pattern(w, h);
    for (let i = 0; i < 10; i++) {
      const us = T0 + i * 1_000_003;
      assert.equal(readTimecode(await throughJpeg(picture(pattern, i, us), 30), us), us, `${w}x${h} frame ${i}`);
    }
  }
});

test('the strip survives scaling 1280x720 down to 320 px wide (and JPEG q30 on top)', async () => {
  const pattern = new Pattern(1280, 720);
  for (let i = 0; i < 10; i++) {
    const us = T0 + i * 7_777_777;
    assert.equal(readTimecode(await throughJpeg(picture(pattern, i, us), 30, 320), us), us, `frame ${i}`);
  }
});

test('the strip survives real x264 at 500 kbit/s (720p30), decoded and scaled to 320x180 grey by ffmpeg', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const [w, h, n] = [1280, 720, 90];
  const pattern = new Pattern(w, h);
  const times = Array.from({ length: n }, (_, i) => T0 + i * 33_333);
  const raw = Buffer.concat(times.map((us, i) => picture(pattern, i, us).data as Buffer));
  const enc = spawnSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', '30', '-i', '-',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', '500k', '-maxrate', '500k', '-bufsize', '250k', '-g', '60', '-f', 'h264', '-'], { input: raw, maxBuffer: 64 << 20 });
  assert.equal(enc.status, 0, String(enc.stderr));
  // The bitrate really was squeezed: 90 frames at 500 kbit/s are about 190 KB.
  assert.ok(enc.stdout.length < 300_000, `x264 wrote ${enc.stdout.length} bytes`);
  const dec = spawnSync('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', '-', '-vf', 'scale=320:180', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { input: enc.stdout, maxBuffer: 64 << 20 });
  assert.equal(dec.status, 0, String(dec.stderr));
  const size = 320 * 180;
  assert.equal(dec.stdout.length, size * n);
  let read = 0;
  for (let i = 0; i < n; i++) {
    const got = readTimecode({ data: dec.stdout.subarray(i * size, (i + 1) * size), width: 320, height: 180, channels: 1 }, times[i]);
    if (got === undefined) continue;
    assert.equal(got, times[i], `frame ${i}: a wrong time`);
    read++;
  }
  assert.ok(read >= n - 1, `only ${read}/${n} frames readable`);
});

test('a damaged or absent strip is unreadable, never a wrong time', async () => {
  const pattern = new Pattern(640, 480);
  const r = new Prng(11);
  const rnd = () => r.next();
  const us = T0 + 42;
  // No strip at all, and flat pictures.
  assert.equal(readTimecode({ data: pattern.draw(0, ['X']), width: 640, height: 480, channels: 3 }, us), undefined);
  assert.equal(readTimecode({ data: new Uint8Array(640 * 480), width: 640, height: 480, channels: 1 }, us), undefined);
  assert.equal(readTimecode({ data: new Uint8Array(640 * 480).fill(255), width: 640, height: 480, channels: 1 }, us), undefined);
  // Too small or truncated buffers.
  assert.equal(readTimecode({ data: new Uint8Array(10), width: 640, height: 480, channels: 1 }, us), undefined);
  assert.equal(readTimecode({ data: new Uint8Array(16 * 16), width: 16, height: 16, channels: 1 }, us), undefined);
  // Noise.
  for (let k = 0; k < 50; k++) {
    const noise = new Uint8Array(320 * 180);
    for (let i = 0; i < noise.length; i++) noise[i] = rnd() * 256;
    assert.equal(readTimecode({ data: noise, width: 320, height: 180, channels: 1 }, us), undefined);
  }
  // Strip damaged: a bit's halves swapped (CRC catches it), a cell greyed out (margin catches
  // it), blocks of the strip overwritten with another frame's strip or random grey.
  const good = picture(pattern, 3, us);
  const stripTop = 480 - 60;
  let refused = 0;
  for (let k = 0; k < 400; k++) {
    const pic = { ...good, data: Buffer.from(good.data) };
    const other = picture(pattern, 4, us + 1 + Math.floor(rnd() * 1e9));
    const x = Math.floor(rnd() * 620);
    const y = stripTop + Math.floor(rnd() * 55);
    const bw = 5 + Math.floor(rnd() * 40);
    const bh = 3 + Math.floor(rnd() * 20);
    const grey = Math.floor(rnd() * 256);
    const mode = k % 3;
    for (let yy = y; yy < Math.min(480, y + bh); yy++) {
      for (let xx = x; xx < Math.min(640, x + bw); xx++) {
        for (let c = 0; c < 3; c++) {
          const o = (yy * 640 + xx) * 3 + c;
          pic.data[o] = mode === 0 ? other.data[o] : mode === 1 ? grey : 255 - good.data[o];
        }
      }
    }
    const got = readTimecode(pic, us);
    if (got === undefined) refused++;
    else assert.equal(got, us, `damage ${k} gave a wrong time`);
  }
  assert.ok(refused > 100, `only ${refused} of 400 damaged strips were refused`);
  // A bit flipped cleanly: swap the halves of the first data cell.
  const flipped = { ...good, data: Buffer.from(good.data) };
  const cw = 640 / 34;
  const hh = 60 / 4;
  for (let yy = Math.round(stripTop); yy < Math.round(stripTop + 2 * hh); yy++) {
    for (let xx = Math.round(cw); xx < Math.round(2 * cw); xx++) for (let c = 0; c < 3; c++) flipped.data[(yy * 640 + xx) * 3 + c] = 255 - good.data[(yy * 640 + xx) * 3 + c];
  }
  assert.equal(readTimecode(flipped, us), undefined);
});
