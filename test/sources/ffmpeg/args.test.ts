import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraDevice, cameraInputArgs, canCopy, fileInputArgs, mjpegQscale, outputArgs, urlInputArgs } from '../../../src/sources/ffmpeg/args.js';
import { offersAt, parseAvfoundationDevices, parseDshowDevices, parseDshowOptions, parseV4l2Formats } from '../../../src/sources/ffmpeg/devices.js';
import { parseInputInfo } from '../../../src/sources/ffmpeg/probe.js';
import { explainFfmpegFailure } from '../../../src/sources/ffmpeg/stderr.js';
import { parseSourceSpec, redactUrl } from '../../../src/sources/spec.js';
import { isCamwireError } from '../../../src/util/errors.js';

const HD = { width: 1280, height: 720 };

test('opens a Linux camera with v4l2, asking for format, size and rate', () => {
  assert.deepEqual(cameraInputArgs({ platform: 'linux', device: '/dev/video2', size: HD, fps: 30, inputFormat: 'mjpeg' }), [
    '-f', 'v4l2', '-fflags', 'nobuffer', '-thread_queue_size', '8', '-input_format', 'mjpeg', '-video_size', '1280x720', '-framerate', '30', '-i', '/dev/video2',
  ]);
  assert.deepEqual(cameraInputArgs({ platform: 'linux', device: '/dev/video0' }), ['-f', 'v4l2', '-fflags', 'nobuffer', '-thread_queue_size', '8', '-i', '/dev/video0']);
});

test('opens a macOS camera with AVFoundation, video only, 30 fps unless told', () => {
  assert.deepEqual(cameraInputArgs({ platform: 'darwin', device: '0', size: HD }), [
    '-f', 'avfoundation', '-fflags', 'nobuffer', '-thread_queue_size', '8', '-video_size', '1280x720', '-framerate', '30', '-i', '0:none',
  ]);
  assert.deepEqual(cameraInputArgs({ platform: 'darwin', device: 'FaceTime HD Camera', fps: 15, inputFormat: 'nv12' }).slice(6), ['-pixel_format', 'nv12', '-framerate', '15', '-i', 'FaceTime HD Camera:none']);
});

test('opens a Windows camera with DirectShow by name, compressed formats as -vcodec', () => {
  assert.deepEqual(cameraInputArgs({ platform: 'win32', device: 'Integrated Camera', size: HD, fps: 30, inputFormat: 'mjpeg' }), [
    '-f', 'dshow', '-fflags', 'nobuffer', '-thread_queue_size', '8', '-vcodec', 'mjpeg', '-video_size', '1280x720', '-framerate', '30', '-i', 'video=Integrated Camera',
  ]);
  assert.deepEqual(cameraInputArgs({ platform: 'win32', device: 'USB Cam', inputFormat: 'yuyv422' }).slice(6), ['-pixel_format', 'yuyv422', '-i', 'video=USB Cam']);
});

test('turns camera, camera:N and camera:DEVICE into each platform\'s device', () => {
  assert.equal(cameraDevice('linux', undefined), '/dev/video0');
  assert.equal(cameraDevice('linux', '3'), '/dev/video3');
  assert.equal(cameraDevice('linux', '/dev/v4l/by-id/usb-cam'), '/dev/v4l/by-id/usb-cam');
  assert.equal(cameraDevice('darwin', undefined), '0');
  assert.equal(cameraDevice('darwin', 'FaceTime HD Camera'), 'FaceTime HD Camera');
  assert.equal(cameraDevice('win32', '1', ['Integrated Camera', 'USB Cam']), 'USB Cam');
  assert.equal(cameraDevice('win32', undefined, ['Integrated Camera']), 'Integrated Camera');
});

test('paces files in real time and loops them on request', () => {
  assert.deepEqual(fileInputArgs('a.mp4', false), ['-re', '-i', 'a.mp4']);
  assert.deepEqual(fileInputArgs('a.mp4', true), ['-re', '-stream_loop', '-1', '-i', 'a.mp4']);
});

test('opens RTSP over TCP with the timeout option of the ffmpeg version, HTTP with rw_timeout', () => {
  assert.deepEqual(urlInputArgs('rtsp://cam/s', 5).slice(0, 4), ['-rtsp_transport', 'tcp', '-timeout', '5000000']);
  assert.deepEqual(urlInputArgs('rtsps://cam/s', 4).slice(0, 4), ['-rtsp_transport', 'tcp', '-stimeout', '5000000']);
  assert.deepEqual(urlInputArgs('http://cam/video.mjpg', 5), ['-rw_timeout', '5000000', '-i', 'http://cam/video.mjpg']);
});

test('encodes H.264 with zero-latency x264, keyframes every GOP seconds and headers repeated, into FLV', () => {
  const a = outputArgs({ codec: 'h264', copy: false, quality: 80, gopSeconds: 1, bitrateKbps: 4000 }).join(' ');
  for (const s of ['-maxrate 4000k -bufsize 4000k', '-c:v libx264', '-preset ultrafast', '-tune zerolatency', '-bf 0', '-pix_fmt yuv420p', 'repeat-headers=1', 'expr:gte(t,n_forced*1)', '-f flv', '-flush_packets 1']) assert.ok(a.includes(s), s);
  assert.ok(a.endsWith('pipe:1'));
});

test('copies instead of encoding when asked, and scales / resamples only when encoding', () => {
  assert.deepEqual(outputArgs({ codec: 'mjpeg', copy: true, quality: 80, gopSeconds: 1, bitrateKbps: 4000 }), ['-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy', '-f', 'mjpeg', '-flush_packets', '1', 'pipe:1']);
  const enc = outputArgs({ codec: 'mjpeg', copy: false, quality: 80, gopSeconds: 1, bitrateKbps: 4000, size: HD, fps: 15 }).join(' ');
  assert.ok(enc.includes('-vf fps=15,scale=1280:720') && enc.includes('-c:v mjpeg -q:v 5'), enc);
});

test('maps JPEG quality to ffmpeg qscale, quality 80 to -q:v 5', () => {
  assert.deepEqual([100, 95, 90, 80, 75, 50, 25, 1].map(mjpegQscale), [2, 2, 3, 5, 6, 13, 25, 31]);
});

test('copies only when codec matches and no other size or rate is asked', () => {
  assert.equal(canCopy({ codec: 'h264', size: HD }, { codec: 'h264' }), true);
  assert.equal(canCopy({ codec: 'h264', size: HD }, { codec: 'h264', size: HD }), true);
  assert.equal(canCopy({ codec: 'h264', size: HD }, { codec: 'h264', size: { width: 640, height: 360 } }), false);
  assert.equal(canCopy({ codec: 'h264' }, { codec: 'h264', fps: 10 }), false);
  assert.equal(canCopy({ codec: 'hevc' }, { codec: 'h264' }), false);
  assert.equal(canCopy({ codec: 'mjpeg' }, { codec: 'mjpeg' }), true);
});

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

test('reads codec and size of the first video stream from ffmpeg\'s input dump', () => {
  assert.deepEqual(parseInputInfo(['Input #0, mov,mp4,m4a,3gp,3g2,mj2, from \'a.mp4\':', '  Stream #0:0[0x1](und): Audio: aac (LC), 48000 Hz', '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 1000 kb/s, 30 fps']), { codec: 'h264', size: HD });
  assert.deepEqual(parseInputInfo(['    Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 640x480, 25 tbr']), { codec: 'mjpeg', size: { width: 640, height: 480 } });
  assert.equal(parseInputInfo(['a.mp4: No such file or directory']), undefined);
});

test('explains ffmpeg failures in words a user can act on', () => {
  const cases: [string, RegExp][] = [
    ['lobby.mp4: No such file or directory', /not found/],
    ['[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: Device or resource busy', /busy/],
    ['[tcp @ 0x1] Connection to tcp://10.0.0.7:554?timeout=0 failed: Connection refused', /connection refused/],
    ['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', /credentials/],
    ['[http @ 0x1] HTTP error 404 Not Found', /not found on the server/],
    ['x.bin: Invalid data found when processing input', /not a video/],
    ['Unknown encoder \'libx264\'', /lacks the encoder/],
  ];
  for (const [line, re] of cases) assert.match(explainFfmpegFailure(['some banner', line, 'Exiting']).reason, re, line);
});

test('parses every SOURCE form and rejects others with the list of forms', () => {
  assert.deepEqual(parseSourceSpec('camera'), { kind: 'camera' });
  assert.deepEqual(parseSourceSpec('camera:2'), { kind: 'camera', which: '2' });
  assert.deepEqual(parseSourceSpec('camera:/dev/video2'), { kind: 'camera', which: '/dev/video2' });
  assert.deepEqual(parseSourceSpec('file:lobby.mp4'), { kind: 'file', path: 'lobby.mp4' });
  assert.deepEqual(parseSourceSpec('rtsp://u:p@10.0.0.7/s1'), { kind: 'url', url: 'rtsp://u:p@10.0.0.7/s1' });
  assert.deepEqual(parseSourceSpec('https://cam/mjpg'), { kind: 'url', url: 'https://cam/mjpg' });
  assert.throws(() => parseSourceSpec('webcam'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /camera:N/.test(e.message));
  assert.equal(redactUrl('failed: rtsp://admin:s3cret@10.0.0.7/s1 refused'), 'failed: rtsp://admin:***@10.0.0.7/s1 refused');
});
