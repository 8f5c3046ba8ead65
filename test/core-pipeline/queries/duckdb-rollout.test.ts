/**
 * The rollout read on a real in-memory DuckDB store, filled through the store's own write path
 * (the rollup engine runs in the batch transaction): events of two schema versions and SDK
 * releases, bad rows carrying their version columns, and rollout refusals. Every number is
 * counted by hand from the rows below.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../../../core-pipeline/errors.js';
import { createDuckDbRolloutQueries } from '../../../core-pipeline/queries/duckdb-rollout.js';
import { sketchBucket, sketchValue } from '../../../core-pipeline/rollups/aggregate.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../../../core-pipeline/rows.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { row } from '../../helpers/rollup-events.js';
import { tempDir } from '../../helpers/temp-store.js';

const MIN = 60_000;
/** A minute boundary, and a multiple of the 5-minute buckets read below. */
const T = Date.UTC(2026, 10, 28, 12, 0, 0);

const V1 = { schema_version: '1-0-0', sdk_name: 'beacon-edge-web', sdk_version: '0.1.0' };
const V2 = { schema_version: '2-0-0', sdk_name: 'beacon-edge-web', sdk_version: '0.3.0' };
/** Another SDK that happens to share V2's version number. */
const V2_TV = { ...V2, sdk_name: 'beacon-edge-tv' };

/** A session's events, one second apart from `at`, seq in order. */
function session(
  id: string,
  at: number,
  version: Partial<EventRow>,
  events: [type: string, fields?: Partial<EventRow>][],
): EventRow[] {
  return events.map(([type, fields], seq) =>
    row(type, {
      ...version,
      session_id: id,
      seq,
      ts: at + seq * 1000,
      time: at + seq * 1000,
      received_at: at + seq * 1000 + 200,
      ...fields,
    }),
  );
}

function badRow(id: string, at: number, v: Partial<StoredBadRow>): StoredBadRow {
  return {
    bad_row_id: id,
    source: 'edge',
    received_at: at,
    ingested_at: at,
    request_id: `req_${id}`,
    status: 400,
    reason: 'schema_violation',
    detail: null,
    index: 0,
    session_id: null,
    event_id: null,
    schema_version: null,
    sdk_name: null,
    sdk_version: null,
    pop: 'FRA56-C1',
    payload: '{}',
    payload_encoding: 'text',
    payload_truncated: false,
    ...v,
  };
}

function refusal(
  id: string,
  at: number,
  v: typeof V1,
  reason: StoredRefusal['reason'],
  events: number,
): StoredRefusal {
  return {
    request_id: id,
    received_at: at,
    ingested_at: at,
    status: 410,
    reason,
    detail: 'refused',
    rule: `${v.schema_version}:retired`,
    ...v,
    session_id: `sess_${id}`,
    events,
    pop: null,
  };
}

let store: DuckDbStore;
const q = () => createDuckDbRolloutQueries(store);

beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
  const events = [
    // 1-0-0: two plays in minute 0, one failing after its first frame.
    ...session('sess_v1_a', T, V1, [['requested'], ['first_frame', { startup_ms: 500 }]]),
    ...session('sess_v1_b', T + 10_000, V1, [
      ['requested'],
      ['first_frame', { startup_ms: 700 }],
      ['error', { fatal: true, error_code: 'E1' }],
    ]),
    // 2-0-0: three plays in minutes 6 and 7, one failing before any frame, one still starting.
    ...session('sess_v2_a', T + 6 * MIN, V2, [
      ['requested'],
      ['first_frame', { startup_ms: 1000 }],
    ]),
    ...session('sess_v2_b', T + 7 * MIN, V2, [['requested'], ['error', { fatal: true }]]),
    ...session('sess_v2_tv', T + 7 * MIN, V2_TV, [['requested']]),
    // Outside the window: must not count.
    ...session('sess_v1_late', T + 20 * MIN, V1, [['requested']]),
  ];
  await store.writeBatch({
    events,
    badRows: [
      badRow('bad1', T + MIN, { ...V1 }),
      badRow('bad2', T + MIN + 5, { ...V1 }),
      badRow('bad3', T + 2 * MIN, {}), // an unreadable body: no version known
      badRow('bad_late', T + 30 * MIN, { ...V2 }),
    ],
    refusals: [
      refusal('req_r1', T + 8 * MIN, V1, 'schema_retired', 3),
      refusal('req_r2', T + 8 * MIN + 1, V1, 'schema_retired', 4),
      refusal('req_r3', T + 9 * MIN, V2, 'session_not_sampled', 2),
    ],
    checkpoints: [],
  });
});
afterAll(async () => {
  await store.close();
});

const startup = (ms: number) => sketchValue(sketchBucket(ms));
const window = { from: new Date(T), to: new Date(T + 10 * MIN), bucketSeconds: 300 };

describe('rollout by schema version', () => {
  it('totals each version: events, plays, share, bad-row rate, error rate, startup, refusals', async () => {
    const r = await q().rollout({ ...window, by: 'schema' });
    expect([r.fromMs, r.toMs, r.bucketSeconds]).toStrictEqual([T, T + 10 * MIN, 300]);
    expect(r.versions.map((v) => [v.version, v.label])).toStrictEqual([
      ['1-0-0', '1-0-0'],
      ['2-0-0', '2-0-0'],
      ['', '(unknown)'],
    ]);
    const [v1, v2, unknown] = r.versions;
    expect(v1).toStrictEqual({
      version: '1-0-0',
      label: '1-0-0',
      events: 5,
      sessions: 2,
      plays: 2,
      share: 0.5,
      badRows: 2,
      badRowRate: 2 / 7,
      failures: 1,
      errorRate: 0.5,
      startupP50Ms: startup(500),
      startupP95Ms: startup(700),
      refusedRequests: 2,
      refusedEvents: 7,
      refusalsByReason: { schema_retired: 2 },
    });
    expect(v2).toMatchObject({
      events: 5,
      sessions: 3,
      plays: 3,
      share: 0.5,
      badRows: 0,
      badRowRate: 0,
      failures: 1,
      errorRate: 1 / 3,
      startupP50Ms: startup(1000),
      refusedRequests: 1,
      refusedEvents: 2,
      refusalsByReason: { session_not_sampled: 1 },
    });
    expect(unknown).toMatchObject({
      events: 0,
      badRows: 1,
      badRowRate: 1,
      share: 0,
      errorRate: null,
    });
    expect(r.total).toMatchObject({
      events: 10,
      plays: 5,
      share: 1,
      badRows: 3,
      badRowRate: 3 / 13,
      failures: 2,
      errorRate: 0.4,
      refusedRequests: 3,
      refusedEvents: 9,
    });
  });

  it('gives every version a point per bucket, its share of that bucket’s events', async () => {
    const r = await q().rollout({ ...window, by: 'schema' });
    const points = Object.fromEntries(
      r.series.map((s) => [
        s.version,
        s.points.map((p) => [p.t, p.events, p.share, p.badRows, p.refusedRequests]),
      ]),
    );
    expect(points).toStrictEqual({
      '1-0-0': [
        [T, 5, 1, 2, 0],
        [T + 5 * MIN, 0, 0, 0, 2],
      ],
      '2-0-0': [
        [T, 0, 0, 0, 0],
        [T + 5 * MIN, 5, 1, 0, 1],
      ],
      '': [
        [T, 0, 0, 1, 0],
        [T + 5 * MIN, 0, 0, 0, 0],
      ],
    });
    const v2 = r.series[1].points[1];
    expect([v2.errorRate, v2.startupP50Ms]).toStrictEqual([1 / 3, startup(1000)]);
  });
});

describe('rollout by SDK release', () => {
  it('groups by name@version: two SDKs that share a version number are two releases', async () => {
    const r = await q().rollout({ ...window, by: 'sdk' });
    expect(
      r.versions.map((v) => [
        v.version,
        v.label,
        v.events,
        v.sessions,
        v.badRows,
        v.refusedRequests,
      ]),
    ).toStrictEqual([
      ['beacon-edge-web@0.1.0', 'beacon-edge-web@0.1.0', 5, 2, 2, 2],
      ['beacon-edge-web@0.3.0', 'beacon-edge-web@0.3.0', 4, 2, 0, 1],
      ['beacon-edge-tv@0.3.0', 'beacon-edge-tv@0.3.0', 1, 1, 0, 0],
      ['', '(unknown)', 0, 0, 1, 0],
    ]);
  });

  it('a store whose rollups predate sdk_name rebuilds them on open, each release apart', async () => {
    const dir = tempDir('rollout-sdk-name-');
    const file = dir.file('old.duckdb');
    const config = { rollupMaintenanceMs: 0, rollupHorizonMs: 10 * 365 * 86_400_000 };
    try {
      const old = await DuckDbStore.open(file, config);
      await old.writeBatch({
        events: [
          ...session('sess_web', T + MIN, V2, [['requested'], ['first_frame']]),
          ...session('sess_tv', T + MIN, V2_TV, [['requested']]),
        ],
        badRows: [],
        checkpoints: [],
      });
      await old.close();
      // The rollup tables as the build before the dimension left them.
      const raw = await DuckDBInstance.create(file);
      const con = await raw.connect();
      for (const t of ['rollup_1m', 'rollup_startup_1m'])
        await con.run(`ALTER TABLE ${t} DROP COLUMN sdk_name`);
      con.closeSync();
      raw.closeSync();
      const logs: string[] = [];
      const reopened = await DuckDbStore.open(file, config, { log: (m) => logs.push(m) });
      try {
        // The one-time work is announced: on a large store it takes minutes.
        expect(logs[0]).toBe(
          'rollup tables predate a dimension: computing them from 3 stored events (once)',
        );
        expect(logs[1]).toMatch(/^rollups computed in \d+\.\d s$/);
        const r = await createDuckDbRolloutQueries(reopened).rollout({ ...window, by: 'sdk' });
        expect(r.versions.map((v) => [v.version, v.events, v.sessions])).toStrictEqual([
          ['beacon-edge-web@0.3.0', 2, 1],
          ['beacon-edge-tv@0.3.0', 1, 1],
        ]);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('invalid input', () => {
  it('rejects an unknown grouping and buckets that are not whole minutes', async () => {
    await expect(q().rollout({ ...window, by: 'player' as never })).rejects.toThrow(
      new InvalidQueryError('by', 'must be one of schema, sdk'),
    );
    await expect(q().rollout({ ...window, bucketSeconds: 90, by: 'schema' })).rejects.toThrow(
      InvalidQueryError,
    );
  });

  it('answers an empty window with no versions and empty totals', async () => {
    const r = await q().rollout({
      from: new Date(T - 60 * MIN),
      to: new Date(T - 30 * MIN),
      bucketSeconds: 600,
      by: 'schema',
    });
    expect(r.versions).toStrictEqual([]);
    expect(r.total).toMatchObject({ events: 0, share: null, badRowRate: null, errorRate: null });
  });
});
