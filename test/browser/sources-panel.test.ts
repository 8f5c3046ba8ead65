/**
 * The source slice on the dashboard, in real Chromium on the real local stack: the store holds
 * sessions from our SDK and sessions reported by players over CMCD (rows as the core's CMCD
 * mapper stores them: source cmcd, sdk_name cmcd, the CMCD version as sdk_version, the player
 * from the report URL). The Sources card lists source × player × version with their numbers, the
 * breakdown tabs group by source and player version, and a CMCD session opens in the session
 * explorer like an SDK one, naming its source and player (screenshot in
 * test-results/sources-panel.png).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { EventRow } from '../../core-pipeline/rows.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { describeInChromium, screenshot } from '../helpers/browser-harness.js';
import { row } from '../helpers/rollup-events.js';

const CMCD = {
  source: 'cmcd',
  sdk_name: 'cmcd',
  sdk_version: '2',
  schema_version: 'cmcd-1-0-0',
} as const;

/** One played session: requested, first frame after `startupMs`, a heartbeat with a stall. */
function played(
  id: string,
  t0: number,
  fields: Partial<EventRow>,
  startupMs: number,
  stallMs = 0,
): EventRow[] {
  const base = { ...fields, session_id: id };
  return [
    row('requested', { ...base, event_id: `${id}_0`, seq: 0, time: t0 }),
    row('first_frame', {
      ...base,
      event_id: `${id}_1`,
      seq: 1,
      time: t0 + startupMs,
      startup_ms: startupMs,
    }),
    row('heartbeat', {
      ...base,
      event_id: `${id}_2`,
      seq: 2,
      time: t0 + 20_000,
      played_ms: 20_000 - startupMs - stallMs,
      stall_ms: stallMs,
      stall_count: stallMs > 0 ? 1 : 0,
    }),
  ];
}

/** Fills the stack's store before it starts: three SDK sessions, three CMCD ones. */
async function mixedSources(dataDir: string): Promise<void> {
  const store = await DuckDbStore.open(path.join(dataDir, 'beacons.duckdb'));
  const t0 = Date.now() - 3 * 60_000;
  const sdk = { source: 'sdk', player_name: 'html5', player_version: '3.0.0' } as const;
  const hls = { ...CMCD, player_name: 'hls.js', player_version: '1.7.4' } as const;
  const dash = { ...CMCD, player_name: 'dash.js', player_version: '5.2.1' } as const;
  try {
    await store.writeBatch({
      events: [
        ...played('sess_sdk_000001', t0, sdk, 800),
        ...played('sess_sdk_000002', t0, sdk, 900),
        ...played('sess_sdk_000003', t0, sdk, 1_000),
        ...played('sess_cmcd_hls_01', t0, hls, 1_500, 2_000),
        ...played('sess_cmcd_hls_02', t0, hls, 1_500),
        row('requested', { ...dash, session_id: 'sess_cmcd_dash_1', event_id: 'dash_0', time: t0 }),
        row('error', {
          ...dash,
          session_id: 'sess_cmcd_dash_1',
          event_id: 'dash_1',
          seq: 1,
          time: t0 + 4_000,
          fatal: true,
          error_code: 'MANIFEST_ERROR',
        }),
      ],
      badRows: [],
      checkpoints: [],
    });
  } finally {
    await store.close();
  }
}

/** The dashboard's first reads can take seconds on a loaded machine; vitest's poll default is 1 s. */
const POLL = { timeout: 15_000 };

/** The text of every cell of the table body, row by row. */
const cells = (page: Page, tbody: string) =>
  page
    .locator(`${tbody} tr`)
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );

describeInChromium(
  'sources on the dashboard in Chromium',
  (env) => {
    it('lists SDK and CMCD sources per player release, slices by them, and opens a CMCD session', async () => {
      const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
      const problems: string[] = [];
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          problems.push(`${m.type()}: ${m.text()}`);
      });
      await page.goto(`${env.stack.url}/dashboard`);

      await expect.poll(() => page.locator('#sources-rows tr[data-source]').count(), POLL).toBe(3);
      const rows = await cells(page, '#sources-rows');
      // Source, player, version, sessions, plays (then startup, rebuffer, error rate).
      expect(rows.map((r) => r.slice(0, 5))).toStrictEqual([
        ['SDK', 'html5', '3.0.0', '3', '3'],
        ['CMCD', 'hls.js', '1.7.4', '2', '2'],
        ['CMCD', 'dash.js', '5.2.1', '1', '1'],
      ]);
      expect(rows[2][7]).toMatch(/^100(\.0)? %$/);
      expect(rows[0][7]).toMatch(/^0(\.0)? %$/);
      expect(await page.locator('#sources-summary').textContent()).toBe('3 of 6 sessions via CMCD');

      await page.click('.tabs button[data-dimension="source"]');
      await expect
        .poll(() => page.locator('#breakdown thead th:first-child').textContent())
        .toBe('Source');
      await expect
        .poll(async () =>
          (await page.locator('#breakdown tbody tr td:first-child').allTextContents()).sort(),
        )
        .toStrictEqual(['CMCD', 'SDK']);
      await page.locator('.sources').scrollIntoViewIfNeeded();
      await screenshot(page, 'sources-panel.png');

      await page.click('.tabs button[data-dimension="player_version"]');
      await expect
        .poll(async () =>
          (await page.locator('#breakdown tbody tr td:first-child').allTextContents()).sort(),
        )
        .toStrictEqual(['1.7.4', '3.0.0', '5.2.1']);

      // A CMCD session opens like an SDK one, naming its source and player.
      await page.goto(`${env.stack.url}/dashboard?session=sess_cmcd_hls_01`);
      await expect
        .poll(() => page.locator('dd[data-place="Source"]').textContent(), POLL)
        .toBe('CMCD');
      expect(await page.locator('dd[data-place="Player"]').textContent()).toBe('hls.js 1.7.4');
      expect(await page.locator('dd[data-place="SDK"]').textContent()).toBe('cmcd 2');
      // The player's link in the Sources card lists its sessions, with source and player shown.
      await page.goto(`${env.stack.url}/dashboard?sessions=source:cmcd`);
      await expect
        .poll(() => page.locator('#sessions tbody tr[data-session]').count(), POLL)
        .toBe(3);
      const listed = await page.locator('#sessions tbody tr td:nth-child(8)').allTextContents();
      expect(listed.sort()).toStrictEqual([
        'CMCD · dash.js 5.2.1',
        'CMCD · hls.js 1.7.4',
        'CMCD · hls.js 1.7.4',
      ]);

      expect(problems).toStrictEqual([]);
      await context.close();
    });
  },
  { prepare: mixedSources },
);
