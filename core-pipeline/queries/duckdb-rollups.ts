/**
 * The read side of the 1-minute rollups over the DuckDB store: `createDuckDbRollupQueries(store)`
 * implements `RollupQueries` and `TypeCountQueries` (types.ts) by summing the append-only delta
 * rows of core-pipeline/rollups/tables.ts per key. No raw event is read, so the cost of an answer
 * grows with minutes × slices, not with events.
 *
 * Windows are whole minutes of event time: `from` rounds down and `to` rounds up to a minute.
 * Dimension names come only from ROLLUP_DIMENSIONS; values are bound parameters. Invalid input
 * rejects with InvalidQueryError.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { EVENT_TYPES, type EventType } from '../../schemas/index.js';
import {
  AGGREGATE_SUMS,
  emptyAggregate,
  mergeInto,
  type QoeAggregate,
  type RollupDimension,
} from '../rollups/aggregate.js';
import { ROLLUP_TABLE, SKETCH_TABLE, sumColumn, TYPE_COUNTS_TABLE } from '../rollups/tables.js';
import type { DuckDbStore, QueryRow } from '../sinks/duckdb.js';
import { InvalidQueryError } from '../errors.js';
import * as guard from './guards.js';
import type {
  AggregateByInput,
  AggregateByResult,
  AggregateSeriesInput,
  AggregateSeriesResult,
  RollupQueries,
  TimeseriesInput,
  TimeseriesResult,
  TypeCountQueries,
} from './types.js';

const SUMS_SQL = AGGREGATE_SUMS.map((f, i) => `sum("${sumColumn(f)}") AS s${i}`).join(', ');
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ms = (t: number): bigint => BigInt(t);

/** The DuckDB implementation of the rollup reads. */
export function createDuckDbRollupQueries(store: DuckDbStore): RollupQueries & TypeCountQueries {
  return {
    aggregateBy: (input) => aggregateBy(store, input),
    aggregateByEach: (input) => aggregateByEach(store, input),
    aggregateSeries: (input) => aggregateSeries(store, input),
    typeSeries: (input) => typeSeries(store, input),
    typeTotals: (input) => typeTotals(store, input),
  };
}

/**
 * `minute ∈ [$1, $2)` plus one `"dim" = $n` per filter, n from `firstFilter`. The minute range
 * lets DuckDB skip row groups by their min/max (rows arrive roughly in minute order).
 */
function whereSql(filters: readonly [RollupDimension, string][], firstFilter: number): string {
  return [
    'minute >= make_timestamp_ms($1::BIGINT)',
    'minute < make_timestamp_ms($2::BIGINT)',
    ...filters.map(([d], i) => `"${d}" = $${i + firstFilter}`),
  ].join(' AND ');
}

/** An aggregate from a row of `SUMS_SQL` columns (sketch left empty). */
function sumsOf(r: QueryRow): QoeAggregate {
  const a = emptyAggregate();
  AGGREGATE_SUMS.forEach((f, i) => {
    a[f] = num(r[`s${i}`]);
  });
  return a;
}

/** Adds summed sketch rows (`key`, bucket, n) into the aggregates by key, creating missing ones. */
function addSketch(
  byKey: Map<string | number, QoeAggregate>,
  rows: QueryRow[],
  key: (r: QueryRow) => string | number,
): void {
  for (const r of rows) {
    const n = num(r.n);
    if (n === 0) continue;
    const k = key(r);
    const agg = byKey.get(k) ?? emptyAggregate();
    byKey.set(k, agg);
    agg.startupSketch.set(num(r.bucket), n);
  }
}

/**
 * The window's total and, when `dimension` is set, one aggregate per value of it (every value,
 * '' for rows without one). The total is the sum of the slices: every rollup row has a value.
 */
async function aggregateBy(
  store: DuckDbStore,
  input: AggregateByInput,
): Promise<AggregateByResult> {
  const { fromMs, toMs } = guard.minuteWindow(input?.from, input?.to);
  const dim = guard.rollupDimension(input.dimension ?? null, true);
  const filters = guard.rollupFilters(input.filters);
  const params: DuckDBValue[] = [ms(fromMs), ms(toMs), ...filters.map(([, v]) => v)];
  const where = whereSql(filters, 3);
  const value = dim ? `"${dim}"` : "''";
  const [sums, sketch] = await Promise.all([
    store.query(
      `SELECT ${value} AS value, ${SUMS_SQL} FROM ${ROLLUP_TABLE} WHERE ${where} GROUP BY ALL`,
      params,
    ),
    store.query(
      `SELECT ${value} AS value, bucket, sum(n) AS n FROM ${SKETCH_TABLE} WHERE ${where} GROUP BY ALL`,
      params,
    ),
  ]);
  const { total, slices } = bySlice(sums, sketch);
  return { fromMs, toMs, total, slices: dim ? slices : [] };
}

/**
 * Aggregates per `value` from summed rollup rows and summed sketch rows, and their total (every
 * rollup row has a value, so the total is the sum of the slices).
 */
function bySlice(
  sums: readonly QueryRow[],
  sketch: QueryRow[],
): Pick<AggregateByResult, 'total' | 'slices'> {
  const byValue = new Map<string | number, QoeAggregate>(
    sums.map((r) => [String(r.value), sumsOf(r)]),
  );
  addSketch(byValue, sketch, (r) => String(r.value));
  const total = emptyAggregate();
  for (const agg of byValue.values()) mergeInto(total, agg);
  return { total, slices: [...byValue].map(([v, agg]) => ({ value: String(v), agg })) };
}

/**
 * `aggregateBy` for each of `dimensions` over one window, from two queries: the window's sums are
 * first summed per slice over its minutes (far fewer rows than minutes × slices), then grouped
 * once per dimension; the startup sketch is grouped per dimension straight from its table. Each
 * answer equals `aggregateBy` for that dimension.
 */
async function aggregateByEach(
  store: DuckDbStore,
  input: {
    from: Date;
    to: Date;
    dimensions: readonly RollupDimension[];
    filters?: AggregateByInput['filters'];
  },
): Promise<AggregateByResult[]> {
  const { fromMs, toMs } = guard.minuteWindow(input?.from, input?.to);
  const dims = (input.dimensions ?? []).map(
    (d) => guard.rollupDimension(d, false) as RollupDimension,
  );
  if (dims.length === 0) return [];
  const filters = guard.rollupFilters(input.filters);
  const params: DuckDBValue[] = [ms(fromMs), ms(toMs), ...filters.map(([, v]) => v)];
  const where = whereSql(filters, 3);
  const cols = dims.map((d) => `"${d}"`).join(', ');
  const sumCols = AGGREGATE_SUMS.map((f) => `sum("${sumColumn(f)}") AS "${sumColumn(f)}"`);
  const per = (d: RollupDimension, i: number, select: string, extra = '') =>
    `SELECT ${i} AS d, "${d}" AS value${extra}, ${select} FROM w GROUP BY ALL`;
  const [sums, sketch] = await Promise.all([
    store.query(
      `WITH w AS MATERIALIZED (SELECT ${cols}, ${sumCols.join(', ')} FROM ${ROLLUP_TABLE} WHERE ${where} GROUP BY ALL)
       ${dims.map((d, i) => per(d, i, SUMS_SQL)).join(' UNION ALL ')}`,
      params,
    ),
    // The sketch is read once per dimension instead: its rows are already one per slice, bucket
    // and minute, so summing them over the minutes first barely shrinks them and costs more than
    // it saves (about twice the time on an hour of 10 million events).
    store.query(
      dims
        .map(
          (d, i) =>
            `SELECT ${i} AS d, "${d}" AS value, bucket, sum(n) AS n FROM ${SKETCH_TABLE} WHERE ${where} GROUP BY ALL`,
        )
        .join(' UNION ALL '),
      params,
    ),
  ]);
  return dims.map((_, i) => ({
    fromMs,
    toMs,
    ...bySlice(
      sums.filter((r) => num(r.d) === i),
      sketch.filter((r) => num(r.d) === i),
    ),
  }));
}

/** Validates a series range whose buckets are whole minutes; the data ends at `to` rounded up. */
function minuteBuckets(
  from: unknown,
  to: unknown,
  bucketSeconds: unknown,
): { startMs: number; endMs: number; dataEndMs: number; bucketMs: number } {
  const r = guard.bucketRange(from, to, bucketSeconds);
  if (r.bucketMs % guard.MINUTE_MS !== 0)
    throw new InvalidQueryError(
      'bucketSeconds',
      'must be a multiple of 60 (rollups are per minute)',
    );
  const dataEndMs = Math.ceil(r.endMs / guard.MINUTE_MS) * guard.MINUTE_MS;
  return { ...r, dataEndMs };
}

/**
 * One aggregate per bucket of `bucketSeconds` (a multiple of 60, aligned to multiples of it since
 * the epoch), every bucket from `from` aligned down to `to` present, empty where nothing.
 */
async function aggregateSeries(
  store: DuckDbStore,
  input: AggregateSeriesInput,
): Promise<AggregateSeriesResult> {
  const { startMs, endMs, dataEndMs, bucketMs } = minuteBuckets(
    input?.from,
    input?.to,
    input?.bucketSeconds,
  );
  const filters = guard.rollupFilters(input.filters);
  const params: DuckDBValue[] = [
    ms(startMs),
    ms(dataEndMs),
    ms(bucketMs),
    ...filters.map(([, v]) => v),
  ];
  const where = whereSql(filters, 4);
  const t = guard.bucketStartSql('minute');
  const [sums, sketch] = await Promise.all([
    store.query(
      `SELECT ${t} AS t, ${SUMS_SQL} FROM ${ROLLUP_TABLE} WHERE ${where} GROUP BY ALL`,
      params,
    ),
    store.query(
      `SELECT ${t} AS t, bucket, sum(n) AS n FROM ${SKETCH_TABLE} WHERE ${where} GROUP BY ALL`,
      params,
    ),
  ]);
  const byT = new Map<string | number, QoeAggregate>(sums.map((r) => [num(r.t), sumsOf(r)]));
  addSketch(byT, sketch, (r) => num(r.t));
  const points: AggregateSeriesResult['points'] = [];
  for (let b = startMs; b < endMs; b += bucketMs)
    points.push({ t: b, agg: byT.get(b) ?? emptyAggregate() });
  return { bucketSeconds: bucketMs / 1000, points };
}

/**
 * Events per type per bucket of event time, from the per-minute type counts: the same answer as
 * `EventQueries.timeseries` for buckets that are whole minutes (bucketSeconds a multiple of 60).
 */
async function typeSeries(store: DuckDbStore, input: TimeseriesInput): Promise<TimeseriesResult> {
  const types = guard.eventTypes(input?.types);
  if (guard.rollupFilters(input.filters).length > 0)
    throw new InvalidQueryError('filters', 'the per-minute type counts have no slices');
  const { startMs, endMs, dataEndMs, bucketMs } = minuteBuckets(
    input.from,
    input.to,
    input.bucketSeconds,
  );
  const rows = await store.query(
    `SELECT type, ${guard.bucketStartSql('minute')} AS bucket, sum(n) AS n FROM ${TYPE_COUNTS_TABLE}
     WHERE minute >= make_timestamp_ms($1::BIGINT) AND minute < make_timestamp_ms($2::BIGINT)
       AND list_contains($4::VARCHAR[], type)
     GROUP BY ALL`,
    [ms(startMs), ms(dataEndMs), ms(bucketMs), listValue(types)],
  );
  const found = new Map(rows.map((r) => [`${r.type}@${num(r.bucket)}`, num(r.n)]));
  const series: TimeseriesResult['series'] = {};
  for (const type of types) {
    const points: [number, number][] = [];
    for (let b = startMs; b < endMs; b += bucketMs)
      points.push([b, found.get(`${type}@${b}`) ?? 0]);
    series[type] = points;
  }
  return { bucketSeconds: bucketMs / 1000, series };
}

/** Events per type (every EVENT_TYPES key, 0 when none) with event time in the minute window. */
async function typeTotals(
  store: DuckDbStore,
  input: { from: Date; to: Date },
): Promise<Record<EventType, number>> {
  const { fromMs, toMs } = guard.minuteWindow(input?.from, input?.to);
  const rows = await store.query(
    `SELECT type, sum(n) AS n FROM ${TYPE_COUNTS_TABLE}
     WHERE minute >= make_timestamp_ms($1::BIGINT) AND minute < make_timestamp_ms($2::BIGINT)
     GROUP BY type`,
    [ms(fromMs), ms(toMs)],
  );
  const counts = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  for (const r of rows)
    if ((EVENT_TYPES as readonly string[]).includes(String(r.type)))
      counts[r.type as EventType] = num(r.n);
  return counts;
}
