/**
 * The dashboard of a stack started with an API token, in real Chromium, as a user meets it: the
 * page asks for the token, the form swaps it for a cookie, and the dashboard then loads and polls
 * its API with that cookie; the address bar never keeps the token. The demo page needs no token.
 */
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser-harness.js';

const TOKEN = 'browser-token-0123456789abcdef';

describeInChromium(
  'dashboard with an API token in Chromium',
  (env) => {
    it('asks for the token once, then works on its cookie', async () => {
      const context = await env.browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      const apiStatuses: number[] = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/v1/')) apiStatuses.push(r.status());
      });

      const first = await page.goto(`${env.stack.url}/dashboard`);
      expect(first?.status()).toBe(401);
      await page.fill('#token', TOKEN);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${env.stack.url}/dashboard`);
      await expect
        .poll(() => page.locator('#status').getAttribute('class'), { timeout: 15_000 })
        .toBe('status ok');
      await expect.poll(() => page.locator('.panels .chart canvas').count()).toBe(4);
      expect(page.url()).not.toContain(TOKEN);
      expect(apiStatuses.length).toBeGreaterThan(0);
      expect(apiStatuses.every((s) => s === 200)).toBe(true);
      // The cookie is out of the page's reach.
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const cookies = await context.cookies();
      expect(cookies.map((c) => [c.httpOnly, c.sameSite])).toStrictEqual([[true, 'Strict']]);

      // A fresh browser without the cookie is asked again; the demo page is open to it.
      const other = await env.browser.newContext();
      const stranger = await other.newPage();
      expect((await stranger.goto(`${env.stack.url}/api/v1/health`))?.status()).toBe(401);
      expect((await stranger.goto(`${env.stack.url}/demo/`))?.status()).toBe(200);
      await other.close();
      expect(problems).toStrictEqual([]);
      await context.close();
    });
  },
  { apiToken: TOKEN },
);
