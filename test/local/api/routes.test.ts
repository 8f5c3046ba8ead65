import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { recordToRows } from '../../../core-pipeline/transform.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import { EVENT_TYPES, type BeaconBatch, type EnrichedRecord } from '../../../schemas/index.js';
import { makeBatch } from '../../helpers/batch-factory.js';
import { edgeContext, recordOfBatch } from '../../helpers/records.js';

/** An EnrichedRecord as the edge writes it, for a batch received at `receivedAt` through `pop`. */
function recordOf(
  batch: BeaconBatch,
  receivedAt: number,
  pop: string,
  region: string,
): EnrichedRecord {
  const requestId = `req-${batch.session_id}`;
  return recordOfBatch(
    batch,
    { receivedAt, requestId },
    {
      geo: { country: pop === 'FRA' ? 'DE' : 'SG', asn: '3320' },
      edge: edgeContext(requestId, pop, region),
    },
  );
}

describe('API routes over a real DuckDB store', () => {
  let store: DuckDbStore;
  let ctx: ApiContext;
  const now = Date.now();
  const get = (path: string, query = '') => handleApi('GET', path, new URLSearchParams(query), ctx);

  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    const old = makeBatch({ types: ['started', 'paused'], sent_at: now - 7_200_000 });
    const fresh = makeBatch({
      types: [
        'requested',
        'started',
        'first_frame',
        'paused',
        'volume_changed',
        'variant_loaded',
        'heartbeat',
      ],
      sent_at: now - 5_000,
    });
    const sin = makeBatch({ types: ['requested', 'started', 'first_frame'], sent_at: now - 4_000 });
    const rows = [
      ...recordToRows(recordOf(old, now - 7_200_000, 'FRA', 'eu-central-1'), now).events,
      ...recordToRows(recordOf(fresh, now - 5_000, 'FRA', 'eu-central-1'), now).events,
      ...recordToRows(recordOf(sin, now - 4_000, 'SIN', 'ap-southeast-1'), now).events,
    ];
    const badRow = toStoredBadRow(
      {
        received_at: now - 3_000,
        request_id: 'req-bad',
        status: 400,
        reason: 'invalid_json',
        detail: 'Unexpected token',
        payload: '{nope',
        payload_encoding: 'text',
      },
      now,
    );
    await store.writeBatch({ events: rows, badRows: [badRow], checkpoints: [] });
    ctx = {
      queries: createDuckDbQueries(store),
      rollups: createDuckDbRollupQueries(store),
      health: () => ({ consumer: { lagMs: 0 } }),
      now: () => now,
    };
  });
  afterAll(async () => {
    await store.close();
  });

  it('GET /counts?since= counts stored events per type received since then (fixed contract)', async () => {
    const r = await get('/counts', `since=${new Date(now - 60_000).toISOString()}`);
    const expected = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
    Object.assign(expected, {
      requested: 2,
      started: 2,
      first_frame: 2,
      paused: 1,
      volume_changed: 1,
      variant_loaded: 1,
      heartbeat: 1,
    });
    expect(r).toStrictEqual({ status: 200, body: expected });
    const all = await get('/counts', `since=${new Date(now - 86_400_000).toISOString()}`);
    expect((all.body as Record<string, number>).started).toBe(3);
  });

  it.each([
    [
      '',
      {
        error: 'missing_parameter',
        detail: 'since is required: an ISO 8601 time such as 2026-11-28T12:00:00Z',
      },
    ],
    [
      'since=soon',
      {
        error: 'invalid_parameter',
        detail: 'since: "soon" is not an ISO 8601 time such as 2026-11-28T12:00:00Z',
      },
    ],
  ])('GET /counts?%s answers 400 with a JSON error', async (query, body) => {
    expect(await get('/counts', query)).toStrictEqual({ status: 400, body });
  });

  it('GET /timeseries gives aligned buckets for the demo types (raw events below a minute)', async () => {
    const r = await get('/timeseries', 'range=15m');
    const body = r.body as {
      bucketSeconds: number;
      source: string;
      series: Record<string, [number, number][]>;
    };
    expect(r.status).toBe(200);
    expect(body.source).toBe('events');
    expect(Object.keys(body.series)).toStrictEqual([
      'started',
      'paused',
      'volume_changed',
      'variant_loaded',
    ]);
    expect(body.bucketSeconds).toBe(10);
    const sum = (t: string) => body.series[t].reduce((s, [, n]) => s + n, 0);
    expect(sum('started')).toBe(2);
    expect(sum('paused')).toBe(1);
    expect(new Set(Object.values(body.series).map((s) => s.length)).size).toBe(1);
  });

  it('GET /totals, /qoe and /breakdown describe the window from the rollups the store filled', async () => {
    const totals = (await get('/totals', 'range=15m')).body as {
      events: number;
      sessions: number;
      badRows: number;
      byType: Record<string, number>;
    };
    expect(totals).toMatchObject({ events: 10, sessions: 2, badRows: 1 });
    expect(totals.byType.started).toBe(2);
    const qoe = (await get('/qoe', 'range=15m')).body as { plays: number; filters: object };
    expect(qoe.plays).toBe(2);
    expect((await get('/qoe', 'range=15m&pop=SIN')).body).toMatchObject({
      plays: 1,
      filters: { pop: 'SIN' },
    });
    const b = (await get('/breakdown', 'dimension=pop&range=1h')).body as {
      dimension: string;
      rows: { value: string; sessions: number }[];
    };
    expect(b.dimension).toBe('pop');
    expect(b.rows.map((x) => [x.value, x.sessions]).sort()).toStrictEqual([
      ['FRA', 1],
      ['SIN', 1],
    ]);
  });

  it('GET /bad-rows lists counts by reason and the latest rows', async () => {
    const r = (await get('/bad-rows', 'range=15m')).body as {
      counts: Record<string, number>;
      recent: { reason: string; payload: string }[];
    };
    expect(r.counts).toStrictEqual({ invalid_json: 1 });
    expect(r.recent.map((x) => [x.reason, x.payload])).toStrictEqual([['invalid_json', '{nope']]);
  });

  it('answers errors as JSON: bad dimension, unknown path, wrong method', async () => {
    expect(await get('/breakdown', 'dimension=planet')).toStrictEqual({
      status: 400,
      body: {
        error: 'invalid_parameter',
        detail:
          'dimension: must be one of serving_region, pop, country, country_region, asn, device, player_name, sdk_name, sdk_version, schema_version, content_id, source, player_version',
      },
    });
    expect(await get('/breakdown')).toMatchObject({
      status: 400,
      body: { error: 'missing_parameter' },
    });
    expect(await get('/nope')).toStrictEqual({
      status: 404,
      body: { error: 'not_found', detail: 'no API endpoint /api/v1/nope; see /api/v1' },
    });
    expect(await get('/constructor')).toMatchObject({ status: 404 });
    expect(await handleApi('POST', '/counts', new URLSearchParams(), ctx)).toStrictEqual({
      status: 405,
      body: { error: 'method_not_allowed', detail: 'POST is not allowed; use GET' },
      headers: { Allow: 'GET, HEAD' },
    });
  });

  it('GET /health reports status and the context', async () => {
    expect(await get('/health')).toStrictEqual({
      status: 200,
      body: { status: 'ok', consumer: { lagMs: 0 } },
    });
  });
});
