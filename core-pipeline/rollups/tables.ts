/**
 * The DuckDB layout of the 1-minute rollups. Rows are append-only deltas: each committed batch
 * appends what it changed, keyed by minute and slice, and a reader always SUMs per key (a
 * periodic compaction merges a closed minute's deltas into one row per key without changing any
 * sum). Deltas may be negative: a late event can move a session's outcome from one class to
 * another, which retracts the old one.
 */
import {
  AGGREGATE_SUMS,
  missingDimensionValue,
  ROLLUP_DIMENSIONS,
  type AggregateSum,
  type RollupDimension,
} from './aggregate.js';

/** QoE sums per (minute, slice). */
export const ROLLUP_TABLE = 'rollup_1m';
/** Startup-time sketch counts per (minute, slice, bucket). */
export const SKETCH_TABLE = 'rollup_startup_1m';
/** Events per (minute, type), for the event-count charts. */
export const TYPE_COUNTS_TABLE = 'type_counts_1m';

/** The column of a sum: `startFailures` → `start_failures`. */
export function sumColumn(field: AggregateSum): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * An events-table column as the rollups key it: `coalesce("d", '<missing value>')`, so every SQL
 * rebuild and raw-event filter agrees with the engine on events that lack the dimension.
 */
export function dimensionSql(d: RollupDimension): string {
  return `coalesce("${d}", '${missingDimensionValue(d)}')`;
}

const dims = ROLLUP_DIMENSIONS.map((d) => `"${d}" VARCHAR NOT NULL`).join(', ');

/** Statements that create the rollup tables (idempotent). `minute` is the event-time minute. */
export function rollupDdl(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${ROLLUP_TABLE} (minute TIMESTAMP NOT NULL, ${dims}, ${AGGREGATE_SUMS.map((f) => `"${sumColumn(f)}" DOUBLE NOT NULL`).join(', ')})`,
    `CREATE TABLE IF NOT EXISTS ${SKETCH_TABLE} (minute TIMESTAMP NOT NULL, ${dims}, bucket INTEGER NOT NULL, n DOUBLE NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${TYPE_COUNTS_TABLE} (minute TIMESTAMP NOT NULL, type VARCHAR NOT NULL, n DOUBLE NOT NULL)`,
  ];
}
