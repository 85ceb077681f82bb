import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInputInfo, probeInput } from '../../../src/sources/ffmpeg/probe.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { ffmpegFile, tempDir, testsrc } from '../../../support/media.js';
import { requireTool } from '../../helpers/tools.js';

const HD = { width: 1280, height: 720 };

test('reads codec and size of the first video stream from ffmpeg\'s input dump', () => {
  assert.deepEqual(parseInputInfo(['Input #0, mov,mp4,m4a,3gp,3g2,mj2, from \'a.mp4\':', '  Stream #0:0[0x1](und): Audio: aac (LC), 48000 Hz', '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 1000 kb/s, 30 fps']), { codec: 'h264', size: HD });
  assert.deepEqual(parseInputInfo(['    Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 640x480, 25 tbr']), { codec: 'mjpeg', size: { width: 640, height: 480 } });
  assert.equal(parseInputInfo(['a.mp4: No such file or directory']), undefined);
});

test('probes real files with real ffmpeg: codec and size, no video stream, missing file', async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const tmp = tempDir();
  try {
    const h264 = ffmpegFile([...testsrc('320x240', 10, 1), '-c:v', 'libx264', '-preset', 'ultrafast'], tmp.file('a.mp4'));
    const mjpeg = ffmpegFile([...testsrc('160x120', 10, 1), '-c:v', 'mjpeg'], tmp.file('b.avi'));
    const audio = ffmpegFile(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'], tmp.file('c.wav'));
    // -re and -stream_loop are dropped for the probe (it reads no frames).
    assert.deepEqual(await probeInput('ffmpeg', ['-re', '-stream_loop', '-1', '-i', h264], 'a.mp4'), { codec: 'h264', size: { width: 320, height: 240 } });
    assert.deepEqual(await probeInput('ffmpeg', ['-i', mjpeg], 'b.avi'), { codec: 'mjpeg', size: { width: 160, height: 120 } });
    await assert.rejects(probeInput('ffmpeg', ['-i', audio], 'c.wav'), (e) => isCamwireError(e, 'CAMWIRE_ERR_SOURCE') && /c\.wav: has no video stream/.test(e.message));
    await assert.rejects(probeInput('ffmpeg', ['-i', tmp.file('none.mp4')], 'none.mp4'), (e) => isCamwireError(e, 'CAMWIRE_ERR_SOURCE') && /none\.mp4/.test(e.message) && /not found/.test(e.message));
  } finally {
    tmp.cleanup();
  }
});
