/**
 * The dashboard page in real Chromium against the real local stack: beacons posted to the edge
 * show up in the totals, QoE tiles, charts and tables, the controls switch what is shown, and the
 * page logs no errors (screenshot in test-results/dashboard-beacons.png).
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { BeaconBatch, EventType } from '../../schemas/index.js';
import { makeBatch } from '../helpers/batch-factory.js';
import {
  describeInChromium,
  pollStoredCounts,
  screenshot,
  type Counts,
} from '../helpers/browser-harness.js';

/** Viewer headers the CloudFront emulator turns into the request's POP and geo. */
const FRANKFURT = {
  'x-beacon-pop': 'FRA56-C1',
  'CloudFront-Viewer-Country': 'DE',
  'CloudFront-Viewer-ASN': '3320',
};
const SINGAPORE = {
  'x-beacon-pop': 'SIN2-C1',
  'CloudFront-Viewer-Country': 'SG',
  'CloudFront-Viewer-ASN': '9506',
};

const PANELS = ['started', 'paused', 'volume_changed', 'variant_loaded'] as const;

/** Events per type over `batches`. */
function tally(batches: BeaconBatch[]): Partial<Record<EventType, number>> {
  const out: Partial<Record<EventType, number>> = {};
  for (const b of batches) for (const e of b.events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}

describeInChromium('dashboard page in Chromium', (env) => {
  const since = new Date();
  // Two plays from Frankfurt (one paused twice), one from Singapore.
  const batches = [
    { batch: makeBatch(), headers: FRANKFURT },
    {
      batch: makeBatch({ types: ['requested', 'started', 'paused', 'paused'] }),
      headers: FRANKFURT,
    },
    { batch: makeBatch(), headers: SINGAPORE },
  ];
  const expected = tally(batches.map((b) => b.batch));
  const events = batches.reduce((n, b) => n + b.batch.events.length, 0);

  async function post(body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${env.stack.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
      body,
    });
  }

  /** Waits until the element's text is `text` (the page refreshes every 3 s). */
  async function text(page: Page, selector: string, value: string): Promise<void> {
    await expect.poll(() => page.locator(selector).textContent(), { timeout: 10_000 }).toBe(value);
  }

  // The beacons go in once the stack has started.
  beforeAll(async () => {
    for (const { batch, headers } of batches)
      expect((await post(JSON.stringify(batch), headers)).status).toBe(204);
    expect((await post('{not json', FRANKFURT)).status).toBe(400);
    const total = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
    const stored = await pollStoredCounts(env.stack.url, since, (c) => total(c) >= events);
    expect(stored).toMatchObject(expected);
  });

  it('shows the posted beacons in tiles, charts and tables, without errors', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });

    await page.goto(`${env.stack.url}/dashboard`);
    for (const title of ['Started', 'Paused', 'Volume changed', 'Variant loaded'])
      await expect(page.locator('.panel h2', { hasText: title }).count()).resolves.toBe(1);
    await text(page, '#t-total', String(events));
    for (const type of PANELS) await text(page, `#t-${type}`, String(expected[type] ?? 0));
    await text(page, '#t-sessions', '3');
    await text(page, '#q-plays', '3');
    await expect.poll(() => page.locator('.panels .chart canvas').count()).toBe(4);
    expect(await page.locator('#status').getAttribute('class')).toBe('status ok');
    expect(await page.locator('#status .text').textContent()).toMatch(/^live · updated /);
    // Regional diagnostics by POP (the airport code of the POP header): one row per POP.
    const pops = await page.locator('#breakdown tbody tr td:first-child').allTextContents();
    expect(pops.sort()).toStrictEqual(['FRA', 'SIN']);
    // The invalid body is a bad row.
    await text(page, '#bad-counts .chip', 'invalid_json1');
    await text(page, '#bad-rows tbody tr td:nth-child(2)', 'invalid_json');
    await screenshot(page, 'dashboard-beacons.png');

    // The tabs switch the breakdown's dimension, the range buttons the window.
    await page.click('.tabs button[data-dimension="country"]');
    await text(page, '#breakdown thead th:first-child', 'Country');
    const countries = await page.locator('#breakdown tbody tr td:first-child').allTextContents();
    expect(countries.sort()).toStrictEqual(['DE', 'SG']);
    expect(await page.locator('.tabs button[aria-selected="true"]').textContent()).toBe('Country');
    await page.click('.range button[data-range="1h"]');
    expect(await page.locator('.range button[aria-pressed="true"]').textContent()).toBe('1 h');
    await text(page, '#t-total', String(events));
    await page.click('#pause');
    expect(await page.locator('#pause').textContent()).toBe('Resume');
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true');

    expect(problems).toStrictEqual([]);
    await context.close();
  });
});
