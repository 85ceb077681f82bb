import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMulticastAddress, parseUdpUrl } from '../../src/config/udp-url.js';

describe('udp URLs', () => {
  const good: { text: string; host: string; port: number; stream: string; bind: boolean; multicast: boolean; shown: string }[] = [
    { text: 'udp://127.0.0.1:10000', host: '127.0.0.1', port: 10000, stream: '', bind: false, multicast: false, shown: 'udp://127.0.0.1:10000' },
    { text: 'udp://239.10.0.1:10000', host: '239.10.0.1', port: 10000, stream: '', bind: false, multicast: true, shown: 'udp://239.10.0.1:10000' },
    { text: 'udp://hub:10000/lab', host: 'hub', port: 10000, stream: 'lab', bind: false, multicast: false, shown: 'udp://hub:10000/lab' },
    { text: 'udp://hub/lab', host: 'hub', port: 10000, stream: 'lab', bind: false, multicast: false, shown: 'udp://hub/lab' },
    { text: 'udp://@:10000', host: '', port: 10000, stream: '', bind: true, multicast: false, shown: 'udp://@:10000' },
    { text: 'udp://@239.10.0.1:10000', host: '239.10.0.1', port: 10000, stream: '', bind: true, multicast: true, shown: 'udp://@239.10.0.1:10000' },
    { text: 'udp://@[ff15::10]:10000', host: 'ff15::10', port: 10000, stream: '', bind: true, multicast: true, shown: 'udp://@[ff15::10]:10000' },
    { text: 'udp://[::1]:9000/a/b', host: '::1', port: 9000, stream: 'a/b', bind: false, multicast: false, shown: 'udp://[::1]:9000/a/b' },
  ];
  for (const g of good) {
    it(`parses ${g.text}`, () => {
      const u = parseUdpUrl(g.text);
      assert.deepEqual({ host: u.host, port: u.port, stream: u.stream, bind: u.bind, multicast: u.multicast, shown: u.text }, { host: g.host, port: g.port, stream: g.stream, bind: g.bind, multicast: g.multicast, shown: g.shown });
    });
  }

  const bad: { text: string; why: RegExp }[] = [
    { text: 'udp://:10000', why: /write udp:\/\/@:10000/ },
    { text: 'udp://239.10.0.1:10000/lab', why: /multicast group carries one stream/ },
    { text: 'udp://127.0.0.1:10000?listen', why: /\?listen is for tcp/ },
    { text: 'tcp://127.0.0.1:10000', why: /unsupported scheme/ },
    { text: 'udp:nothing', why: /has no host|not a URL/ },
  ];
  for (const b of bad) {
    it(`refuses ${b.text} with a hint`, () => {
      assert.throws(() => parseUdpUrl(b.text), (e: { code?: string; message: string }) => e.code === 'CAMWIRE_ERR_BAD_URL' && b.why.test(e.message));
    });
  }

  it('knows multicast ranges', () => {
    for (const a of ['224.0.0.1', '239.255.255.255', 'ff02::1', 'FF15::10']) assert.ok(isMulticastAddress(a), a);
    for (const a of ['223.255.255.255', '240.0.0.1', '127.0.0.1', '::1', 'fe80::1', 'hub', '']) assert.ok(!isMulticastAddress(a), a);
  });
});
