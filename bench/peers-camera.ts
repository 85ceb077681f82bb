/**
 * peers-camera: the stand-in camera every peer pipeline reads — camwire's test pattern with the
 * timecode strip, as raw RGB frames on stdout at a steady rate (like a V4L2 camera's raw frames),
 * so each system encodes the same pictures itself. The strip holds the time the frame was drawn;
 * a frame is skipped, never queued, while the reader has not taken the previous one (a camera
 * does not buffer for a slow consumer either).
 *
 *   node dist/bench/peers-camera.js WIDTH HEIGHT FPS
 */
import { drawTimecode } from '../src/codecs/timecode.js';
import { Pattern } from '../src/sources/testsrc/pattern.js';
import { nowUs } from '../src/util/clock.js';

const [width, height, fps] = process.argv.slice(2).map(Number);
const pattern = new Pattern(width, height);
const interval = 1000 / fps;
const t0 = performance.now();
let n = 0;
let skipped = 0;
process.stdout.on('error', () => process.exit(0)); // the pipeline ended
process.on('SIGTERM', () => process.exit(0));

function tick(): void {
  if (process.stdout.writableLength === 0) {
    const us = nowUs();
    const data = pattern.draw(n, ['PEER', `#${n}`]);
    drawTimecode({ data, width, height, channels: 3 }, us);
    process.stdout.write(data);
  } else skipped++;
  n++;
  setTimeout(tick, Math.max(0, t0 + n * interval - performance.now()));
}
process.on('exit', () => process.stderr.write(`peers-camera: ${n} frames, ${skipped} skipped while the reader was busy\n`));
tick();
