/**
 * The explanation of a finding: its metric per time bucket for the slice and for its baseline
 * (the total minus the slice in each bucket), so a human sees when the slice went wrong.
 * Pure: no I/O.
 */
import { type QoeAggregate, subtract } from '../rollups/aggregate.js';
import type { Finding } from './diagnose.js';
import { metricValue } from './metrics.js';

/** One bucket: its start (ms since epoch) and the metric for the slice and the baseline. */
export interface SeriesPoint {
  t: number;
  slice: number | null;
  baseline: number | null;
}

/**
 * The finding's metric per bucket, from the slice's and the total's aggregates per bucket
 * (buckets missing on one side count as empty). Startup time uses the finding's quantile.
 */
export function findingSeries(
  finding: Pick<Finding, 'metric' | 'startup'>,
  slice: readonly { t: number; agg: QoeAggregate }[],
  total: readonly { t: number; agg: QoeAggregate }[],
): SeriesPoint[] {
  const quantile = finding.startup?.quantile ?? 50;
  const sliceAt = new Map(slice.map((p) => [p.t, p.agg]));
  return total.map(({ t, agg }) => {
    const s = sliceAt.get(t);
    return {
      t,
      slice: s ? metricValue(finding.metric, s, quantile) : null,
      baseline: metricValue(finding.metric, s ? subtract(agg, s) : agg, quantile),
    };
  });
}
