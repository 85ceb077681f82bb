import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offersAt, parseAvfoundationDevices, parseDshowDevices, parseDshowOptions, parseV4l2Formats, v4l2Nodes } from '../../../src/sources/ffmpeg/devices.js';

const HD = { width: 1280, height: 720 };

test('reads v4l2 formats, discrete and stepwise', () => {
  const modes = parseV4l2Formats([
    '[video4linux2,v4l2 @ 0x55d1c7d0a4c0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240 1280x720',
    '[video4linux2,v4l2 @ 0x55d1c7d0a4c0] Compressed:       mjpeg :          Motion-JPEG : 1280x720 640x480',
    '[video4linux2,v4l2 @ 0x55d1c7d0a4c0] Raw       :        nv12 :         Y/CbCr 4:2:0 : {32-4096, 2}x{32-4096, 2}',
    '/dev/video0: Immediate exit requested',
  ]);
  assert.deepEqual(modes.map((m) => [m.format, m.compressed, m.sizes.length]), [['yuyv422', false, 3], ['mjpeg', true, 2], ['nv12', false, 1]]);
  assert.equal(offersAt(modes[1], HD), true);
  assert.equal(offersAt(modes[1], { width: 1920, height: 1080 }), false);
  assert.equal(offersAt(modes[2], { width: 1920, height: 1080 }), true);
  assert.equal(offersAt(modes[1], undefined), true);
});

test('reads AVFoundation and DirectShow device lists (old and new layouts) and DirectShow modes', () => {
  assert.deepEqual(parseAvfoundationDevices([
    '[AVFoundation indev @ 0x7f8] AVFoundation video devices:', '[AVFoundation indev @ 0x7f8] [0] FaceTime HD Camera',
    '[AVFoundation indev @ 0x7f8] [1] Capture screen 0', '[AVFoundation indev @ 0x7f8] AVFoundation audio devices:', '[AVFoundation indev @ 0x7f8] [0] Built-in Microphone',
  ]), [{ index: '0', name: 'FaceTime HD Camera' }, { index: '1', name: 'Capture screen 0' }]);
  assert.deepEqual(parseDshowDevices(['[dshow @ 000001] "Integrated Camera" (video)', '[dshow @ 000001]   Alternative name "@device_pnp_\\\\?\\usb"', '[dshow @ 000001] "Microphone (Realtek)" (audio)']), ['Integrated Camera']);
  assert.deepEqual(parseDshowDevices(['[dshow @ 0x1] DirectShow video devices (some may be both video and audio devices)', '[dshow @ 0x1]  "USB Cam"', '[dshow @ 0x1] DirectShow audio devices', '[dshow @ 0x1]  "Mic"']), ['USB Cam']);
  const modes = parseDshowOptions(['[dshow @ 0x1]   vcodec=mjpeg  min s=1280x720 fps=5 max s=1280x720 fps=30', '[dshow @ 0x1]   pixel_format=yuyv422  min s=640x480 fps=5 max s=640x480 fps=30']);
  assert.deepEqual(modes, [{ format: 'mjpeg', compressed: true, sizes: ['1280x720'] }, { format: 'yuyv422', compressed: false, sizes: ['640x480'] }]);
});

test('v4l2Nodes lists only videoN entries, in numeric order, and nothing for a missing folder', () => {
  const dev = mkdtempSync(join(tmpdir(), 'camwire-dev-'));
  try {
    for (const n of ['video10', 'video2', 'video0', 'videox', 'media0', 'video1.bak']) writeFileSync(join(dev, n), '');
    mkdirSync(join(dev, 'v4l'));
    assert.deepEqual(v4l2Nodes(dev), [`${dev}/video0`, `${dev}/video2`, `${dev}/video10`]);
    assert.deepEqual(v4l2Nodes(join(dev, 'missing')), []);
  } finally {
    rmSync(dev, { recursive: true, force: true });
  }
});
