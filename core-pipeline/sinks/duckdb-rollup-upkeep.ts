/**
 * Rollup upkeep in the DuckDB store: the schema and engine state on open (with a one-time
 * backfill for a store whose events predate the rollups), and the compaction that merges a closed
 * minute's delta rows into one row per key.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDbConfig } from '../config.js';
import { AGGREGATE_SUMS, ROLLUP_DIMENSIONS } from '../rollups/aggregate.js';
import type { RollupEngine } from '../rollups/engine.js';
import { ROLLUP_TABLE, SKETCH_TABLE, sumColumn, TYPE_COUNTS_TABLE } from '../rollups/tables.js';
import { backfillRollups } from './duckdb-rollup-backfill.js';
import { loadRecentSessions } from './duckdb-rollup-state.js';
import { q, schemaDdl } from './duckdb-schema.js';

/**
 * Creates or updates the schema and fills the engine with the state of every session active
 * within the horizon. A store that has an events table but no rollup tables (written before the
 * rollups existed) gets its rollups computed from its events, in the same transaction as the
 * tables' creation, so a crash half-way leaves no half-filled rollups and the next open retries.
 * Rollup tables keyed by fewer dimensions than ROLLUP_DIMENSIONS (a store from before a dimension
 * was added) are dropped and computed again from the events the same way: the events hold every
 * dimension's real value, which an added column's default could only guess (and the appender
 * and compaction write columns by position, which an added column would put out of order).
 * `log` hears when that computation starts and ends: on a large store it takes minutes, once, and
 * an operator starting the stack should know why it waits.
 * @returns events backfilled (0 when nothing needed it).
 */
export async function openRollups(
  con: DuckDBConnection,
  engine: RollupEngine | null,
  config: Pick<DuckDbConfig, 'rollupHorizonMs' | 'rollupMaxSessions'>,
  nowMs: number,
  log: (message: string) => void = () => {},
): Promise<number> {
  const existing = await con.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name IN ('events', '${ROLLUP_TABLE}')`,
  );
  const names = new Set(existing.getColumnsJS()[0] ?? []);
  const outdated = names.has(ROLLUP_TABLE) && (await lacksDimensions(con));
  const backfill = names.has('events') && (!names.has(ROLLUP_TABLE) || outdated);
  const inTransaction = backfill || outdated;
  let backfilled = 0;
  if (inTransaction) await con.run('BEGIN TRANSACTION');
  try {
    if (outdated)
      for (const t of [ROLLUP_TABLE, SKETCH_TABLE, TYPE_COUNTS_TABLE])
        await con.run(`DROP TABLE IF EXISTS ${t}`);
    for (const sql of schemaDdl()) await con.run(sql);
    if (backfill) {
      const started = performance.now();
      const [n] = (await con.runAndReadAll('SELECT count(*) FROM events')).getColumnsJS()[0] ?? [];
      log(
        `${outdated ? 'rollup tables predate a dimension' : 'no rollup tables yet'}: computing them from ${Number(n ?? 0).toLocaleString('en-US')} stored events (once)`,
      );
      backfilled = await backfillRollups(con);
      log(`rollups computed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (inTransaction) await con.run('COMMIT');
  } catch (err) {
    if (inTransaction) await con.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  if (engine)
    await loadRecentSessions(con, engine, nowMs - config.rollupHorizonMs, config.rollupMaxSessions);
  return backfilled;
}

/** Whether the stored rollup table lacks a column of ROLLUP_DIMENSIONS. */
async function lacksDimensions(con: DuckDBConnection): Promise<boolean> {
  const r = await con.runAndReadAll(
    `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND table_name = '${ROLLUP_TABLE}'`,
  );
  const columns = new Set((r.getColumnsJS()[0] ?? []).map(String));
  return ROLLUP_DIMENSIONS.some((d) => !columns.has(d));
}

const dims = ROLLUP_DIMENSIONS.map(q).join(', ');
const sums = AGGREGATE_SUMS.map((f) => `sum(${q(sumColumn(f))}) AS ${q(sumColumn(f))}`).join(', ');
const anySum = AGGREGATE_SUMS.map((f) => `sum(${q(sumColumn(f))}) <> 0`).join(' OR ');

/** Each rollup table's merge: one row per key, rows whose sums all came to zero dropped. */
const MERGES: { table: string; select: string }[] = [
  {
    table: ROLLUP_TABLE,
    select: `SELECT minute, ${dims}, ${sums} FROM ${ROLLUP_TABLE} WHERE %W GROUP BY minute, ${dims} HAVING ${anySum}`,
  },
  {
    table: SKETCH_TABLE,
    select: `SELECT minute, ${dims}, bucket, sum(n) AS n FROM ${SKETCH_TABLE} WHERE %W GROUP BY minute, ${dims}, bucket HAVING sum(n) <> 0`,
  },
  {
    table: TYPE_COUNTS_TABLE,
    select: `SELECT minute, type, sum(n) AS n FROM ${TYPE_COUNTS_TABLE} WHERE %W GROUP BY minute, type HAVING sum(n) <> 0`,
  },
];

/**
 * Rewrites the given minutes (ms, or 'all') of every rollup table as one row per key, with the
 * same sums, in one transaction.
 * @returns rows removed.
 */
export async function compactRollups(
  con: DuckDBConnection,
  minutes: readonly number[] | 'all',
): Promise<number> {
  if (minutes !== 'all' && minutes.length === 0) return 0;
  if (minutes !== 'all' && !minutes.every(Number.isSafeInteger)) {
    throw new Error('compactRollups: minutes must be integer ms');
  }
  const where =
    minutes === 'all'
      ? 'true'
      : `minute IN (${minutes.map((m) => `make_timestamp_ms(${m})`).join(', ')})`;
  await con.run('BEGIN TRANSACTION');
  try {
    let removed = 0;
    for (const m of MERGES) {
      const before = await count(con, m.table, where);
      await con.run(
        `CREATE OR REPLACE TEMP TABLE rollup_compacted AS ${m.select.replace('%W', where)}`,
      );
      await con.run(`DELETE FROM ${m.table} WHERE ${where}`);
      await con.run(`INSERT INTO ${m.table} SELECT * FROM rollup_compacted`);
      removed += before - (await count(con, 'rollup_compacted', 'true'));
    }
    await con.run('DROP TABLE rollup_compacted');
    await con.run('COMMIT');
    return removed;
  } catch (err) {
    await con.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function count(con: DuckDBConnection, table: string, where: string): Promise<number> {
  const r = await con.runAndReadAll(`SELECT count(*) FROM ${table} WHERE ${where}`);
  return Number(r.getColumnsJS()[0][0]);
}
