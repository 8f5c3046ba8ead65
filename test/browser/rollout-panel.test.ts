/**
 * The dashboard's Rollout card in real Chromium against the real local stack: beacons of two SDK
 * releases posted to the edge (and a body the edge refuses) show up in the card's charts and
 * table, per schema version and per SDK release, and the page logs no errors (screenshot in
 * test-results/rollout-panel.png).
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { makeBatch } from '../helpers/batch-factory.js';
import {
  describeInChromium,
  pollStoredCounts,
  screenshot,
  type Counts,
} from '../helpers/browser-harness.js';

const FRANKFURT = { 'x-beacon-pop': 'FRA56-C1', 'CloudFront-Viewer-Country': 'DE' };

/** Text of the table's rows: [version, events, …] per row. */
async function tableRows(page: Page): Promise<string[][]> {
  return page
    .locator('#rollout-rows tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
}

describeInChromium('the Rollout card in Chromium', (env) => {
  const since = new Date();
  // Two plays of the old SDK release, one of the new one; all declare schema 1-0-0.
  const batches = [
    makeBatch({ sdk_version: '0.1.0' }),
    makeBatch({ sdk_version: '0.1.0' }),
    makeBatch({ sdk_version: '0.2.0' }),
  ];
  const events = (v: string) =>
    batches.filter((b) => b.sdk_version === v).reduce((n, b) => n + b.events.length, 0);

  async function post(body: string): Promise<Response> {
    return fetch(`${env.stack.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', ...FRANKFURT },
      body,
    });
  }

  beforeAll(async () => {
    for (const b of batches) expect((await post(JSON.stringify(b))).status).toBe(204);
    expect((await post('{not json')).status).toBe(400);
    const total = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
    await pollStoredCounts(
      env.stack.url,
      since,
      (c) => total(c) >= events('0.1.0') + events('0.2.0'),
    );
  });

  it('shows both SDK releases and the schema version, with charts and totals', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 1100 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    await page.goto(`${env.stack.url}/dashboard`);
    await expect
      .poll(() => page.locator('#rollout-summary').textContent(), { timeout: 15_000 })
      .toMatch(/ events · /);

    // By schema version: the events' 1-0-0, and the refused body's unknown version with its bad row.
    const all = String(events('0.1.0') + events('0.2.0'));
    await expect
      .poll(async () => (await tableRows(page)).map((r) => r.slice(0, 3)), { timeout: 15_000 })
      .toStrictEqual([
        ['1-0-0', all, '100.0 %'],
        ['(unknown)', '0', '0.00 %'],
      ]);
    const unknown = (await tableRows(page))[1];
    expect(unknown.slice(5, 7)).toStrictEqual(['1', '100.0 %']);
    await expect.poll(() => page.locator('.rollout .chart canvas').count()).toBe(4);
    for (const title of ['Share of events', 'Bad-row rate', 'Error rate', 'Startup p50'])
      expect(await page.locator('.rollout-charts h3', { hasText: title }).count()).toBe(1);

    // By SDK release: both releases, the older one with two thirds of the plays.
    await page.click('#rollout-by button[data-by="sdk"]');
    await expect
      .poll(() => page.locator('#rollout-version-head').textContent())
      .toBe('SDK release');
    await expect
      .poll(async () => (await tableRows(page)).map((r) => [r[0], r[1], r[4]]), { timeout: 15_000 })
      .toStrictEqual([
        ['beacon-edge-web@0.1.0', String(events('0.1.0')), '2'],
        ['beacon-edge-web@0.2.0', String(events('0.2.0')), '1'],
        ['(unknown)', '0', '0'],
      ]);
    // Each chart's legend names both releases.
    const legend = await page.locator('.rollout .u-legend').first().textContent();
    expect(legend).toContain('beacon-edge-web@0.1.0');
    expect(legend).toContain('beacon-edge-web@0.2.0');
    expect(await page.locator('#rollout-summary').textContent()).toMatch(/^3 versions · /);
    // The card alone (the whole page is in rollout-panel-page.png).
    await screenshot(page, 'rollout-panel-page.png');
    await page.locator('section.rollout').screenshot({ path: 'test-results/rollout-panel.png' });
    expect(problems).toStrictEqual([]);
    await context.close();
  });
});
