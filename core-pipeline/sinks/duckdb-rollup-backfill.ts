/**
 * The one-time backfill of a store whose events were written before the rollups existed: the
 * engine applied to every stored event, session by session in seq order. Sessions are split into
 * hash partitions read one at a time, so memory holds one partition's events and states, never
 * the whole table.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ROLLUP_DIMENSIONS } from '../rollups/aggregate.js';
import { RollupEngine } from '../rollups/engine.js';
import type { EventRow } from '../rows.js';
import { writeDeltas } from './duckdb-rollup-writer.js';
import { q } from './duckdb-schema.js';

/** Events read into memory at once (one partition of sessions, roughly). */
const EVENTS_PER_PARTITION = 100_000;
/** Events applied per engine batch (bounds one batch's delta rows). */
const EVENTS_PER_APPLY = 20_000;

/** The columns the engine reads; times as ms numbers. */
const COLUMNS = [
  'event_id',
  'type',
  'seq',
  'epoch_ms(time) AS time',
  'session_id',
  ...ROLLUP_DIMENSIONS.map(q),
  'startup_ms',
  'fatal',
  'seek_ms',
  'played_ms',
  'stall_ms',
  'stall_count',
  'bitrate',
].join(', ');

/**
 * Appends the rollup deltas of every stored event inside the caller's transaction.
 * @returns events applied.
 */
export async function backfillRollups(con: DuckDBConnection): Promise<number> {
  const total = Number(
    (await con.runAndReadAll('SELECT count(*) FROM events')).getColumnsJS()[0][0],
  );
  if (total === 0) return 0;
  const parts = Math.max(1, Math.ceil(total / EVENTS_PER_PARTITION));
  let applied = 0;
  for (let part = 0; part < parts; part++) {
    const reader = await con.runAndReadAll(
      `SELECT ${COLUMNS} FROM events WHERE hash(session_id) % ${parts} = ${part}
       ORDER BY session_id, seq, event_id`,
    );
    const rows = reader.getRowObjectsJS() as unknown as EventRow[];
    for (const r of rows) {
      r.time = Number(r.time);
      if (typeof r.bitrate === 'bigint') r.bitrate = Number(r.bitrate);
    }
    const engine = new RollupEngine();
    for (let start = 0; start < rows.length; start += EVENTS_PER_APPLY) {
      const batch = engine.apply(rows.slice(start, start + EVENTS_PER_APPLY));
      await writeDeltas(con, batch);
      batch.commit();
    }
    applied += rows.length;
  }
  return applied;
}
