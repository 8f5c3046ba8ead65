/**
 * Appends a batch's rollup delta rows to the rollup tables inside the store's transaction. The
 * tables have no key to check, so an appender writes them directly (it joins the connection's open
 * transaction: a ROLLBACK removes its rows too), one DataChunk per table and batch, with no
 * staging table and no extra statement.
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  DOUBLE,
  INTEGER,
  TIMESTAMP,
  type DuckDBType,
  type DuckDBValue,
  VARCHAR,
} from '@duckdb/node-api';
import { AGGREGATE_SUMS, ROLLUP_DIMENSIONS } from '../rollups/aggregate.js';
import type { AppliedBatch } from '../rollups/engine.js';
import { ROLLUP_TABLE, SKETCH_TABLE, TYPE_COUNTS_TABLE } from '../rollups/tables.js';

/** DuckDB's vector size: the largest DataChunk the appender takes at once. */
const CHUNK_ROWS = 2048;

const DIM_TYPES: DuckDBType[] = ROLLUP_DIMENSIONS.map(() => VARCHAR);
/** Column types in table order (tables.ts: minute, dims, sums / bucket, n / type, n). */
const ROLLUP_TYPES: DuckDBType[] = [TIMESTAMP, ...DIM_TYPES, ...AGGREGATE_SUMS.map(() => DOUBLE)];
const SKETCH_TYPES: DuckDBType[] = [TIMESTAMP, ...DIM_TYPES, INTEGER, DOUBLE];
const TYPE_COUNT_TYPES: DuckDBType[] = [TIMESTAMP, VARCHAR, DOUBLE];

/** A batch's delta rows as columns, in each table's column order. */
export function deltaColumns(applied: Pick<AppliedBatch, 'rollups' | 'typeCounts'>): {
  rollups: DuckDBValue[][];
  sketch: DuckDBValue[][];
  types: DuckDBValue[][];
} {
  const rollups: DuckDBValue[][] = ROLLUP_TYPES.map(() => []);
  const sketch: DuckDBValue[][] = SKETCH_TYPES.map(() => []);
  const minutes = new Map<number, DuckDBTimestampValue>();
  const ts = (ms: number): DuckDBTimestampValue => {
    let v = minutes.get(ms);
    if (v === undefined) {
      v = new DuckDBTimestampValue(BigInt(ms) * 1000n);
      minutes.set(ms, v);
    }
    return v;
  };
  const dims = ROLLUP_DIMENSIONS.length;
  for (const d of applied.rollups) {
    const minute = ts(d.minuteMs);
    rollups[0].push(minute);
    for (let i = 0; i < dims; i++) rollups[1 + i].push(d.key[ROLLUP_DIMENSIONS[i]]);
    for (let i = 0; i < AGGREGATE_SUMS.length; i++)
      rollups[1 + dims + i].push(d.agg[AGGREGATE_SUMS[i]]);
    for (const [bucket, n] of d.agg.startupSketch) {
      if (n === 0) continue;
      sketch[0].push(minute);
      for (let i = 0; i < dims; i++) sketch[1 + i].push(d.key[ROLLUP_DIMENSIONS[i]]);
      sketch[1 + dims].push(bucket);
      sketch[2 + dims].push(n);
    }
  }
  const types: DuckDBValue[][] = [[], [], []];
  for (const t of applied.typeCounts) {
    types[0].push(ts(t.minuteMs));
    types[1].push(t.type);
    types[2].push(t.n);
  }
  return { rollups, sketch, types };
}

/** Appends a batch's delta rows to the rollup tables inside the caller's transaction. */
export async function writeDeltas(
  con: DuckDBConnection,
  applied: Pick<AppliedBatch, 'rollups' | 'typeCounts'>,
): Promise<void> {
  const cols = deltaColumns(applied);
  await append(con, ROLLUP_TABLE, ROLLUP_TYPES, cols.rollups);
  await append(con, SKETCH_TABLE, SKETCH_TYPES, cols.sketch);
  await append(con, TYPE_COUNTS_TABLE, TYPE_COUNT_TYPES, cols.types);
}

async function append(
  con: DuckDBConnection,
  table: string,
  types: DuckDBType[],
  columns: DuckDBValue[][],
): Promise<void> {
  const rows = columns[0].length;
  if (rows === 0) return;
  const appender = await con.createAppender(table);
  try {
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const end = Math.min(rows, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, end - start);
      chunk.setColumns(columns.map((c) => (start === 0 && end === rows ? c : c.slice(start, end))));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
