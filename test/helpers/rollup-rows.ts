/**
 * Rollup delta rows written straight into a store's rollup tables, as the engine appends them:
 * for tests of the read side that must not depend on how the engine computes them.
 */
import {
  AGGREGATE_SUMS,
  missingDimensionValue,
  ROLLUP_DIMENSIONS,
  sketchBucket,
  type AggregateSum,
  type SliceKey,
} from '../../core-pipeline/rollups/aggregate.js';
import { sumColumn } from '../../core-pipeline/rollups/tables.js';
import type { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';

/** A slice key with the missing value ('', sdk for source) for every dimension not given, as the engine stores it. */
export const slice = (s: Partial<SliceKey>): SliceKey =>
  Object.fromEntries(
    ROLLUP_DIMENSIONS.map((d) => [d, s[d] ?? missingDimensionValue(d)]),
  ) as SliceKey;

export type SumsArgs = [minute: number, key: SliceKey, v: Partial<Record<AggregateSum, number>>];
export type SketchArgs = [minute: number, key: SliceKey, startupMs: number, n?: number];
export type TypeCountArgs = [minute: number, type: string, n: number];

/** Appends one delta row to rollup_1m: the minute, the slice, then every sum (0 when not given). */
export async function addSums(store: DuckDbStore, ...[minute, key, v]: SumsArgs): Promise<void> {
  const cols = ['minute', ...ROLLUP_DIMENSIONS, ...AGGREGATE_SUMS.map(sumColumn)];
  const values = [...ROLLUP_DIMENSIONS.map((d) => key[d]), ...AGGREGATE_SUMS.map((f) => v[f] ?? 0)];
  const params = values.map((_, i) => `$${i + 2}`).join(', ');
  await store.query(
    `INSERT INTO rollup_1m (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (make_timestamp_ms($1::BIGINT), ${params})`,
    [BigInt(minute), ...values],
  );
}

/** Appends `n` sessions of `startupMs` to the startup sketch of a minute and slice. */
export async function addStartup(
  store: DuckDbStore,
  ...[minute, key, startupMs, n = 1]: SketchArgs
): Promise<void> {
  const values = [...ROLLUP_DIMENSIONS.map((d) => key[d]), sketchBucket(startupMs), n];
  const params = values.map((_, i) => `$${i + 2}`).join(', ');
  await store.query(
    `INSERT INTO rollup_startup_1m VALUES (make_timestamp_ms($1::BIGINT), ${params})`,
    [BigInt(minute), ...values],
  );
}

/** Appends `n` events of `type` to a minute's type counts. */
export async function addTypeCount(
  store: DuckDbStore,
  ...[minute, type, n]: TypeCountArgs
): Promise<void> {
  await store.query('INSERT INTO type_counts_1m VALUES (make_timestamp_ms($1::BIGINT), $2, $3)', [
    BigInt(minute),
    type,
    n,
  ]);
}
