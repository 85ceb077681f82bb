/// <reference lib="dom" />
/**
 * The viewer page on a hub with auth, in real Chromium: a login form instead of a broken page,
 * a wrong password says so, after login the tiles play and the cookie is HttpOnly and
 * SameSite=Strict, logout brings the form back; a stream the user may not view says why on its
 * tile; a `?token=` link logs in and leaves the address bar.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createAuthenticator, parseCredentials } from '../../src/auth/index.js';
import { credentialsJson } from '../helpers/auth.js';
import { canvasHash, hasChromium, launchBrowser, requireChromium, tile, type Browser } from '../../support/browser.js';
import { waitUntil } from '../../support/net.js';
import { startTestHub, type TestHub } from '../helpers/streams.js';

const TOKEN = 'tok-page-51c2';

describe('viewer page login (headless Chromium)', () => {
  let h: TestHub;
  let browser: Browser | undefined;
  before(async () => {
    const credentials = parseCredentials(await credentialsJson([{ name: 'alice', secret: 'alice-pw', allow: ['view:door*'] }]));
    h = await startTestHub({ auth: await createAuthenticator({ credentials, token: TOKEN }) });
    await h.publish('door1');
    await h.publish('yard');
    await waitUntil(() => !!h.server.hub.get('door1')?.last && !!h.server.hub.get('yard')?.last, 5000, 'first frames');
    if (hasChromium()) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h.close();
  });

  async function open(t: TestContext, path: string): Promise<Page | undefined> {
    if (!requireChromium(t)) return undefined;
    await browser!.context.clearCookies();
    const page = await browser!.newPage();
    t.after(() => page.close());
    await page.goto(h.base + path);
    return page;
  }

  async function changes(page: Page, name: string): Promise<boolean> {
    const first = await canvasHash(page, name);
    for (let i = 0; i < 50; i++) {
      await page.waitForTimeout(100);
      if ((await canvasHash(page, name)) !== first) return true;
    }
    return false;
  }

  it('shows a login form when the hub answers 401, logs in, plays the allowed tiles, and logs out', async (t) => {
    const page = await open(t, '/');
    if (!page) return;
    await page.waitForSelector('form.login', { state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('.tile').count(), 0);
    await page.fill('form.login input[name=user]', 'alice');
    await page.fill('form.login input[name=secret]', 'not-it');
    await page.click('form.login button[type=submit]');
    await page.waitForFunction(() => document.querySelector('.login-error')!.textContent !== '', undefined, { timeout: 10_000 });
    assert.match(await page.locator('.login-error').innerText(), /wrong user or secret/);

    await page.fill('form.login input[name=secret]', 'alice-pw');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('form.login', { state: 'hidden', timeout: 10_000 });
    await page.waitForSelector(`${tile('door1')}[data-state="live"]`, { timeout: 10_000 });
    assert.ok(await changes(page, 'door1'), 'the door1 picture changes');
    assert.equal(await page.locator(tile('yard')).count(), 0, 'a stream alice may not view gets no tile');
    assert.match(await page.locator('#account').innerText(), /alice/);

    const cookies = await browser!.context.cookies(h.base);
    const session = cookies.find((c) => c.name === `camwire-session-${h.server.http!.port}`);
    assert.ok(session, JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read it');

    await page.click('#account button');
    await page.waitForSelector('form.login', { state: 'visible', timeout: 10_000 });
    assert.equal((await fetch(`${h.base}/api/streams`, { headers: { Cookie: `${session.name}=${session.value}` } })).status, 401, 'the session ended on the hub too');
  });

  it('says on the tile why a stream is not shown, for a ?token= link that logged in and left the address bar', async (t) => {
    const page = await open(t, '/?stream=yard&token=alice:alice-pw');
    if (!page) return;
    await page.waitForSelector(`${tile('yard')}[data-state="forbidden"]`, { timeout: 10_000 });
    assert.match(await page.locator(`${tile('yard')} .notice`).innerText(), /may not view "yard"/);
    assert.equal(new URL(page.url()).search, '?stream=yard', 'the token left the address');
  });

  it('a link with the hub token plays every stream', async (t) => {
    const page = await open(t, `/?token=${TOKEN}`);
    if (!page) return;
    await page.waitForSelector(`${tile('yard')}[data-state="live"]`, { timeout: 10_000 });
    await page.waitForSelector(`${tile('door1')}[data-state="live"]`, { timeout: 10_000 });
    assert.ok(await changes(page, 'yard'));
    assert.equal(new URL(page.url()).search, '');
  });
});
