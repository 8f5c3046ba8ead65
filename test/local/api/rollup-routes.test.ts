/**
 * The API endpoints that read rollups, over a real DuckDB store whose rollup tables are filled by
 * hand (so the answers can be worked out here, whatever the engine does): whole-minute windows,
 * the new dimensions as filters and breakdowns, the measures, and the 400s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import {
  addStartup,
  addSums,
  addTypeCount,
  slice,
  type SumsArgs,
} from '../../helpers/rollup-rows.js';

const MIN = 60_000;
/** 12:07:30: range=15m reads the minutes 11:52 to 12:08. */
const NOW = Date.UTC(2026, 10, 28, 12, 7, 30);
const M = (hh: number, mm: number) => Date.UTC(2026, 10, 28, hh, mm);

const HLS = slice({
  pop: 'FRA56-C1',
  country: 'DE',
  country_region: 'DE-HE',
  sdk_version: '1.2.0',
  content_id: 'sintel',
});
const DASH = slice({ pop: 'SIN2-C1', country: 'SG', sdk_version: '1.1.0', content_id: 'bunny' });
const BARE = slice({ sdk_version: '1.2.0' });

describe('API endpoints on the rollups', () => {
  let store: DuckDbStore;
  let ctx: ApiContext;
  const get = async (path: string, query = '') =>
    handleApi('GET', path, new URLSearchParams(query), ctx);

  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    const s = (...a: SumsArgs) => addSums(store, ...a);
    await s(M(11, 51), HLS, { events: 50, sessions: 50, plays: 50 }); // before the window
    await s(M(11, 52), HLS, {
      events: 20,
      sessions: 4,
      plays: 4,
      startups: 4,
      playedMs: 570_000,
      stallMs: 30_000,
      stallCount: 3,
    });
    await s(M(12, 7), DASH, {
      events: 10,
      sessions: 2,
      plays: 2,
      startFailures: 1,
      playedMs: 60_000,
    });
    await s(M(12, 7), BARE, { events: 1, sessions: 1 });
    for (const ms of [500, 800, 1_200, 5_000]) await addStartup(store, M(11, 52), HLS, ms);
    await addTypeCount(store, M(11, 52), 'started', 4);
    await addTypeCount(store, M(12, 7), 'started', 2);
    await addTypeCount(store, M(12, 7), 'heartbeat', 25);
    await addTypeCount(store, M(11, 51), 'started', 50);
    ctx = {
      queries: createDuckDbQueries(store),
      rollups: createDuckDbRollupQueries(store),
      health: () => ({}),
      now: () => NOW,
    };
  });
  afterAll(async () => {
    await store.close();
  });

  it('GET /qoe sums the whole minutes the range touches and gives every measure', async () => {
    const r = await get('/qoe', 'range=15m');
    expect(r.status).toBe(200);
    const body = r.body as Record<string, never> & {
      stalls: Record<string, number>;
      metrics: Record<string, number>;
      startup: Record<string, number>;
    };
    expect(body).toMatchObject({
      since: '2026-11-28T11:52:00.000Z',
      to: '2026-11-28T12:08:00.000Z',
      filters: {},
      sessions: 7,
      plays: 6,
      startFailures: 1,
      startFailureRate: 1 / 6,
    });
    expect(body.stalls).toMatchObject({
      stallMs: 30_000,
      watchMs: 660_000,
      rebufferRatio: 30_000 / 660_000,
    });
    // 660 s watched over the 15.5 min from 11:52:00 to now.
    expect(body.metrics.concurrentViewers).toBeCloseTo(660_000 / (15.5 * MIN), 9);
    expect(body.startup.p50Ms).toBeCloseTo(800, -1);
  });

  it('GET /qoe filters on the rollup dimensions, (unknown) selecting missing values', async () => {
    const de = await get('/qoe', 'range=15m&country_region=DE-HE&sdk_version=1.2.0');
    expect(de.body).toMatchObject({
      sessions: 4,
      filters: { country_region: 'DE-HE', sdk_version: '1.2.0' },
    });
    const unknown = await get('/qoe', 'range=15m&pop=(unknown)');
    expect(unknown.body).toMatchObject({ sessions: 1, filters: { pop: '(unknown)' } });
    expect(await get('/qoe', 'range=15m&pop=')).toStrictEqual({
      status: 400,
      body: {
        error: 'invalid_parameter',
        detail: 'pop: must not be empty ((unknown) selects events without one)',
      },
    });
  });

  it('GET /breakdown ranks the slices of any rollup dimension', async () => {
    const r = await get('/breakdown', 'dimension=sdk_version&range=15m');
    const body = r.body as {
      dimension: string;
      since: string;
      rows: { value: string; sessions: number }[];
    };
    expect(body.dimension).toBe('sdk_version');
    expect(body.since).toBe('2026-11-28T11:52:00.000Z');
    // 1.1.0 has the only start failure: it hurts most.
    expect(body.rows.map((x) => [x.value, x.sessions])).toStrictEqual([
      ['1.1.0', 2],
      ['1.2.0', 5],
    ]);
    const pops = (await get('/breakdown', 'dimension=pop&range=15m&limit=1')).body as {
      rows: unknown[];
    };
    expect(pops.rows).toHaveLength(1);
    expect((await get('/breakdown', 'dimension=edge_region&range=15m')).status).toBe(400);
  });

  it('GET /totals counts events per type, sessions and contents from the rollups', async () => {
    const r = await get('/totals', 'range=15m');
    expect(r.body).toMatchObject({
      since: '2026-11-28T11:52:00.000Z',
      events: 31,
      sessions: 7,
      plays: 6,
      contents: 2,
      badRows: 0,
      lastReceivedAt: null,
    });
    expect((r.body as { byType: Record<string, number> }).byType).toMatchObject({
      started: 6,
      heartbeat: 25,
      paused: 0,
    });
  });

  it('GET /timeseries reads the type counts when the buckets are whole minutes', async () => {
    const r = await get('/timeseries', 'types=started&range=15m&bucket=300');
    const body = r.body as { source: string; series: { started: [number, number][] } };
    expect(body.source).toBe('rollups');
    // Buckets of 5 min from 11:50 (11:52:30 aligned down): 11:50 holds 11:51 and 11:52.
    expect(body.series.started).toStrictEqual([
      [M(11, 50), 54],
      [M(11, 55), 0],
      [M(12, 0), 0],
      [M(12, 5), 2],
    ]);
  });

  it('lists the whole-minute windows in the index', async () => {
    const index = (await get('/')).body as { windows: string; endpoints: Record<string, string> };
    expect(index.windows).toMatch(/whole minutes/);
    expect(Object.keys(index.endpoints).join(' ')).toMatch(/country_region/);
  });
});
