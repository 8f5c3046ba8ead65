/**
 * The metrics `beacons diagnose` compares, each with the test that fits it (docs/METRICS.md gives
 * the formulas): a proportion test for the failure rates, a delta-method ratio test for the ratio
 * metrics, a rate test for stall frequency, Welch's test for seek latency and a quantile test
 * for startup time. A metric answers null when either side has too few samples to be ranked.
 * Pure: no I/O.
 */
import { type QoeAggregate, sketchCountAbove, sketchPercentile } from '../rollups/aggregate.js';
import {
  meanTest,
  poissonRateTest,
  proportionTest,
  ratioTest,
  type RatioSums,
  type TestResult,
} from './stats.js';

/** The metrics diagnose ranks on. */
export const DIAGNOSE_METRICS = [
  'video_start_failure_rate',
  'playback_failure_rate',
  'exit_before_start_rate',
  'startup_time',
  'rebuffer_ratio',
  'rebuffer_frequency',
  'average_bitrate',
  'seek_latency',
] as const;
/** One of DIAGNOSE_METRICS. */
export type DiagnoseMetric = (typeof DIAGNOSE_METRICS)[number];

/** What a metric's sample size counts. */
export type SampleUnit = 'plays' | 'startups' | 'watch_minutes' | 'seeks';

/** Smallest samples (on each side) a metric is tested on; below them a slice is not ranked. */
const MIN_SAMPLES: Record<SampleUnit, number> = {
  plays: 30,
  startups: 30,
  watch_minutes: 10,
  seeks: 20,
};
/** Fewest events (failures, exits, stalls) a slice needs before its rate can be called worse. */
const MIN_SLICE_EVENTS = 3;
/** Fewest sessions' worth of counter deltas (deltas / deltas per session) a ratio is tested on. */
const MIN_RATIO_SESSIONS = 20;

/** How non-independent observations are corrected for (see `designEffects`). */
export interface TestContext {
  /** Counter deltas per session in the window's total. */
  deltasPerSession: number;
  /** Variance multiplier for counter deltas (several per session). */
  observations: number;
  /** Variance multiplier for seeks (several per session). */
  seeks: number;
}

/** One metric's comparison of a slice with its baseline. */
export interface MetricComparison {
  sliceValue: number;
  baselineValue: number;
  sample: { unit: SampleUnit; slice: number; baseline: number };
  result: TestResult;
  /** Startup time only: the quantile tested and both sides' p50 and p90 (ms). */
  startup?: {
    quantile: 50 | 90;
    slice: { p50: number; p90: number };
    baseline: { p50: number; p90: number };
  };
}

/** Static facts of a metric. */
export interface MetricInfo {
  label: string;
  unit: 'ratio' | 'ms' | 'per_minute' | 'bps';
  higherIsWorse: boolean;
  /** Smallest absolute difference worth reporting, in the metric's unit. */
  minAbsolute: number;
}

/** Labels, units and direction of each metric. */
export const METRIC_INFO: Record<DiagnoseMetric, MetricInfo> = {
  video_start_failure_rate: {
    label: 'Video start failures',
    unit: 'ratio',
    higherIsWorse: true,
    minAbsolute: 0.005,
  },
  playback_failure_rate: {
    label: 'Playback failures',
    unit: 'ratio',
    higherIsWorse: true,
    minAbsolute: 0.005,
  },
  exit_before_start_rate: {
    label: 'Exits before start',
    unit: 'ratio',
    higherIsWorse: true,
    minAbsolute: 0.005,
  },
  startup_time: { label: 'Startup time', unit: 'ms', higherIsWorse: true, minAbsolute: 100 },
  rebuffer_ratio: {
    label: 'Rebuffer ratio',
    unit: 'ratio',
    higherIsWorse: true,
    minAbsolute: 0.002,
  },
  rebuffer_frequency: {
    label: 'Rebuffer frequency',
    unit: 'per_minute',
    higherIsWorse: true,
    minAbsolute: 0.02,
  },
  average_bitrate: { label: 'Average bitrate', unit: 'bps', higherIsWorse: false, minAbsolute: 0 },
  seek_latency: { label: 'Seek latency', unit: 'ms', higherIsWorse: true, minAbsolute: 50 },
};

const watchMs = (a: QoeAggregate) => a.playedMs + a.stallMs;

function proportion(
  pick: (a: QoeAggregate) => number,
): (s: QoeAggregate, b: QoeAggregate) => MetricComparison | null {
  return (s, b) => {
    if (s.plays < MIN_SAMPLES.plays || b.plays < MIN_SAMPLES.plays) return null;
    if (pick(s) < MIN_SLICE_EVENTS) return null;
    return {
      sliceValue: pick(s) / s.plays,
      baselineValue: pick(b) / b.plays,
      sample: { unit: 'plays', slice: s.plays, baseline: b.plays },
      result: proportionTest(pick(s), s.plays, pick(b), b.plays),
    };
  };
}

const stallSums = (a: QoeAggregate): RatioSums => ({
  y: a.stallMs,
  x: watchMs(a),
  yy: a.stallSq,
  xx: a.watchSq,
  xy: a.stallWatch,
  n: a.observations,
});

const bitrateSums = (a: QoeAggregate): RatioSums => ({
  y: a.bitrateWeighted,
  x: a.bitratePlayedMs,
  yy: a.bitrateWeightedSq,
  xx: a.bitratePlayedSq,
  xy: a.bitrateCross,
  n: a.observations,
});

const enoughWatch = (ms: number) => ms / 60_000 >= MIN_SAMPLES.watch_minutes;
/** Enough watch time and enough sessions behind it, on both sides, for a ratio test. */
const ratioSamples = (
  s: QoeAggregate,
  b: QoeAggregate,
  ctx: TestContext,
  w: (a: QoeAggregate) => number,
) =>
  enoughWatch(w(s)) &&
  enoughWatch(w(b)) &&
  s.observations / ctx.deltasPerSession >= MIN_RATIO_SESSIONS &&
  b.observations / ctx.deltasPerSession >= MIN_RATIO_SESSIONS;
const minutes = (ms: number) => ms / 60_000;

/**
 * Startup time: for the baseline's p50 and p90, the share of the slice's startups above it
 * against the baseline's own share (a proportion test on sketch counts). The quantile with the
 * smaller p-value is reported, its p-value doubled (two tests, Bonferroni).
 */
function startupTime(s: QoeAggregate, b: QoeAggregate): MetricComparison | null {
  if (s.startups < MIN_SAMPLES.startups || b.startups < MIN_SAMPLES.startups) return null;
  const q = (a: QoeAggregate, p: number) => sketchPercentile(a.startupSketch, p) ?? 0;
  const slice = { p50: q(s, 50), p90: q(s, 90) };
  const baseline = { p50: q(b, 50), p90: q(b, 90) };
  let best: MetricComparison | null = null;
  for (const quantile of [50, 90] as const) {
    const limit = quantile === 50 ? baseline.p50 : baseline.p90;
    const result = proportionTest(
      sketchCountAbove(s.startupSketch, limit),
      s.startups,
      sketchCountAbove(b.startupSketch, limit),
      b.startups,
    );
    result.lnP = Math.min(0, result.lnP + Math.LN2);
    if (best === null || result.lnP < best.result.lnP)
      best = {
        sliceValue: quantile === 50 ? slice.p50 : slice.p90,
        baselineValue: limit,
        sample: { unit: 'startups', slice: s.startups, baseline: b.startups },
        result,
        startup: { quantile, slice, baseline },
      };
  }
  return best;
}

/** Each metric's comparison of a slice `s` with its baseline `b`. */
export const COMPARE: Record<
  DiagnoseMetric,
  (s: QoeAggregate, b: QoeAggregate, ctx: TestContext) => MetricComparison | null
> = {
  video_start_failure_rate: proportion((a) => a.startFailures),
  playback_failure_rate: proportion((a) => a.startFailures + a.playbackFailures),
  exit_before_start_rate: proportion((a) => a.exitsBeforeStart),
  startup_time: startupTime,
  rebuffer_ratio(s, b, ctx) {
    if (!ratioSamples(s, b, ctx, watchMs) || s.stallCount < MIN_SLICE_EVENTS) return null;
    return {
      sliceValue: s.stallMs / watchMs(s),
      baselineValue: b.stallMs / watchMs(b),
      sample: { unit: 'watch_minutes', slice: minutes(watchMs(s)), baseline: minutes(watchMs(b)) },
      result: ratioTest(stallSums(s), stallSums(b), ctx.observations),
    };
  },
  rebuffer_frequency(s, b, ctx) {
    if (!ratioSamples(s, b, ctx, watchMs) || s.stallCount < MIN_SLICE_EVENTS) return null;
    const [ws, wb] = [minutes(watchMs(s)), minutes(watchMs(b))];
    return {
      sliceValue: s.stallCount / ws,
      baselineValue: b.stallCount / wb,
      sample: { unit: 'watch_minutes', slice: ws, baseline: wb },
      result: poissonRateTest(s.stallCount, ws, b.stallCount, wb, ctx.observations),
    };
  },
  average_bitrate(s, b, ctx) {
    if (!ratioSamples(s, b, ctx, (a) => a.bitratePlayedMs)) return null;
    return {
      sliceValue: s.bitrateWeighted / s.bitratePlayedMs,
      baselineValue: b.bitrateWeighted / b.bitratePlayedMs,
      sample: {
        unit: 'watch_minutes',
        slice: minutes(s.bitratePlayedMs),
        baseline: minutes(b.bitratePlayedMs),
      },
      result: ratioTest(bitrateSums(s), bitrateSums(b), ctx.observations, false),
    };
  },
  seek_latency(s, b, ctx) {
    if (s.seeks < MIN_SAMPLES.seeks || b.seeks < MIN_SAMPLES.seeks) return null;
    return {
      sliceValue: s.seekMsSum / s.seeks,
      baselineValue: b.seekMsSum / b.seeks,
      sample: { unit: 'seeks', slice: s.seeks, baseline: b.seeks },
      result: meanTest(
        { sum: s.seekMsSum, sq: s.seekMsSq, n: s.seeks },
        { sum: b.seekMsSum, sq: b.seekMsSq, n: b.seeks },
        ctx.seeks,
      ),
    };
  },
};

/**
 * The metric's value of an aggregate (for the explanation's series), null when undefined.
 * `quantile` picks the startup percentile.
 */
export function metricValue(
  metric: DiagnoseMetric,
  a: QoeAggregate,
  quantile: 50 | 90 = 50,
): number | null {
  const per = (n: number, d: number) => (d > 0 ? n / d : null);
  switch (metric) {
    case 'video_start_failure_rate':
      return per(a.startFailures, a.plays);
    case 'playback_failure_rate':
      return per(a.startFailures + a.playbackFailures, a.plays);
    case 'exit_before_start_rate':
      return per(a.exitsBeforeStart, a.plays);
    case 'startup_time':
      return sketchPercentile(a.startupSketch, quantile);
    case 'rebuffer_ratio':
      return per(a.stallMs, watchMs(a));
    case 'rebuffer_frequency':
      return per(a.stallCount, minutes(watchMs(a)));
    case 'average_bitrate':
      return per(a.bitrateWeighted, a.bitratePlayedMs);
    case 'seek_latency':
      return per(a.seekMsSum, a.seeks);
  }
}

/**
 * Sessions are of unequal length: the design effect's cluster size is the size-weighted mean
 * m̄·(1 + CV²) of deltas per session, taken with CV = 1 (session lengths spread like an
 * exponential) since the rollups do not hold per-session sizes.
 */
const CLUSTER_SIZE_FACTOR = 2;

/**
 * Design effects from the window's total. Counter deltas of one session are correlated (a session
 * that stalls keeps stalling; its bitrate is a running average), so they are not independent
 * observations. With clusters of m deltas and intra-session correlation ρ the variance grows by
 * 1 + (m − 1)·ρ; we take the worst case ρ = 1 and m = CLUSTER_SIZE_FACTOR × the mean deltas per
 * session, which treats each session as about one observation. Seeks get the same correction
 * with seeks per play.
 */
export function designEffects(total: QoeAggregate): TestContext {
  const deltasPerSession = Math.max(1, total.observations / Math.max(1, total.sessions));
  return {
    deltasPerSession,
    observations: Math.max(1, CLUSTER_SIZE_FACTOR * deltasPerSession),
    seeks: Math.max(1, (CLUSTER_SIZE_FACTOR * total.seeks) / Math.max(1, total.plays)),
  };
}
