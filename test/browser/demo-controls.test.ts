/**
 * The demo page in real Chromium against the real local stack: what is clicked on the page is
 * what the dashboard API counts, and the dashboard shows it (screenshots in test-results/).
 */
import { expect, it } from 'vitest';
import {
  counts,
  describeInChromium,
  pageTally,
  pollStoredCounts,
  screenshot,
  waitAllDelivered,
  waitForEvent,
  type Counts,
  type DemoWindow,
} from '../helpers/browser-harness.js';

const total = (c: Partial<Counts>) => Object.values(c).reduce((a, b) => a + (b ?? 0), 0);

describeInChromium('demo page in Chromium: player controls', (env) => {
  let stored: Counts | undefined;
  const since = new Date();

  it('counts play, pause, volume, mute and seek exactly as clicked', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(`${env.stack.url}/demo?session=browser-controls-0001`);
    await expect
      .poll(() => page.locator('#session-id').textContent())
      .toBe('browser-controls-0001');

    await page.click('#btn-play');
    await waitForEvent(page, 'first_frame');
    await page.waitForFunction(() => (window as DemoWindow).demo.video.currentTime > 1, undefined, {
      polling: 50,
    });
    await page.click('#btn-pause');
    await waitForEvent(page, 'paused');
    await page.locator('#volume').fill('0.5');
    await waitForEvent(page, 'volume_changed');
    await page.click('#btn-mute');
    await waitForEvent(page, 'muted');
    const before = await page.evaluate(() => (window as DemoWindow).demo.video.currentTime);
    await page.click('#btn-fwd');
    await waitForEvent(page, 'seeked');
    await page.click('#btn-play');
    await waitForEvent(page, 'resumed');
    await page.waitForFunction(
      (t) => (window as DemoWindow).demo.video.currentTime > t,
      before + 5.5,
      {
        polling: 50,
      },
    );
    await page.click('#btn-pause');
    await waitForEvent(page, 'paused', 2);

    // Everything so far goes by fetch; the list shows each batch the edge accepted.
    await page.click('#btn-flush');
    await waitAllDelivered(page);
    await screenshot(page, 'demo.png');
    const tally = await pageTally(page);
    const seek = await page.evaluate(() => {
      const found = (window as DemoWindow).demo.events.find((e) => e.event.type === 'seeking');
      return found?.event.type === 'seeking' ? found.event : undefined;
    });
    expect(seek?.to).toBeCloseTo(before + 5, 1);

    // Closing the page ends the session (session_end, sent by sendBeacon on pagehide), preceded by
    // a final heartbeat: the session played (~1.5 s, less than one heartbeat period) since its last one.
    await page.close({ runBeforeUnload: true });
    await context.close();
    const expected = counts({
      ...tally,
      heartbeat: (tally.heartbeat ?? 0) + 1,
      session_end: (tally.session_end ?? 0) + 1,
    });
    stored = await pollStoredCounts(env.stack.url, since, (c) => total(c) >= total(expected));
    expect(stored).toStrictEqual(expected);
    expect(stored).toMatchObject({
      requested: 1,
      started: 1,
      first_frame: 1,
      paused: 2,
      resumed: 1,
      volume_changed: 1,
      muted: 1,
      unmuted: 0,
      seeking: 1,
      seeked: 1,
      stall_start: 0,
      stall_end: 0,
      error: 0,
      ended: 0,
      heartbeat: 1,
      session_end: 1,
    });
    expect(stored.variant_loaded).toBeGreaterThanOrEqual(1);
    expect(pageErrors).toStrictEqual([]);
  });

  it('shows the run on the dashboard', async () => {
    expect(stored, 'needs the first test').toBeDefined();
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${env.stack.url}/dashboard`);
    const tiles = {
      started: '#t-started',
      paused: '#t-paused',
      volume_changed: '#t-volume_changed',
      variant_loaded: '#t-variant_loaded',
    } as const;
    for (const [type, sel] of Object.entries(tiles)) {
      await expect
        .poll(() => page.locator(sel).textContent(), { timeout: 10_000 })
        .toBe(String(stored![type as keyof typeof tiles]));
    }
    await expect.poll(() => page.locator('#q-plays').textContent(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => page.locator('.panels .chart canvas').count()).toBe(4);
    await screenshot(page, 'dashboard.png');
    expect(pageErrors).toStrictEqual([]);
    await context.close();
  });
});
