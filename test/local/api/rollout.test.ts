/**
 * `GET /api/v1/rollout` through `handleApi`, over a real DuckDB store holding two schema versions
 * and SDK releases (events, bad rows, rollout refusals): the answer's shape and numbers, and a
 * 400 with a reason for every bad parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { createDuckDbRolloutQueries } from '../../../core-pipeline/queries/duckdb-rollout.js';
import type { RolloutVersion } from '../../../core-pipeline/queries/rollout-answers.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import {
  badRow,
  edgeContext,
  enrichedRecord,
  event,
  rolloutRefusal,
} from '../../helpers/records.js';
import { batchOf } from '../../helpers/temp-store.js';

/** A time well inside a minute, so `range=1h` reads 61 whole minutes. */
const now = Date.UTC(2026, 10, 28, 12, 30, 30);
const OLD = { schema_version: '1-0-0', sdk_name: 'beacon-edge-web', sdk_version: '0.1.0' };
const NEW = { schema_version: '1-1-0', sdk_name: 'beacon-edge-web', sdk_version: '0.2.0' };

const play = (id: string, at: number, v: typeof OLD) =>
  enrichedRecord({
    ...v,
    session_id: id,
    received_at: at,
    edge: edgeContext(`req-${id}`, 'FRA56-C1'),
    events: [
      event('requested', { seq: 0, ts: at - 3000 }),
      event('first_frame', { seq: 1, ts: at - 2000, startup_ms: 800 }),
    ],
  });

describe('GET /api/v1/rollout', () => {
  let store: DuckDbStore;
  let ctx: ApiContext;
  const get = (query: string) => handleApi('GET', '/rollout', new URLSearchParams(query), ctx);

  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    await store.writeBatch(
      batchOf(
        [
          play('sess_old_00001', now - 40 * 60_000, OLD),
          play('sess_old_00002', now - 30 * 60_000, OLD),
          play('sess_new_00001', now - 5 * 60_000, NEW),
        ],
        {
          badRows: [badRow({ ...NEW, received_at: now - 4 * 60_000 })],
          refusals: [
            rolloutRefusal({ ...OLD, received_at: now - 60_000, events: 4 }),
            rolloutRefusal({ ...OLD, received_at: now - 50_000, events: 2 }),
          ],
        },
      ),
    );
    ctx = {
      queries: createDuckDbQueries(store),
      rollups: createDuckDbRollupQueries(store),
      rollout: createDuckDbRolloutQueries(store),
      health: () => ({}),
      now: () => now,
    };
  });
  afterAll(() => store.close());

  it('answers per schema version: totals, refusals and a series per version', async () => {
    const r = await get('range=1h&by=schema');
    expect(r.status).toBe(200);
    const body = r.body as {
      by: string;
      since: string;
      to: string;
      bucketSeconds: number;
      versions: RolloutVersion[];
      series: { version: string; points: { t: number; share: number | null }[] }[];
    };
    expect([body.by, body.since, body.to, body.bucketSeconds]).toStrictEqual([
      'schema',
      '2026-11-28T11:30:00.000Z',
      '2026-11-28T12:31:00.000Z',
      60,
    ]);
    const row = (v: RolloutVersion) => [
      v.label,
      v.events,
      v.plays,
      v.share,
      v.badRows,
      v.refusedRequests,
      v.refusalsByReason,
    ];
    expect(body.versions.map(row)).toStrictEqual([
      ['1-0-0', 4, 2, 4 / 6, 0, 2, { schema_retired: 2 }],
      ['1-1-0', 2, 1, 2 / 6, 1, 0, {}],
    ]);
    expect(body.series.map((s) => s.version)).toStrictEqual(['1-0-0', '1-1-0']);
    for (const s of body.series) expect(s.points).toHaveLength(61);
    // The newer version's share: all of the events of its minute, none before.
    const shares = body.series[1].points.filter((p) => p.share !== null && p.share > 0);
    expect(shares.map((p) => p.share)).toStrictEqual([1]);
  });

  it('answers per SDK release, named sdk_name@sdk_version', async () => {
    const r = await get('range=1h&by=sdk');
    expect(r.status).toBe(200);
    const versions = (r.body as { versions: RolloutVersion[] }).versions;
    expect(versions.map((v) => [v.label, v.events, v.badRows])).toStrictEqual([
      ['beacon-edge-web@0.1.0', 4, 0],
      ['beacon-edge-web@0.2.0', 2, 1],
    ]);
  });

  it('rounds a default bucket below a minute up to one minute', async () => {
    const r = await get('range=15m');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ by: 'schema', bucketSeconds: 60 });
  });

  it.each([
    ['by=version', 'by: must be one of schema, sdk'],
    ['range=2h', 'range: must be one of 5m, 15m, 1h, 6h, 24h'],
    [
      'range=1h&bucket=90',
      'bucket: must be a multiple of 60 (the rollout panel reads the per-minute rollups)',
    ],
    ['range=1h&bucket=abc', 'bucket: "abc" is not a whole number'],
    ['range=1h&from=2026-11-28T12:00:00Z', 'range: give either range or from/since, not both'],
  ])('400 for %s', async (query, detail) => {
    const r = await get(query);
    expect(r).toStrictEqual({ status: 400, body: { error: 'invalid_parameter', detail } });
  });

  it('501 when the store offers no rollout read', async () => {
    const r = await handleApi('GET', '/rollout', new URLSearchParams('range=1h'), {
      ...ctx,
      rollout: undefined,
    });
    expect(r.status).toBe(501);
    expect(r.body).toMatchObject({ error: 'not_available' });
  });

  it('is listed in the API index', async () => {
    const r = await handleApi('GET', '/', new URLSearchParams(), ctx);
    expect(JSON.stringify(r.body)).toContain('GET /api/v1/rollout?range=…&by=schema|sdk');
  });
});
