/**
 * CMCD records through the real decoder into the real DuckDB store with its rollup engine: one
 * stored row per acknowledged line, resends and replays stored once, the session state committed
 * with the rows (a failed or replayed batch maps from the same state), and the QoE answers of
 * `/api/v1/qoe` (rollups) and of the raw-event queries right for the mapped sessions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CmcdRecord } from '../../../schemas/cmcd.js';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { qoeSummary } from '../../../core-pipeline/queries/rollup-answers.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import type { Checkpoint } from '../../../core-pipeline/sinks/sink.js';
import { cmcdLines, cmcdRecord, sta, T0 } from '../../helpers/cmcd-records.js';
import { decodedBatch } from '../../helpers/cmcd-batches.js';
import { tempDir } from '../../helpers/temp-store.js';

const dir = tempDir('cmcd-core-');
afterAll(() => dir.remove());
const INGESTED = T0 + 120_000;

/** One session's record of lines `[sn, e, ts offset, extra]`. */
function rec(sid: string, lines: Parameters<typeof cmcdLines>[0], requestId = 'req-1'): CmcdRecord {
  return cmcdRecord(cmcdLines(lines, sid), {
    session_id: sid,
    edge: { ...cmcdRecord([]).edge, request_id: requestId },
  });
}

/**
 * Three sessions over three requests each: A starts (1.5 s startup), stalls once for 2 s and
 * quits; B has no starting state (no startup time) and plays 10 s; C asks to play and quits
 * before the first frame (an exit before start).
 */
const BATCHES: CmcdRecord[][] = [
  [
    rec('cmcd-sess-A', [
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 1_500, sta('p')],
    ]),
    rec('cmcd-sess-B', [[0, 'ps', 0, sta('p')]]),
    rec('cmcd-sess-C', [[0, 'ps', 0, sta('s')]]),
  ],
  [
    rec('cmcd-sess-A', [
      [2, 'ps', 10_000, sta('r')],
      [3, 'ps', 12_000, sta('p')],
      [4, 't', 20_000, { br: [2_000] }],
    ]),
    rec('cmcd-sess-B', [[1, 't', 10_000]]),
  ],
  [
    rec('cmcd-sess-A', [[5, 'ps', 30_000, sta('q')]]),
    rec('cmcd-sess-C', [[1, 'ps', 4_000, sta('q')]]),
  ],
];
const LINES = BATCHES.flat().reduce((n, r) => n + r.reports.length, 0);

const checkpoint = (n: number): Checkpoint => ({
  stream: 'beacons-events',
  shardId: 'shardId-000000000000',
  sequenceNumber: String(n),
});
const batch = (i: number, cp: Checkpoint = checkpoint(i + 1)) =>
  decodedBatch(BATCHES[i], INGESTED + i, [cp]);

/** Every stored event, in id order, as comparable values. */
async function storedRows(store: DuckDbStore) {
  return store.query('SELECT * EXCLUDE (ingested_at) FROM events ORDER BY event_id');
}

async function rollupQoe(store: DuckDbStore) {
  const r = await createDuckDbRollupQueries(store).aggregateBy({
    from: new Date(T0 - 3_600_000),
    to: new Date(T0 + 3_600_000),
    dimension: null,
  });
  return qoeSummary(r.total, null);
}

async function writeAll(store: DuckDbStore) {
  for (let i = 0; i < BATCHES.length; i++) await store.writeBatch(batch(i));
}

describe('CMCD records into DuckDB', () => {
  it('stores exactly one row per line, with the state-derived durations and counters', async () => {
    const store = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    try {
      await writeAll(store);
      const rows = await store.query(
        "SELECT session_id, type, startup_ms, stall_ms, played_ms, stall_count FROM events WHERE source = 'cmcd' ORDER BY session_id, seq",
      );
      expect(rows).toHaveLength(LINES);
      const a = rows.filter((r) => r.session_id === 'cmcd-sess-A');
      expect(a.map((r) => r.type)).toEqual([
        'requested',
        'first_frame',
        'stall_start',
        'stall_end',
        'heartbeat',
        'session_end',
      ]);
      expect(a[1].startup_ms).toBe(1_500);
      expect(a[3].stall_ms).toBe(2_000);
      expect(a[5]).toMatchObject({ played_ms: 26_500, stall_ms: 2_000, stall_count: 1 });
      const [state] = await store.query(
        "SELECT state FROM cmcd_sessions WHERE session_id = 'cmcd-sess-A'",
      );
      expect(JSON.parse(String(state.state))).toMatchObject({ lastSn: 5, sta: 'q', stallCount: 1 });
    } finally {
      await store.close();
    }
  });

  it('gives the QoE answers of /api/v1/qoe (rollups) and of the raw-event queries', async () => {
    const store = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    try {
      await writeAll(store);
      const q = await rollupQoe(store);
      expect(q).toMatchObject({ sessions: 3, plays: 3, exitsBeforeStart: 1, playbackFailures: 0 });
      // One session with a starting state; B's first frame has no startup time.
      expect(q.startup.sessions).toBe(1);
      expect(q.startup.p50Ms).toBeCloseTo(1_500, -2);
      // A: 8.5 s + 18 s played, one 2 s stall; B: 10 s played; C: none.
      expect(q.stalls).toMatchObject({ stallCount: 1, stallMs: 2_000, playedMs: 36_500 });
      expect(q.stalls.stalledPct).toBeCloseTo((100 * 2_000) / 36_500, 6);
      const raw = await createDuckDbQueries(store).qoe({ since: new Date(0) });
      expect(raw).toMatchObject({ sessions: 3, plays: 3, exitsBeforeStart: 1 });
      expect(raw.stalls).toMatchObject({ stallCount: 1, stallMs: 2_000, playedMs: 36_500 });
      expect(raw.startup.p50Ms).toBe(1_500);
    } finally {
      await store.close();
    }
  });

  it('stores a resent record and a replayed batch once, with the same rows and rollups', async () => {
    const reference = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    const replayed = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    try {
      await writeAll(reference);
      await replayed.writeBatch(batch(0));
      await replayed.writeBatch(batch(1));
      // The same batch again (a consumer that lost its checkpoint; Lambda's retry of a batch).
      await replayed.writeBatch(batch(1));
      // A player resending an acknowledged request's lines in a later request.
      await replayed.writeBatch(
        decodedBatch([BATCHES[0][0], ...BATCHES[2]], INGESTED + 2, [checkpoint(3)]),
      );
      await replayed.writeBatch(batch(0));
      expect(await storedRows(replayed)).toStrictEqual(await storedRows(reference));
      expect(await rollupQoe(replayed)).toStrictEqual(await rollupQoe(reference));
    } finally {
      await reference.close();
      await replayed.close();
    }
  });

  it('commits the state with the rows: a failed batch leaves neither, a reopened store continues', async () => {
    const reference = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    const file = dir.file('cmcd-crash.duckdb');
    let store = await DuckDbStore.open(file, { rollupMaintenanceMs: 0 });
    try {
      await writeAll(reference);
      await store.writeBatch(batch(0));
      // Batch 1 fails in its transaction after its rows and state were written (the checkpoint
      // is refused: stream is NOT NULL), as a crash before COMMIT would.
      const refused = { ...checkpoint(2), stream: null as never };
      await expect(store.writeBatch(batch(1, refused))).rejects.toThrow();
      const [s] = await store.query(
        "SELECT state FROM cmcd_sessions WHERE session_id = 'cmcd-sess-A'",
      );
      expect(JSON.parse(String(s.state)).lastSn).toBe(1);
      // The process dies between batches; the consumer restarts from the stored checkpoint.
      await store.close();
      store = await DuckDbStore.open(file, { rollupMaintenanceMs: 0 });
      expect(await store.loadCheckpoints()).toStrictEqual([checkpoint(1)]);
      await store.writeBatch(batch(1));
      await store.writeBatch(batch(2));
      expect(await storedRows(store)).toStrictEqual(await storedRows(reference));
      expect(await rollupQoe(store)).toStrictEqual(await rollupQoe(reference));
    } finally {
      await reference.close();
      await store.close();
    }
  });

  it('stores beacon rows and CMCD rows of one batch together, and a bad line as a bad row', async () => {
    const store = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
    try {
      const [good, late] = cmcdLines([
        [0, 'ps', 0, sta('s')],
        [1, 'ps', 900, sta('p')],
      ]);
      const broken = { ...late, report: { ...late.report, ts: -5 } };
      const input = decodedBatch([{ ...cmcdRecord([]), reports: [good, broken] }], INGESTED, [
        checkpoint(9),
      ]);
      await store.writeBatch(input);
      expect(await store.query('SELECT event_id, source FROM events')).toStrictEqual([
        { event_id: good.id, source: 'cmcd' },
      ]);
      expect(await store.query('SELECT event_id, reason FROM bad_rows')).toStrictEqual([
        { event_id: late.id, reason: 'invalid_record_event' },
      ]);
    } finally {
      await store.close();
    }
  });
});
