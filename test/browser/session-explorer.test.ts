/**
 * The session explorer in real Chromium against the real local stack: a session played on the
 * demo page, followed through the demo's "Open this session in the dashboard" link, shows its
 * events on the timeline with its QoE numbers and where it was served from; the list of its POP's
 * recent sessions links back to it (screenshots in test-results/session-explorer-*.png).
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionDetail, SessionSummary } from '../../core-pipeline/queries/types.js';
import {
  describeInChromium,
  getJson,
  pageTally,
  screenshot,
  waitAllDelivered,
  waitForEvent,
  type DemoWindow,
} from '../helpers/browser-harness.js';

const SESSION = 'browser-explorer-0001';
/** The CloudFront emulator takes the POP from this header (set on every request of the context). */
const POP = 'MAD50-C2';

describeInChromium('session explorer in Chromium', (env) => {
  it('follows the demo page to its own session: timeline, QoE numbers, place, and the POP list', async () => {
    const context = await env.browser.newContext({
      viewport: { width: 1440, height: 1000 },
      extraHTTPHeaders: {
        'x-beacon-pop': POP,
        'CloudFront-Viewer-Country': 'ES',
        'CloudFront-Viewer-ASN': '3352',
      },
    });
    const problems: string[] = [];
    const watch = (p: Page) => {
      p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      p.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
    };
    const demo = await context.newPage();
    watch(demo);
    await demo.goto(`${env.stack.url}/demo?session=${SESSION}`);
    await expect.poll(() => demo.locator('#session-id').textContent()).toBe(SESSION);
    expect(await demo.locator('#session-link').getAttribute('href')).toBe(
      `/dashboard?session=${SESSION}`,
    );

    // Play two seconds, pause, change the volume, and deliver everything.
    await demo.click('#btn-play');
    await waitForEvent(demo, 'first_frame');
    await demo.waitForFunction(() => (window as DemoWindow).demo.video.currentTime > 2, undefined, {
      polling: 50,
    });
    await demo.click('#btn-pause');
    await waitForEvent(demo, 'paused');
    await demo.locator('#volume').fill('0.4');
    await waitForEvent(demo, 'volume_changed');
    await demo.click('#btn-flush');
    await waitAllDelivered(demo);
    const tally = await pageTally(demo);
    const sent = Object.values(tally).reduce((a, b) => a + (b ?? 0), 0);

    // The API has every event the page sent (the consumer stores them within a few seconds).
    const api = `${env.stack.url}/api/v1/sessions/${SESSION}`;
    await expect
      .poll(async () => (await getJson<SessionDetail>(api).catch(() => null))?.events ?? 0, {
        timeout: 20_000,
      })
      .toBe(sent);
    const stored = await getJson<SessionDetail>(api);
    // The emulator serves it from the edge location of that POP (its three-letter code).
    expect(stored.place.pop).toBe(POP.slice(0, 3));

    // Follow the link (it opens a new tab).
    const [page] = await Promise.all([context.waitForEvent('page'), demo.click('#session-link')]);
    watch(page);
    await page.waitForLoadState();
    expect(new URL(page.url()).search).toBe(`?session=${SESSION}`);
    await expect
      .poll(() => page.locator('#session-events tbody tr').count(), { timeout: 10_000 })
      .toBe(sent);
    const rowTypes = await page
      .locator('#session-events tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.type));
    for (const type of [
      'requested',
      'first_frame',
      'started',
      'paused',
      'volume_changed',
      'variant_loaded',
    ])
      expect(rowTypes).toContain(type);
    // Time 0 is the play request (the manifest's variant_loaded may come before it, at t < 0).
    expect(
      await page.locator('#session-events tr[data-type="requested"] td').first().textContent(),
    ).toBe('0.000 s');
    expect(await page.locator('#session-id').textContent()).toBe(SESSION);
    expect(await page.locator('#s-events').textContent()).toBe(String(sent));
    expect(await page.locator('#s-startup').textContent()).toMatch(/^\d+ ms$|^\d+\.\d+ s$/);
    expect(await page.locator('[data-place="POP"]').textContent()).toBe(stored.place.pop);
    expect(await page.locator('[data-place="Country"]').textContent()).toMatch(/^ES/);
    expect(await page.locator('[data-place="ASN"]').textContent()).toBe('AS3352');
    // The timeline chart: one lane per event type in its legend, and a drawn canvas.
    const legend = await page.locator('#session-chart .u-legend .u-label').allTextContents();
    for (const type of new Set(rowTypes)) expect(legend).toContain(type);
    expect(legend).toContain('bitrate (Mb/s)');
    expect(await page.locator('#session-chart canvas').count()).toBe(1);

    // Closing the demo ends the session (a last heartbeat and session_end with the counters): the
    // page, refreshing, shows it ended with its played time and rebuffer ratio.
    await demo.close({ runBeforeUnload: true });
    await expect
      .poll(() => page.locator('[data-outcome]').first().getAttribute('data-outcome'), {
        timeout: 20_000,
      })
      .toBe('ended');
    const ended = await getJson<SessionDetail>(api);
    expect(ended.events).toBe(sent + 2);
    expect(ended.playedMs).toBeGreaterThan(1500);
    await expect.poll(() => page.locator('#s-events').textContent()).toBe(String(sent + 2));
    expect(await page.locator('#s-played').textContent()).toMatch(/ s$/);
    expect(await page.locator('#s-rebuffer').textContent()).toBe(
      `${(100 * (ended.rebufferRatio ?? Number.NaN)).toFixed(2)} %`,
    );
    await screenshot(page, 'session-explorer-demo-session.png');

    // The POP's recent sessions list it, and its link opens the same page.
    await page.click('[data-place="POP"] a');
    await expect
      .poll(() => page.locator(`#sessions tr[data-session="${SESSION}"]`).count(), {
        timeout: 10_000,
      })
      .toBe(1);
    const listed = await getJson<{ sessions: SessionSummary[] }>(
      `${env.stack.url}/api/v1/sessions?range=15m&pop=${stored.place.pop}`,
    );
    expect(listed.sessions.map((s) => s.sessionId)).toContain(SESSION);
    await screenshot(page, 'session-explorer-pop-list.png');
    await page.click(`#sessions tr[data-session="${SESSION}"] a`);
    await expect.poll(() => page.locator('#session-id').textContent()).toBe(SESSION);

    expect(problems).toStrictEqual([]);
    await context.close();
  });
});
