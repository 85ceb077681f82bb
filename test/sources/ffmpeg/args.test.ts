import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraDevice, cameraInputArgs, canCopy, fileInputArgs, mjpegQscale, outputArgs, urlInputArgs } from '../../../src/sources/ffmpeg/args.js';

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
