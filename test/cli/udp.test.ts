import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isJpeg } from '../../src/codecs/jpeg.js';
import { camwire, type Proc } from '../helpers/cli.js';
import { freePort, freeUdpPort } from '../../support/net.js';
import { ffmpegFile, ffprobeFrames, tempDir, testsrc } from '../../support/media.js';
import { requireTool } from '../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';

const procs: Proc[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const run = (args: string[]) => {
  const p = camwire(args);
  procs.push(p);
  return p;
};
const summary = (p: Proc) => JSON.parse(p.stdout().trim().split('\n').pop()!);

describe('camwire over UDP (the real binary)', () => {
  it('serve --udp, send to the hub over UDP, view from the hub over UDP', async () => {
    const hub = run(['serve', '--udp', '0', '--tcp', String(await freePort()), '--http', '0', '--host', '127.0.0.1']);
    const [, port] = await hub.waitFor(/udp:\/\/127\.0\.0\.1:(\d+)/);
    run(['send', 'testsrc', `udp://127.0.0.1:${port}/lab`, '--size', '320x240', '--fps', '30']);
    const view = run(['view', `udp://127.0.0.1:${port}/lab`, '--frames', '20', '--json']);
    assert.equal(await view.exited, 0, view.stderr());
    const s = summary(view);
    assert.equal(s.type, 'summary');
    assert.equal(s.frames, 20);
    assert.deepEqual([s.width, s.height], [320, 240]);
    assert.equal(s.udp.frames >= 20, true, 'the UDP receiver\'s own counters ride along');
    for (const k of ['fecRepairedFrames', 'nacksSent', 'nacksSuppressed', 'repairsReceived', 'lostFrames']) assert.equal(typeof s.udp[k], 'number', k);
  });

  it('send straight to a viewer bound with udp://@, which saves decodable JPEGs', async () => {
    const port = await freeUdpPort();
    const dir = mkdtempSync(join(tmpdir(), 'camwire-udp-'));
    dirs.push(dir);
    const view = run(['view', `udp://@127.0.0.1:${port}`, '--frames', '15', '--json', '--output', dir]);
    await view.waitFor(/receiving on udp:\/\/@127\.0\.0\.1/);
    run(['send', 'testsrc', `udp://127.0.0.1:${port}`, '--size', '320x240', '--fec', '20', '--fec-code', 'xor', '--pace-mbps', '50']);
    assert.equal(await view.exited, 0, view.stderr());
    assert.equal(summary(view).frames, 15);
    assert.ok(summary(view).udp.lossRate === null || summary(view).udp.lossRate < 0.05, 'loopback loses (next to) nothing');
    const files = readdirSync(dir);
    assert.equal(files.length, 15);
    for (const f of files) assert.ok(isJpeg(readFileSync(join(dir, f))), `${f} is not a JPEG`);
  });

  it('carries H.264 from a file over UDP, and the received Annex B stream decodes frame for frame', async (t) => {
    if (!requireTool(t, 'ffmpeg')) return;
    const tmp = tempDir();
    try {
      const clip = ffmpegFile([...testsrc('320x240', 30, 2), ...X264_LIVE_ARGS, '-g', '15'], tmp.file('clip.mp4'));
      const port = await freeUdpPort();
      const out = tmp.file('got.h264');
      const view = run(['view', `udp://@127.0.0.1:${port}`, '--frames', '30', '--output', out, '--json']);
      await view.waitFor(/receiving on udp:\/\/@127\.0\.0\.1/);
      run(['send', `file:${clip}`, `udp://127.0.0.1:${port}`, '--loop', '--codec', 'h264']);
      assert.equal(await view.exited, 0, view.stderr());
      assert.equal(summary(view).frames, 30);
      assert.equal(ffprobeFrames(out), 30, 'every written frame decodes');
    } finally {
      tmp.cleanup();
    }
  });

  it('says what is wrong with a bad UDP URL or flag, in one line, exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['send', 'testsrc', 'udp://@:10000'], /"@" means receive here/],
      [['send', 'testsrc', 'udp://127.0.0.1:10000', '--fec-code', 'ldpc'], /--fec-code "ldpc" must be rs or xor \(config key udpFecCode\)/],
      [['send', 'testsrc', 'udp://127.0.0.1:10000', '--mtu', '100'], /--mtu "100" must be an integer 576–65535, the path MTU in bytes \(config key udpMtu\)/],
      [['view', 'udp://239.1.2.3:10000'], /join it with udp:\/\/@239\.1\.2\.3:10000/],
      [['serve', '--udp', '70000'], /--udp "70000" must be a port 0–65535 \(config key udpPort\)/],
    ];
    for (const [args, why] of cases) {
      const p = run(args);
      assert.equal(await p.exited, 2, args.join(' '));
      assert.match(p.stderr(), why);
      assert.equal(p.stderr().trim().split('\n').length, 1, `one line: ${p.stderr()}`);
    }
  });

  it('documents the UDP forms and flags in --help', async () => {
    for (const cmd of ['send', 'view', 'serve']) {
      const p = run([cmd, '--help']);
      assert.equal(await p.exited, 0);
      assert.match(p.stdout(), /udp:\/\//);
      assert.match(p.stdout(), /--fec PCT/);
    }
  });
});
