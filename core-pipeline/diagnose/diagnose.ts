/**
 * `beacons diagnose`: which slices of the audience have a significantly worse experience than
 * the rest? For every dimension, every slice value and every metric, the slice is compared with
 * its baseline (the window's total minus the slice) by the test that fits the metric
 * (./metrics.ts). A finding must pass three guards against noise: enough samples on both sides,
 * an effect of at least `minRelativeEffect` (and the metric's absolute floor), and significance
 * after a Benjamini–Hochberg correction over every test run in the window.
 * Pure: the aggregates come from the caller (./run.ts reads them from the rollups).
 */
import { type QoeAggregate, type RollupDimension, subtract } from '../rollups/aggregate.js';
import {
  COMPARE,
  DIAGNOSE_METRICS,
  type DiagnoseMetric,
  designEffects,
  METRIC_INFO,
  type MetricComparison,
  type SampleUnit,
} from './metrics.js';
import { benjaminiHochberg, type TestResult } from './stats.js';
import { groupSameSessions } from './overlap.js';

/** The aggregates of one window: its total and every slice of every dimension. */
export interface DiagnoseInput {
  total: QoeAggregate;
  dimensions: { dimension: RollupDimension; slices: { value: string; agg: QoeAggregate }[] }[];
}

/** Thresholds; the defaults are DIAGNOSE_DEFAULTS. */
export interface DiagnoseOptions {
  /** False discovery rate over all tests run (Benjamini–Hochberg). */
  alpha?: number;
  /** Smallest relative effect reported: 0.2 = the slice is at least 20 % worse. */
  minRelativeEffect?: number;
}

/** Default thresholds of {@link diagnose}. */
const DIAGNOSE_DEFAULTS = { alpha: 0.001, minRelativeEffect: 0.2 } as const;

/** One slice that is significantly worse than the rest on one metric. */
export interface Finding {
  metric: DiagnoseMetric;
  label: string;
  unit: 'ratio' | 'ms' | 'per_minute' | 'bps';
  dimension: RollupDimension;
  /** The slice value ('' when the events did not carry the dimension). */
  value: string;
  sliceValue: number;
  baselineValue: number;
  /** sliceValue − baselineValue. */
  difference: number;
  /** How much worse, relative to the baseline (0.5 = 50 % worse; null when the baseline is 0). */
  relativeEffect: number | null;
  sample: { unit: SampleUnit; slice: number; baseline: number };
  test: TestResult['test'];
  z: number;
  /** One-sided p-value (may underflow to 0; log10P keeps it). */
  p: number;
  log10P: number;
  /** Benjamini–Hochberg adjusted p-value over all tests of the window. */
  q: number;
  /** −log10 p: the ranking key. */
  score: number;
  /** Startup time only: the quantile tested and both sides' p50 and p90 (ms). */
  startup?: MetricComparison['startup'];
  /** Findings on the same metric in other dimensions that describe nearly the same sessions. */
  sameSessionsAs?: { dimension: RollupDimension; value: string }[];
  /** With sameSessionsAs: whether this slice is the one ranked first in its group (see overlap.ts). */
  moreSpecific?: boolean;
}

/** The findings (most significant first) and what was tested. */
export interface DiagnoseReport {
  findings: Finding[];
  /** Tests run (metric × slice pairs with enough samples): the correction's family size. */
  testsRun: number;
  alpha: number;
  minRelativeEffect: number;
}

const LOG10E = Math.LOG10E;

/** How much worse the slice is, relative to the baseline (Infinity when the baseline is 0). */
function relativeWorse(metric: DiagnoseMetric, c: MetricComparison): number {
  const info = METRIC_INFO[metric];
  const worse = info.higherIsWorse
    ? c.sliceValue - c.baselineValue
    : c.baselineValue - c.sliceValue;
  if (worse <= 0) return worse;
  return c.baselineValue > 0 ? worse / c.baselineValue : Number.POSITIVE_INFINITY;
}

/**
 * Ranks the slices significantly worse than their baselines.
 * @example diagnose({ total, dimensions: [{ dimension: 'pop', slices }] }).findings[0]
 */
export function diagnose(input: DiagnoseInput, options: DiagnoseOptions = {}): DiagnoseReport {
  const alpha = options.alpha ?? DIAGNOSE_DEFAULTS.alpha;
  const minRelativeEffect = options.minRelativeEffect ?? DIAGNOSE_DEFAULTS.minRelativeEffect;
  const ctx = designEffects(input.total);
  const tested: {
    metric: DiagnoseMetric;
    dimension: RollupDimension;
    value: string;
    c: MetricComparison;
  }[] = [];
  for (const { dimension, slices } of input.dimensions) {
    for (const { value, agg } of slices) {
      const baseline = subtract(input.total, agg);
      for (const metric of DIAGNOSE_METRICS) {
        const c = COMPARE[metric](agg, baseline, ctx);
        if (c) tested.push({ metric, dimension, value, c });
      }
    }
  }
  const lnQs = benjaminiHochberg(tested.map((t) => t.c.result.lnP));
  const findings: Finding[] = [];
  tested.forEach(({ metric, dimension, value, c }, i) => {
    const info = METRIC_INFO[metric];
    const relative = relativeWorse(metric, c);
    const absolute = Math.abs(c.sliceValue - c.baselineValue);
    if (lnQs[i] > Math.log(alpha) || relative < minRelativeEffect || absolute < info.minAbsolute)
      return;
    const log10P = c.result.lnP * LOG10E;
    findings.push({
      metric,
      label: info.label,
      unit: info.unit,
      dimension,
      value,
      sliceValue: c.sliceValue,
      baselineValue: c.baselineValue,
      difference: c.sliceValue - c.baselineValue,
      relativeEffect: Number.isFinite(relative) ? relative : null,
      sample: c.sample,
      test: c.result.test,
      z: c.result.z,
      p: Math.exp(c.result.lnP),
      log10P,
      q: Math.exp(lnQs[i]),
      score: -log10P,
      ...(c.startup ? { startup: c.startup } : {}),
    });
  });
  const effect = (f: Finding) => f.relativeEffect ?? Number.MAX_VALUE;
  findings.sort((a, b) => b.score - a.score || effect(b) - effect(a));
  return {
    findings: groupSameSessions(findings),
    testsRun: tested.length,
    alpha,
    minRelativeEffect,
  };
}
