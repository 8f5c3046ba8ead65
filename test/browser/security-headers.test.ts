/**
 * The local stack's pages under their Content-Security-Policy in real Chromium: the landing page,
 * the dashboard (uPlot charts, API polling) and the demo page (hls.js through Media Source
 * Extensions, its transmuxer in a blob: worker, beacons by fetch) load and work, and the browser
 * reports no violation. A script injected inline is blocked and reported, which shows the listener
 * hears violations at all.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { DEMO_CSP, PAGE_CSP } from '../../local/security-headers.js';
import { makeBatch } from '../helpers/batch-factory.js';
import {
  describeInChromium,
  waitAllDelivered,
  waitForEvent,
  type DemoWindow,
} from '../helpers/browser-harness.js';

/** A violation as the page's `securitypolicyviolation` event describes it. */
interface Violation {
  directive: string;
  blocked: string;
}

type ViolationWindow = typeof window & { violations: Violation[] };

/** A context whose pages record every CSP violation and every console error. */
async function watchedPage(
  context: BrowserContext,
): Promise<{ page: Page; problems: string[]; violations: () => Promise<Violation[]> }> {
  // Playwright injects init scripts itself, so the CSP under test does not apply to this one.
  await context.addInitScript(() => {
    const w = window as ViolationWindow;
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
    );
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return {
    page,
    problems,
    violations: () => page.evaluate(() => (window as ViolationWindow).violations),
  };
}

describeInChromium('pages under their Content-Security-Policy in Chromium', (env) => {
  it('the landing page loads its styles with the policy on', async () => {
    const context = await env.browser.newContext();
    const { page, problems, violations } = await watchedPage(context);
    const res = await page.goto(`${env.stack.url}/`);
    expect(res?.headers()['content-security-policy']).toBe(PAGE_CSP);
    // The stylesheets applied: the landing class has the shared theme's background.
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe('rgba(0, 0, 0, 0)');
    expect(await violations()).toStrictEqual([]);
    expect(problems).toStrictEqual([]);

    // The listener hears violations: an inline script is blocked and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.append(s);
    });
    await expect
      .poll(violations)
      .toStrictEqual([{ directive: 'script-src-elem', blocked: 'inline' }]);
    expect(await page.evaluate(() => 'inlineRan' in window)).toBe(false);
    await context.close();
  });

  it('the dashboard draws its charts from the API with the policy on', async () => {
    const posted = await fetch(`${env.stack.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(makeBatch()),
    });
    expect(posted.status).toBe(204);
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const { page, problems, violations } = await watchedPage(context);
    const res = await page.goto(`${env.stack.url}/dashboard`);
    expect(res?.headers()['content-security-policy']).toBe(PAGE_CSP);
    // Every chart on the page, the QoE panels' and the rollout card's, draws under the policy.
    await expect
      .poll(() => page.locator('.panels .chart canvas').count(), { timeout: 10_000 })
      .toBe(4);
    await expect
      .poll(() => page.locator('.rollout .chart canvas').count(), { timeout: 10_000 })
      .toBe(4);
    await expect
      .poll(() => page.locator('#status').getAttribute('class'), { timeout: 10_000 })
      .toBe('status ok');
    await expect
      .poll(() => page.locator('#t-total').textContent(), { timeout: 15_000 })
      .not.toBe('–');
    expect(await violations()).toStrictEqual([]);
    expect(problems).toStrictEqual([]);
    await context.close();
  });

  it('the demo page plays through hls.js and delivers its beacons with the policy on', async () => {
    const context = await env.browser.newContext();
    const { page, problems, violations } = await watchedPage(context);
    const res = await page.goto(`${env.stack.url}/demo/?session=browser-csp-0001`);
    expect(res?.headers()['content-security-policy']).toBe(DEMO_CSP);
    await page.click('#btn-play');
    await waitForEvent(page, 'first_frame');
    await page.waitForFunction(() => (window as DemoWindow).demo.video.currentTime > 2, undefined, {
      polling: 50,
    });
    // Playback went through MSE (a blob: source), with hls.js's worker allowed to start.
    expect(await page.evaluate(() => (window as DemoWindow).demo.video.src)).toMatch(/^blob:/);
    await page.click('#btn-flush');
    await waitAllDelivered(page);
    expect(await violations()).toStrictEqual([]);
    expect(problems).toStrictEqual([]);
    await context.close();
  });
});
