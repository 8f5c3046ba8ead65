import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import {
  AGGREGATE_SUMS,
  ROLLUP_DIMENSIONS,
  type QoeAggregate,
} from '../../../core-pipeline/rollups/aggregate.js';
import { sumColumn } from '../../../core-pipeline/rollups/tables.js';
import type { EventRow } from '../../../core-pipeline/rows.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import type { WriteBatchInput } from '../../../core-pipeline/sinks/sink.js';
import type { DuckDbConfig } from '../../../core-pipeline/config.js';
import { badRow, T0 } from '../../helpers/records.js';
import { reference, sessionsArb, SESSION_FIELDS, total } from '../../helpers/rollup-events.js';
import { tempDir } from '../../helpers/temp-store.js';

const dir = tempDir('rollups-');
afterAll(() => dir.remove());

const batch = (events: EventRow[]): WriteBatchInput => ({ events, badRows: [], checkpoints: [] });
/** Rollups on, no timer; a horizon long enough that T0's sessions are rebuilt on open. */
const CONFIG: Partial<DuckDbConfig> = {
  rollupMaintenanceMs: 0,
  rollupHorizonMs: 10 * 365 * 86_400_000,
};

/** A fixed audience: sessions of the property tests' generator, from a fixed seed. */
function audience(seed: number, sessions = 8): EventRow[] {
  return fc.sample(sessionsArb(sessions), { seed, numRuns: 1 })[0].map((e) => ({
    ...e,
    session_id: `${e.session_id}_${seed}`,
    event_id: `${e.event_id}_${seed}`,
  }));
}

/** Every rollup sum over the whole table. */
async function storedTotals(store: DuckDbStore): Promise<Record<string, number>> {
  const cols = AGGREGATE_SUMS.map((f) => `coalesce(sum("${sumColumn(f)}"), 0) AS "${f}"`).join(
    ', ',
  );
  const [r] = await store.query(`SELECT ${cols} FROM rollup_1m`);
  return Object.fromEntries(AGGREGATE_SUMS.map((f) => [f, Number(r[f])]));
}

/** The reference computed from the events table itself. */
async function referenceFromStore(store: DuckDbStore): Promise<QoeAggregate> {
  const rows = await store.query('SELECT * EXCLUDE (time), epoch_ms(time) AS time FROM events');
  const events = rows.map((r) => ({ ...r, time: Number(r.time) }) as unknown as EventRow);
  return total(
    [...reference(events).values()].map((agg) => ({ minuteMs: 0, key: {} as never, agg })),
  );
}

/** The order-free sums (second moments depend on batch order) must equal the reference. */
async function expectMatchesEvents(store: DuckDbStore): Promise<void> {
  const got = await storedTotals(store);
  const want = await referenceFromStore(store);
  for (const f of [
    'events',
    ...SESSION_FIELDS,
    'nonFatalErrors',
    'switches',
    'seeks',
    'playedMs',
    'stallMs',
    'stallCount',
    'bitrateWeighted',
    'bitratePlayedMs',
  ] as const) {
    expect({ f, v: got[f] }).toStrictEqual({ f, v: want[f] });
  }
  const [sk] = await store.query('SELECT coalesce(sum(n), 0) AS n FROM rollup_startup_1m');
  expect(sk.n).toBe(want.startups);
  const types = await store.query(
    `SELECT type, sum(n)::INTEGER AS n FROM type_counts_1m GROUP BY type
     EXCEPT SELECT type, count(*)::INTEGER FROM events GROUP BY type`,
  );
  expect(types).toStrictEqual([]);
}

/** Splits events into `n` batches round-robin, each batch shuffled by a reversal. */
function split(events: EventRow[], n: number): EventRow[][] {
  const out: EventRow[][] = Array.from({ length: n }, () => []);
  for (const [i, e] of events.entries()) out[(i * 7) % n].push(e);
  return out.map((b, i) => (i % 2 ? b.reverse() : b));
}

describe('DuckDbStore rollups', () => {
  it('writes rollups whose sums equal the reference from the stored events (split, reordered, resent)', async () => {
    const store = await DuckDbStore.open(':memory:', CONFIG);
    try {
      const events = audience(1);
      const batches = split(events, 5).reverse();
      for (const b of batches) await store.writeBatch(batch(b));
      await store.writeBatch(batch(batches[2])); // a client resend: every id already stored
      await store.writeBatch(batch([...batches[0].slice(0, 2), ...batches[1]])); // partly new
      expect(store.duplicateRetries).toBeGreaterThan(0);
      await expectMatchesEvents(store);
    } finally {
      await store.close();
    }
  });

  it('leaves the rollup tables and the engine untouched by a failed transaction', async () => {
    const store = await DuckDbStore.open(':memory:', CONFIG);
    try {
      const events = audience(2);
      const [first, second] = split(events, 2);
      await store.writeBatch(batch(first));
      const before = await store.query('SELECT count(*) AS n FROM rollup_1m');
      const failing = batch(second);
      // A NULL in a NOT NULL column fails the bad-row insert, written after the rollup deltas.
      failing.badRows.push({ ...toStoredBadRow(badRow(), T0), reason: null as never });
      await expect(store.writeBatch(failing)).rejects.toThrow(SinkWriteError);
      expect(await store.query('SELECT count(*) AS n FROM rollup_1m')).toStrictEqual(before);
      await store.writeBatch(batch(second));
      await expectMatchesEvents(store);
    } finally {
      await store.close();
    }
  });

  for (const [what, horizon] of [
    ['rebuilt on open', CONFIG.rollupHorizonMs],
    ['looked up per batch (sessions older than the horizon)', 60_000],
  ] as const) {
    it(`continues sessions split across a restart without double counting (state ${what})`, async () => {
      const file = dir.file(`restart-${horizon}.duckdb`);
      const events = audience(3).sort((a, b) => a.seq - b.seq);
      const half = Math.floor(events.length / 2);
      const one = await DuckDbStore.open(file, { ...CONFIG, rollupHorizonMs: horizon });
      await one.writeBatch(batch(events.slice(0, half)));
      await one.close();
      const two = await DuckDbStore.open(file, { ...CONFIG, rollupHorizonMs: horizon });
      try {
        expect(two.rollupSessions > 0).toBe(horizon === CONFIG.rollupHorizonMs);
        await two.writeBatch(batch(events.slice(half)));
        await expectMatchesEvents(two);
      } finally {
        await two.close();
      }
    });
  }

  it('loads the stored state of a session it no longer holds when a resend starts at seq 0', async () => {
    const file = dir.file('resend-restart.duckdb');
    const events = audience(7).sort((a, b) => a.seq - b.seq);
    const config = { ...CONFIG, rollupHorizonMs: 60_000 };
    const one = await DuckDbStore.open(file, config);
    await one.writeBatch(batch(events.filter((e) => e.seq < 3)));
    await one.close();
    const two = await DuckDbStore.open(file, config);
    try {
      expect(two.rollupSessions).toBe(0);
      await two.writeBatch(batch(events)); // the old events again, with the rest of each session
      expect(two.duplicateRetries).toBe(1);
      await expectMatchesEvents(two);
    } finally {
      await two.close();
    }
  });

  it('backfills the rollups of a store whose events predate them, once', async () => {
    const file = dir.file('backfill.duckdb');
    const store = await DuckDbStore.open(file, CONFIG);
    for (const b of split(audience(4, 12), 3)) await store.writeBatch(batch(b));
    await store.close();
    const raw = await DuckDBInstance.create(file);
    const con = await raw.connect();
    for (const t of ['rollup_1m', 'rollup_startup_1m', 'type_counts_1m'])
      await con.run(`DROP TABLE ${t}`);
    con.closeSync();
    raw.closeSync();
    const reopened = await DuckDbStore.open(file, CONFIG);
    try {
      await expectMatchesEvents(reopened);
      const more = audience(5, 3);
      await reopened.writeBatch(batch(more));
      await expectMatchesEvents(reopened);
    } finally {
      await reopened.close();
    }
  });

  it('compacts closed minutes into one row per key without changing any sum', async () => {
    const store = await DuckDbStore.open(':memory:', CONFIG);
    try {
      for (const b of split(audience(6, 12), 8)) await store.writeBatch(batch(b));
      const rows = async () =>
        (
          await store.query(
            `SELECT (SELECT count(*) FROM rollup_1m) + (SELECT count(*) FROM rollup_startup_1m) + (SELECT count(*) FROM type_counts_1m) AS n`,
          )
        )[0].n as number;
      const sumsBefore = await storedTotals(store);
      const rowsBefore = await rows();
      const removed = await store.maintainRollups(T0 + 86_400_000);
      expect(removed).toBeGreaterThan(0);
      expect(await rows()).toBe(rowsBefore - removed);
      const keys = await store.query(
        `SELECT count(*) AS n FROM (SELECT minute, ${ROLLUP_DIMENSIONS.join(', ')} FROM rollup_1m GROUP BY ALL HAVING count(*) > 1)`,
      );
      expect(keys).toStrictEqual([{ n: 0 }]);
      const after = await storedTotals(store);
      for (const f of AGGREGATE_SUMS)
        expect({ f, v: after[f] }).toStrictEqual({ f, v: sumsBefore[f] });
      await expectMatchesEvents(store);
    } finally {
      await store.close();
    }
  });
});
