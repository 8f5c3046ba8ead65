/**
 * `RollupQueries` over rows held in memory, summed as the stores sum theirs: the route and
 * command tests use it where no rollup engine writes. Rows at minute m cover [m, m + 1 min).
 */
import type {
  AggregateByInput,
  AggregateSeriesInput,
  RollupQueries,
} from '../../core-pipeline/queries/types.js';
import {
  emptyAggregate,
  mergeInto,
  missingDimensionValue,
  type QoeAggregate,
  type RollupDimension,
  type RollupFilters,
  type SliceKey,
} from '../../core-pipeline/rollups/aggregate.js';

/** One stored rollup row: minute start (ms since epoch), slice and sums. */
export interface MemoryRollupRow {
  minute: number;
  key: Partial<SliceKey>;
  agg: QoeAggregate;
}

const MINUTE = 60_000;
const matches = (key: Partial<SliceKey>, filters: RollupFilters = {}) =>
  Object.entries(filters).every(
    ([d, v]) => (key[d as keyof SliceKey] ?? missingDimensionValue(d as RollupDimension)) === v,
  );

/** Per-type minute counts are not held here; a route that needs them fails loudly. */
const noTypeCounts = () => Promise.reject(new Error('memory rollups hold no per-type counts'));

/**
 * A RollupQueries over `rows`; `calls` records every query for assertions. The per-type count
 * reads the dashboard's other panels use reject.
 */
export function memoryRollups(rows: MemoryRollupRow[]): RollupQueries & {
  calls: unknown[];
  typeSeries: () => Promise<never>;
  typeTotals: () => Promise<never>;
} {
  const calls: unknown[] = [];
  const span = (from: Date, to: Date) => ({
    fromMs: Math.floor(from.getTime() / MINUTE) * MINUTE,
    toMs: Math.ceil(to.getTime() / MINUTE) * MINUTE,
  });
  return {
    calls,
    typeSeries: noTypeCounts,
    typeTotals: noTypeCounts,
    async aggregateBy(input: AggregateByInput) {
      calls.push({ aggregateBy: input });
      const { fromMs, toMs } = span(input.from, input.to);
      const total = emptyAggregate();
      const slices = new Map<string, QoeAggregate>();
      for (const r of rows) {
        if (r.minute < fromMs || r.minute >= toMs || !matches(r.key, input.filters)) continue;
        mergeInto(total, r.agg);
        if (input.dimension === null) continue;
        const v = r.key[input.dimension] ?? missingDimensionValue(input.dimension);
        slices.set(v, mergeInto(slices.get(v) ?? emptyAggregate(), r.agg));
      }
      return { fromMs, toMs, total, slices: [...slices].map(([value, agg]) => ({ value, agg })) };
    },
    async aggregateSeries(input: AggregateSeriesInput) {
      calls.push({ aggregateSeries: input });
      const { fromMs, toMs } = span(input.from, input.to);
      const step = input.bucketSeconds * 1000;
      const points: { t: number; agg: QoeAggregate }[] = [];
      for (let t = Math.floor(fromMs / step) * step; t < toMs; t += step)
        points.push({ t, agg: emptyAggregate() });
      for (const r of rows) {
        if (r.minute < fromMs || r.minute >= toMs || !matches(r.key, input.filters)) continue;
        const i = Math.floor((r.minute - points[0].t) / step);
        mergeInto(points[i].agg, r.agg);
      }
      return { bucketSeconds: input.bucketSeconds, points };
    },
  };
}
