/**
 * From the Diagnostics view to one viewer's session, in real Chromium on the real local stack:
 * the store holds three minutes of simulated traffic in which Brazil's viewers start 2 s slower
 * (the simulator's backfill, through the real core pipeline and its rollups); the dashboard's
 * Diagnostics view ranks that slice first with its per-minute chart, its example sessions link to
 * a session page whose timeline shows the session's events (screenshots in
 * test-results/diagnose-to-session-*.png).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionDetail } from '../../core-pipeline/queries/types.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { backfill } from '../../local/sim/backfill.js';
import { parseFault } from '../../local/sim/faults.js';
import { describeInChromium, getJson, screenshot } from '../helpers/browser-harness.js';

/** Fills the stack's store before it starts: the last 3 minutes, Brazil starting slowly. */
async function slowStartsInBrazil(dataDir: string): Promise<void> {
  const store = await DuckDbStore.open(path.join(dataDir, 'beacons.duckdb'));
  try {
    await backfill({
      sink: store,
      events: 60_000,
      sinceMs: 3 * 60_000,
      seed: 11,
      faults: [parseFault('country=BR:startup=+2s')],
    });
  } finally {
    await store.close();
  }
}

describeInChromium(
  'diagnostics to a session in Chromium',
  (env) => {
    it('ranks the slow slice first and follows it to one of its sessions', async () => {
      const context = await env.browser.newContext({ viewport: { width: 1440, height: 1100 } });
      const problems: string[] = [];
      const watch = (p: Page) => {
        p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        p.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console: ${m.text()}`);
        });
      };
      const page = await context.newPage();
      watch(page);
      await page.goto(`${env.stack.url}/dashboard`);

      // The top finding: Brazil's startup time, with its chart against the rest.
      const first = page.locator('#diagnose-rows tr.worst');
      await expect.poll(() => first.count(), { timeout: 30_000 }).toBe(1);
      const firstText = (await first.textContent()) ?? '';
      expect(firstText).toMatch(/startup/i);
      expect(firstText).toContain('BR');
      await expect.poll(() => page.locator('#diagnose-top').isVisible()).toBe(true);
      expect(await page.locator('#diagnose-chart canvas').count()).toBeGreaterThan(0);
      await page.locator('#diagnose').scrollIntoViewIfNeeded();
      await screenshot(page, 'diagnose-to-session-findings.png');

      // Its example sessions, then the first one's page.
      await first.locator('button', { hasText: 'Sessions' }).click();
      const link = first.locator('a[href^="/dashboard?session="]').first();
      await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
      const href = (await link.getAttribute('href')) ?? '';
      const sessionId = new URL(href, env.stack.url).searchParams.get('session') ?? '';
      const detail = await getJson<SessionDetail>(`${env.stack.url}/api/v1/sessions/${sessionId}`);
      expect(detail.place.country).toBe('BR');

      await link.click();
      await page.waitForURL(/\?session=/);
      await expect
        .poll(() => page.locator('#session-id').textContent(), { timeout: 15_000 })
        .toBe(sessionId);
      // The timeline: its chart and one row per stored event, the first being the play request.
      expect(await page.locator('#session-chart canvas').count()).toBeGreaterThan(0);
      const rows = page.locator('#session-events tbody tr');
      await expect.poll(() => rows.count()).toBe(detail.timeline.length);
      expect(await rows.first().textContent()).toContain(detail.timeline[0].type);
      expect(await page.locator('#session-place').textContent()).toContain(detail.place.pop);
      await screenshot(page, 'diagnose-to-session-session.png');
      expect(problems).toStrictEqual([]);
      await context.close();
    }, 120_000);
  },
  { prepare: slowStartsInBrazil },
);
