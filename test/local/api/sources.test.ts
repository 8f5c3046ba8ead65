/**
 * The source slice in the API, over real DuckDB stores: `/sources` (source × player × version),
 * `/breakdown` by source and player version (`by=` as well as `dimension=`), and `source=` as a
 * filter of `/qoe`, `/breakdown` and `/timeseries`. The rollup answers read rollup rows filled by
 * hand, so the expected numbers are worked out here; the filtered series reads raw events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import { row } from '../../helpers/rollup-events.js';
import { addStartup, addSums, slice } from '../../helpers/rollup-rows.js';

const NOW = Date.UTC(2026, 10, 28, 12, 7, 30);
const M = (hh: number, mm: number) => Date.UTC(2026, 10, 28, hh, mm);

const SDK = slice({ player_name: 'html5', player_version: '', sdk_version: '1.2.0' });
const HLS = slice({
  source: 'cmcd',
  player_name: 'hls.js',
  player_version: '1.7.4',
  sdk_version: '2',
});
const HLS_OLD = slice({
  source: 'cmcd',
  player_name: 'hls.js',
  player_version: '1.6.0',
  sdk_version: '1',
});
const DASH = slice({
  source: 'cmcd',
  player_name: 'dash.js',
  player_version: '5.2.1',
  sdk_version: '2',
});

function context(store: DuckDbStore): ApiContext {
  return {
    queries: createDuckDbQueries(store),
    rollups: createDuckDbRollupQueries(store),
    health: () => ({}),
    now: () => NOW,
  };
}

describe('the source slice in the rollup endpoints', () => {
  let store: DuckDbStore;
  let ctx: ApiContext;
  const get = async (path: string, query = '') =>
    handleApi('GET', path, new URLSearchParams(query), ctx);

  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    await addSums(store, M(12, 0), SDK, {
      events: 40,
      sessions: 10,
      plays: 10,
      startups: 10,
      playedMs: 990_000,
      stallMs: 10_000,
    });
    await addSums(store, M(12, 1), HLS, {
      events: 30,
      sessions: 6,
      plays: 6,
      startups: 5,
      startFailures: 1,
      playedMs: 450_000,
      stallMs: 50_000,
    });
    await addSums(store, M(12, 2), HLS_OLD, { events: 5, sessions: 1, plays: 1, startups: 1 });
    await addSums(store, M(12, 3), DASH, {
      events: 12,
      sessions: 3,
      plays: 2,
      startups: 2,
      playbackFailures: 1,
      playedMs: 100_000,
    });
    for (let i = 0; i < 10; i++) await addStartup(store, M(12, 0), SDK, 800);
    for (const ms of [1_500, 1_500, 1_500, 3_000, 3_000])
      await addStartup(store, M(12, 1), HLS, ms);
    await addStartup(store, M(12, 3), DASH, 2_000, 2);
    ctx = context(store);
  });
  afterAll(async () => {
    await store.close();
  });

  it('GET /sources gives QoE per source × player × version, most sessions first', async () => {
    const r = await get('/sources', 'range=15m');
    expect(r.status).toBe(200);
    const body = r.body as { rows: Record<string, unknown>[]; filters: object };
    expect(body.filters).toStrictEqual({});
    const rows = body.rows.map((x) => ({
      ...x,
      startupP50Ms: x.startupP50Ms === null ? null : Math.round(Number(x.startupP50Ms) / 100) * 100,
    }));
    expect(rows).toStrictEqual([
      {
        source: 'sdk',
        playerName: 'html5',
        playerVersion: '',
        sessions: 10,
        plays: 10,
        startupP50Ms: 800,
        rebufferRatio: 10_000 / 1_000_000,
        errorRate: 0,
        nonFatalErrors: 0,
      },
      {
        source: 'cmcd',
        playerName: 'hls.js',
        playerVersion: '1.7.4',
        sessions: 6,
        plays: 6,
        startupP50Ms: 1_500,
        rebufferRatio: 50_000 / 500_000,
        errorRate: 1 / 6,
        nonFatalErrors: 0,
      },
      {
        source: 'cmcd',
        playerName: 'dash.js',
        playerVersion: '5.2.1',
        sessions: 3,
        plays: 2,
        startupP50Ms: 2_000,
        rebufferRatio: 0,
        errorRate: 1 / 2,
        nonFatalErrors: 0,
      },
      {
        source: 'cmcd',
        playerName: 'hls.js',
        playerVersion: '1.6.0',
        sessions: 1,
        plays: 1,
        startupP50Ms: null,
        rebufferRatio: null,
        errorRate: 0,
        nonFatalErrors: 0,
      },
    ]);
    const cmcdOnly = await get('/sources', 'range=15m&source=cmcd');
    expect((cmcdOnly.body as { rows: unknown[] }).rows).toHaveLength(3);
  });

  it('GET /breakdown groups by source and player_version (by= or dimension=)', async () => {
    const bySource = await get('/breakdown', 'by=source&range=15m');
    expect(bySource.status).toBe(200);
    const rows = (bySource.body as { rows: { value: string; sessions: number; plays: number }[] })
      .rows;
    expect(rows.map((x) => [x.value, x.sessions, x.plays]).sort()).toStrictEqual([
      ['cmcd', 10, 9],
      ['sdk', 10, 10],
    ]);
    const byVersion = await get('/breakdown', 'dimension=player_version&range=15m&source=cmcd');
    const body = byVersion.body as {
      dimension: string;
      filters: object;
      rows: { value: string; sessions: number }[];
    };
    expect([body.dimension, body.filters]).toStrictEqual(['player_version', { source: 'cmcd' }]);
    expect(body.rows.map((x) => [x.value, x.sessions]).sort()).toStrictEqual([
      ['1.6.0', 1],
      ['1.7.4', 6],
      ['5.2.1', 3],
    ]);
    // The rollout panel's SDK grouping: CMCD rows carry their CMCD version there.
    const bySdk = await get('/breakdown', 'by=sdk_version&range=15m');
    const sdk = (bySdk.body as { rows: { value: string; sessions: number }[] }).rows;
    expect(sdk.map((x) => [x.value, x.sessions]).sort()).toStrictEqual([
      ['1', 1],
      ['1.2.0', 10],
      ['2', 9],
    ]);
    expect(await get('/breakdown', 'by=source&dimension=pop&range=15m')).toStrictEqual({
      status: 400,
      body: { error: 'invalid_parameter', detail: 'by: give dimension or by, not both' },
    });
  });

  it('GET /qoe?source=cmcd measures the CMCD sessions only', async () => {
    const r = await get('/qoe', 'range=15m&source=cmcd');
    const body = r.body as {
      filters: object;
      plays: number;
      sessions: number;
      metrics: { rebufferRatio: number; playbackFailureRate: number };
    };
    expect(body.filters).toStrictEqual({ source: 'cmcd' });
    expect([body.sessions, body.plays]).toStrictEqual([10, 9]);
    expect(body.metrics.rebufferRatio).toBe(50_000 / 600_000);
    expect(body.metrics.playbackFailureRate).toBe(2 / 9);
    const sdk = await get('/qoe', 'range=15m&source=sdk');
    expect((sdk.body as { plays: number }).plays).toBe(10);
  });
});

describe('GET /timeseries?source=…', () => {
  it('counts the raw events of that source, even for whole-minute buckets', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const t = M(12, 1);
      const ev = (id: string, source: 'sdk' | 'cmcd' | null) =>
        row('started', { event_id: id, session_id: `sess_${id}_x`, time: t, source });
      await store.writeBatch({
        events: [ev('a1', 'cmcd'), ev('a2', 'cmcd'), ev('b1', 'sdk'), ev('c1', null)],
        badRows: [],
        checkpoints: [],
      });
      const ctx = context(store);
      const series = async (q: string) => {
        const r = await handleApi('GET', '/timeseries', new URLSearchParams(q), ctx);
        const body = r.body as {
          source: string;
          series: { started: [number, number][] };
        };
        return [body.source, body.series.started.reduce((a, [, n]) => a + n, 0)];
      };
      expect(await series('types=started&range=15m&bucket=60&source=cmcd')).toStrictEqual([
        'events',
        2,
      ]);
      // A row stored before the source column (NULL) is an SDK event.
      expect(await series('types=started&range=15m&bucket=60&source=sdk')).toStrictEqual([
        'events',
        2,
      ]);
      expect(await series('types=started&range=15m&bucket=60')).toStrictEqual(['rollups', 4]);
    } finally {
      await store.close();
    }
  });
});
