/// <reference lib="dom" />
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { camwire } from '../helpers/cli.js';
import { hasChromium, launchBrowser, requireChromium, type Browser } from '../../support/browser.js';
import { startTestHub, type TestHub } from '../helpers/streams.js';

describe('camwire commands and the browser viewer', () => {
  let h: TestHub;
  let browser: Browser | undefined;
  before(async () => {
    h = await startTestHub();
    await h.publish('lab');
    if (hasChromium()) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h.close();
  });

  it('camwire view URL --no-open serves a one-stream page that shows the picture', async (t) => {
    const p = camwire(['view', `tcp://127.0.0.1:${h.server.tcp!.port}/lab`, '--no-open']);
    try {
      const [url] = await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?stream=lab&token=[\w-]+/);
      const page = new URL(url);
      // The page's data needs the random token that only the printed URL carries.
      assert.equal((await fetch(new URL('/api/streams', page))).status, 401);
      assert.equal((await fetch(new URL('/api/streams', page), { headers: { Authorization: `Bearer ${page.searchParams.get('token')}` } })).status, 200);
      if (!requireChromium(t)) return;
      const tab = await browser!.newPage();
      await tab.goto(url);
      await tab.waitForSelector('.tile[data-stream="lab"][data-state="live"]', { timeout: 10000 });
      assert.equal(await tab.locator('.tile').count(), 1);
      assert.ok(await tab.evaluate(() => document.body.classList.contains('single')));
      await tab.waitForFunction(() => ((window as any).camwire.streams.lab?.drawn ?? 0) > 3);
      await tab.close();
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });

  it('camwire view URL --play says clearly when ffplay is missing', async () => {
    const p = camwire(['view', `tcp://127.0.0.1:${h.server.tcp!.port}/lab`, '--play'], { PATH: '/nonexistent' });
    assert.equal(await p.exited, 2, 'a configuration problem, like any missing ffmpeg tool');
    assert.match(p.stderr(), /^camwire: --play needs ffplay, which is not installed .*\n$/);
  });

  it('camwire view rejects --play together with --output', async () => {
    const p = camwire(['view', 'tcp://127.0.0.1:1/x', '--play', '--output', '-']);
    assert.equal(await p.exited, 2);
    assert.match(p.stderr(), /pick one/);
  });

  it('camwire demo prints the viewer URL, and the page there lists the demo stream', async () => {
    const p = camwire(['demo', '--tcp', '0', '--http', '0', '--size', '160x120', '--fps', '10']);
    try {
      const [, url] = await p.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/)\n/);
      const r = (await (await fetch(new URL('api/streams', url))).json()) as { streams: { name: string }[] };
      assert.deepEqual(r.streams.map((s) => s.name), ['demo']);
    } finally {
      await p.stop();
    }
  });

  it('camwire serve logs the viewer URL; --http 0 picks a free port', async () => {
    const p = camwire(['serve', '--tcp', '0', '--http', '0', '--host', '127.0.0.1']);
    try {
      const [, url] = await p.waitFor(/viewer: (http:\/\/127\.0\.0\.1:\d+\/)/);
      assert.equal((await fetch(new URL('healthz', url))).status, 200);
    } finally {
      await p.stop();
    }
  });
});
