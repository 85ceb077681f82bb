/**
 * bare: the baseline camwire is measured against — the same JPEG bytes through plain Node
 * sockets with a bare length prefix (like the Python cv2-stream tools), no protocol, no hub.
 *
 *   node dist/bench/bare.js relay PORT                 first byte 'P' = publisher, 'V' = viewer
 *   node dist/bench/bare.js send PORT WxH FPS          test pattern → [u32 len][u64 µs][jpeg]
 *   node dist/bench/bare.js recv PORT SECONDS          prints {"frames","p50","p95","p99"}
 */
import { createServer, connect, type Socket } from 'node:net';
import { TestSource } from '../src/sources/testsrc/testsrc.js';
import { percentiles } from '../src/hub/stats.js';
import { nowUs } from '../src/util/clock.js';
import { lengthPrefixed } from './length-prefixed.js';

const [mode, portText, a, b] = process.argv.slice(2);
const port = Number(portText);

if (mode === 'relay') {
  const viewers = new Set<Socket>();
  createServer((s) => {
    s.setNoDelay(true);
    s.once('data', (first) => {
      if (first[0] === 0x50) {
        const relay = (c: Buffer) => viewers.forEach((v) => v.write(c));
        relay(first.subarray(1));
        s.on('data', relay);
      }
      else {
        viewers.add(s);
        s.on('close', () => viewers.delete(s));
      }
    });
    s.on('error', () => {});
  }).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
} else if (mode === 'send') {
  const [w, h] = a.split('x').map(Number);
  const src = new TestSource({ width: w, height: h, fps: Number(b), quality: 80 });
  const s = connect(port, '127.0.0.1', () => {
    s.setNoDelay(true);
    s.write('P');
    void src.start({
      stream: { name: 'bare' } as never, // the pattern only reads the name
      publish(f) {
        const hdr = Buffer.allocUnsafe(12);
        hdr.writeUInt32BE(f.payload.length, 0);
        hdr.writeBigUInt64BE(BigInt(f.captureUs), 4);
        s.cork();
        s.write(hdr);
        s.write(f.payload);
        s.uncork();
      },
      end() {},
      detach() {},
    });
  });
} else if (mode === 'recv') {
  const lat: number[] = [];
  const s = connect(port, '127.0.0.1', () => {
    s.setNoDelay(true);
    s.write('V');
  });
  s.on('data', lengthPrefixed((us) => lat.push((nowUs() - us) / 1000)));
  setTimeout(() => {
    const [p50, p95, p99] = percentiles(lat, [50, 95, 99]);
    process.stdout.write(JSON.stringify({ frames: lat.length, p50, p95, p99 }) + '\n');
    process.exit(0);
  }, Number(a) * 1000);
}
