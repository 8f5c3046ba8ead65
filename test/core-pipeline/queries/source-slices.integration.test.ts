/**
 * `source` and `player_version` as rollup dimensions, through the real DuckDbStore: sessions of
 * both sources (and rows stored before the source column, whose NULL counts as sdk) break down
 * and filter the same way in the rollups, the raw-event series and the session list; and a store
 * whose rollup tables predate the two dimensions is rebuilt from its events on open.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { createDuckDbSessionQueries } from '../../../core-pipeline/queries/duckdb-sessions.js';
import type { AggregateByResult } from '../../../core-pipeline/queries/types.js';
import { qoeMetrics } from '../../../core-pipeline/rollups/aggregate.js';
import type { EventRow } from '../../../core-pipeline/rows.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { T0 } from '../../helpers/records.js';
import { row } from '../../helpers/rollup-events.js';
import { tempDir } from '../../helpers/temp-store.js';

const dir = tempDir('source-slices-');
afterAll(() => dir.remove());

const window = { from: new Date(T0 - 60_000), to: new Date(T0 + 10 * 60_000) };
const CONFIG = { rollupMaintenanceMs: 0, rollupHorizonMs: 10 * 365 * 86_400_000 };

/** One session's events; `at` offsets in ms from T0, seq in order. */
function session(
  id: string,
  fields: Partial<EventRow>,
  events: [type: string, at: number, extra?: Partial<EventRow>][],
): EventRow[] {
  return events.map(([type, at, extra], seq) =>
    row(type, {
      ...fields,
      session_id: id,
      event_id: `${id}_${seq}`,
      seq,
      time: T0 + at,
      ...extra,
    }),
  );
}

const HLS = { source: 'cmcd', sdk_name: 'cmcd', sdk_version: '2', player_name: 'hls.js' } as const;
const DASH = {
  source: 'cmcd',
  sdk_name: 'cmcd',
  sdk_version: '2',
  player_name: 'dash.js',
} as const;

/** Sessions of known outcome: two from the SDK (one stored before the column), two from CMCD. */
const SDK_EVENTS = [
  ...session('sess_sdk_new', { source: 'sdk', player_version: '3.0.0' }, [
    ['requested', 0],
    ['first_frame', 1_000, { startup_ms: 1_000 }],
    ['heartbeat', 20_000, { played_ms: 19_000, stall_ms: 0, stall_count: 0 }],
  ]),
  ...session('sess_sdk_old', { source: null }, [
    ['requested', 0],
    ['first_frame', 500, { startup_ms: 500 }],
    ['heartbeat', 20_000, { played_ms: 19_500, stall_ms: 0, stall_count: 0 }],
  ]),
];
const CMCD_EVENTS = [
  ...session('sess_cmcd_hls', { ...HLS, player_version: '1.7.4' }, [
    ['requested', 0],
    ['first_frame', 2_000, { startup_ms: 2_000 }],
    ['stall_start', 5_000],
    ['stall_end', 6_000, { stall_ms: 1_000 }],
    ['heartbeat', 12_000, { played_ms: 9_000, stall_ms: 1_000, stall_count: 1 }],
  ]),
  ...session('sess_cmcd_dash', { ...DASH, player_version: '5.2.1' }, [
    ['requested', 0],
    ['error', 3_000, { fatal: true, error_code: 'MEDIA_ERR' }],
  ]),
];

const slice = (r: AggregateByResult, value: string) => r.slices.find((s) => s.value === value)?.agg;

async function filled(file = ':memory:'): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(file, CONFIG);
  await store.writeBatch({ events: [...SDK_EVENTS, ...CMCD_EVENTS], badRows: [], checkpoints: [] });
  return store;
}

describe('source and player_version slices', () => {
  it('break down by source (a NULL source counts as sdk) and by player_version', async () => {
    const store = await filled();
    try {
      const rollups = createDuckDbRollupQueries(store);
      const bySource = await rollups.aggregateBy({ ...window, dimension: 'source' });
      expect(bySource.slices.map((s) => s.value).sort()).toStrictEqual(['cmcd', 'sdk']);
      const sdk = slice(bySource, 'sdk');
      const cmcd = slice(bySource, 'cmcd');
      expect([sdk?.sessions, sdk?.plays, sdk?.startups, sdk?.startFailures]).toStrictEqual([
        2, 2, 2, 0,
      ]);
      expect([cmcd?.sessions, cmcd?.plays, cmcd?.startups, cmcd?.startFailures]).toStrictEqual([
        2, 2, 1, 1,
      ]);
      expect(cmcd && qoeMetrics(cmcd).rebufferRatio).toBe(1_000 / 10_000);
      const byVersion = await rollups.aggregateBy({ ...window, dimension: 'player_version' });
      expect(byVersion.slices.map((s) => [s.value, s.agg.sessions]).sort()).toStrictEqual([
        ['', 1],
        ['1.7.4', 1],
        ['3.0.0', 1],
        ['5.2.1', 1],
      ]);
      // The rollout panel's SDK grouping sees the CMCD version as the sdk_version.
      const bySdk = await rollups.aggregateBy({ ...window, dimension: 'sdk_version' });
      expect(slice(bySdk, '2')?.sessions).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('filters on source in aggregates, every-dimension reads, event series and session lists', async () => {
    const store = await filled();
    try {
      const rollups = createDuckDbRollupQueries(store);
      const cmcd = await rollups.aggregateBy({
        ...window,
        dimension: 'player_name',
        filters: { source: 'cmcd' },
      });
      expect([cmcd.total.sessions, cmcd.total.plays, cmcd.total.events]).toStrictEqual([
        2,
        2,
        CMCD_EVENTS.length,
      ]);
      expect(cmcd.slices.map((s) => s.value).sort()).toStrictEqual(['dash.js', 'hls.js']);
      const sdk = await rollups.aggregateBy({
        ...window,
        dimension: null,
        filters: { source: 'sdk' },
      });
      expect(sdk.total.events).toBe(SDK_EVENTS.length);

      const each = await rollups.aggregateByEach?.({
        ...window,
        dimensions: ['source', 'player_version'],
        filters: { source: 'cmcd' },
      });
      expect(each?.map((r) => r.slices.map((s) => s.value).sort())).toStrictEqual([
        ['cmcd'],
        ['1.7.4', '5.2.1'],
      ]);

      const series = await createDuckDbQueries(store).timeseries({
        ...window,
        types: ['requested', 'first_frame'],
        bucketSeconds: 600,
        filters: { source: 'sdk' },
      });
      const sum = (t: 'requested' | 'first_frame') =>
        (series.series[t] ?? []).reduce((a, [, n]) => a + n, 0);
      expect([sum('requested'), sum('first_frame')]).toStrictEqual([2, 2]);
      await expect(
        rollups.typeSeries({
          ...window,
          types: ['requested'],
          bucketSeconds: 60,
          filters: { source: 'sdk' },
        }),
      ).rejects.toThrow(/no slices/);

      const sessions = createDuckDbSessionQueries(store);
      const listed = await sessions.recentSessions({
        since: new Date(T0 - 3_600_000),
        filters: { source: 'sdk' },
      });
      expect(listed.map((s) => [s.sessionId, s.place.source]).sort()).toStrictEqual([
        ['sess_sdk_new', 'sdk'],
        ['sess_sdk_old', 'sdk'],
      ]);
      const one = await sessions.session('sess_cmcd_hls');
      expect(one?.place).toMatchObject({
        source: 'cmcd',
        player_name: 'hls.js',
        player_version: '1.7.4',
        sdk_name: 'cmcd',
      });
    } finally {
      await store.close();
    }
  });

  it('rebuilds rollup tables that predate the two dimensions from the events, old rows as sdk', async () => {
    const file = dir.file('old.duckdb');
    const store = await DuckDbStore.open(file, CONFIG);
    await store.writeBatch({ events: SDK_EVENTS, badRows: [], checkpoints: [] });
    await store.close();
    // The store as the build before the dimensions left it: no source column on the events,
    // rollup tables keyed by ten dimensions.
    const raw = await DuckDBInstance.create(file);
    const con = await raw.connect();
    await con.run('ALTER TABLE events DROP COLUMN source');
    for (const t of ['rollup_1m', 'rollup_startup_1m'])
      for (const c of ['source', 'player_version'])
        await con.run(`ALTER TABLE ${t} DROP COLUMN ${c}`);
    con.closeSync();
    raw.closeSync();

    const reopened = await DuckDbStore.open(file, CONFIG);
    try {
      const [nulls] = await reopened.query(
        'SELECT count(*) FILTER (WHERE source IS NULL)::INTEGER AS n, count(*)::INTEGER AS all FROM events',
      );
      expect(nulls).toStrictEqual({ n: SDK_EVENTS.length, all: SDK_EVENTS.length });
      const rollups = createDuckDbRollupQueries(reopened);
      const bySource = await rollups.aggregateBy({ ...window, dimension: 'source' });
      expect(bySource.slices.map((s) => [s.value, s.agg.sessions, s.agg.events])).toStrictEqual([
        ['sdk', 2, SDK_EVENTS.length],
      ]);
      // Rebuilt from the events, the old sessions keep their real player version.
      const byVersion = await rollups.aggregateBy({ ...window, dimension: 'player_version' });
      expect(byVersion.slices.map((s) => [s.value, s.agg.sessions]).sort()).toStrictEqual([
        ['', 1],
        ['3.0.0', 1],
      ]);
      // New CMCD sessions land beside them, and compaction keeps every key.
      await reopened.writeBatch({ events: CMCD_EVENTS, badRows: [], checkpoints: [] });
      await reopened.maintainRollups(T0 + 86_400_000);
      const after = await rollups.aggregateBy({ ...window, dimension: 'source' });
      expect(after.slices.map((s) => [s.value, s.agg.sessions]).sort()).toStrictEqual([
        ['cmcd', 2],
        ['sdk', 2],
      ]);
      expect(
        (await rollups.aggregateBy({ ...window, dimension: null, filters: { source: 'sdk' } }))
          .total.startups,
      ).toBe(2);
    } finally {
      await reopened.close();
    }
    // A second open of the now current store changes nothing.
    const again = await DuckDbStore.open(file, CONFIG);
    try {
      const r = await createDuckDbRollupQueries(again).aggregateBy({
        ...window,
        dimension: 'source',
      });
      expect(r.slices.map((s) => [s.value, s.agg.sessions]).sort()).toStrictEqual([
        ['cmcd', 2],
        ['sdk', 2],
      ]);
    } finally {
      await again.close();
    }
  });
});
