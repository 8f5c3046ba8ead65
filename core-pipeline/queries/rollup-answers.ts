/**
 * The dashboard API's QoE answers built from rollup aggregates (pure: no store). They keep the
 * fields of the raw-event answers (QoeSummary, BreakdownRow in types.ts) where the aggregate
 * carries them, with the same meaning, and add every measure of `qoeMetrics` (formulas in
 * docs/METRICS.md).
 */
import {
  qoeMetrics,
  sketchValue,
  type QoeAggregate,
  type QoeMetrics,
} from '../rollups/aggregate.js';
import { STARTUP_EDGES_MS } from './duckdb-qoe.js';
import type { QoeSummary, StartupBucket } from './types.js';

/** QoE over a whole-minute window, from the rollups. */
export interface RollupQoeSummary extends Omit<QoeSummary, 'stalls' | 'bitrate'> {
  stalls: {
    stallCount: number;
    stallMs: number;
    playedMs: number;
    /** playedMs + stallMs: the rebuffer ratio's denominator (pauses excluded). */
    watchMs: number;
    /** 100 × Σ stall ÷ Σ played, as the raw answer gave it (overstates the ratio a little). */
    stalledPct: number | null;
    /** Σ stall ÷ (Σ played + Σ stall), a fraction: the rebuffer ratio. */
    rebufferRatio: number | null;
  };
  bitrate: { averageBps: number | null; method: 'heartbeat_time_weighted' | 'none' };
  /** Every measure of `qoeMetrics` for the window. */
  metrics: QoeMetrics;
}

/** One slice of a rollup breakdown. */
export interface RollupBreakdownRow {
  /** The dimension's value; `(unknown)` when the events did not carry it. */
  value: string;
  sessions: number;
  plays: number;
  startFailures: number;
  playbackFailures: number;
  exitsBeforeStart: number;
  startupP50Ms: number | null;
  startupP95Ms: number | null;
  /** 100 × Σ stall ÷ Σ played (the raw breakdown's column). */
  stalledPct: number | null;
  rebufferRatio: number | null;
  averageBitrateBps: number | null;
  watchMs: number;
  /** Start failures + playback failures + exits before start: plays that went wrong. */
  failedPlays: number;
  /**
   * The slice's impact in plays: failed plays plus its stall time counted in plays' worth of
   * watching (stall ms ÷ the window's mean watch ms per play).
   */
  impact: number;
  /**
   * Impact beyond what the window's overall rates predict for a slice of this size: failed
   * plays − plays × the overall failed share, plus (stall ms − watch ms × the overall rebuffer
   * ratio) ÷ the mean watch ms per play. Rows are ranked by it.
   */
  excessImpact: number;
}

/** The whole window a breakdown's slices are compared with. */
export interface BreakdownOverall {
  sessions: number;
  plays: number;
  failedPlays: number;
  /** failedPlays ÷ plays. */
  failedShare: number | null;
  rebufferRatio: number | null;
  startupP95Ms: number | null;
}

const per = (n: number, d: number): number | null => (d > 0 ? n / d : null);
const round2 = (x: number): number => Math.round(x * 100) / 100;
const failedPlays = (a: QoeAggregate): number =>
  a.startFailures + a.playbackFailures + a.exitsBeforeStart;

/** Startup histogram bars from the sketch: each bucket goes to the bar of its representative value. */
function histogram(sketch: ReadonlyMap<number, number>): StartupBucket[] {
  const bars = STARTUP_EDGES_MS.map((fromMs, i) => ({
    fromMs,
    toMs: STARTUP_EDGES_MS[i + 1] ?? null,
    sessions: 0,
  }));
  for (const [bucket, n] of sketch) {
    const v = sketchValue(bucket);
    let i = bars.length - 1;
    while (i > 0 && v < bars[i].fromMs) i -= 1;
    bars[i].sessions += n;
  }
  return bars;
}

/**
 * The QoE answer of an aggregate.
 * @param windowMs the window's length up to now, for concurrent viewers.
 */
export function qoeSummary(a: QoeAggregate, windowMs: number | null): RollupQoeSummary {
  const m = qoeMetrics(a, windowMs);
  return {
    sessions: a.sessions,
    plays: a.plays,
    startFailures: a.startFailures,
    startFailureRate: m.videoStartFailureRate,
    exitsBeforeStart: a.exitsBeforeStart,
    exitBeforeStartRate: m.exitBeforeStartRate,
    playbackFailures: a.playbackFailures,
    errorRate: m.playbackFailureRate,
    nonFatalErrors: a.nonFatalErrors,
    startup: {
      sessions: a.startups,
      p50Ms: m.startupP50Ms,
      p90Ms: m.startupP90Ms,
      p95Ms: m.startupP95Ms,
      histogram: histogram(a.startupSketch),
    },
    stalls: {
      stallCount: a.stallCount,
      stallMs: a.stallMs,
      playedMs: a.playedMs,
      watchMs: m.watchMs,
      stalledPct: a.playedMs > 0 ? (100 * a.stallMs) / a.playedMs : null,
      rebufferRatio: m.rebufferRatio,
    },
    bitrate:
      m.averageBitrateBps === null
        ? { averageBps: null, method: 'none' }
        : { averageBps: m.averageBitrateBps, method: 'heartbeat_time_weighted' },
    metrics: m,
  };
}

/** The window's overall figures, for reading a breakdown's rows against. */
export function breakdownOverall(total: QoeAggregate): BreakdownOverall {
  const m = qoeMetrics(total);
  return {
    sessions: total.sessions,
    plays: total.plays,
    failedPlays: failedPlays(total),
    failedShare: per(failedPlays(total), total.plays),
    rebufferRatio: m.rebufferRatio,
    startupP95Ms: m.startupP95Ms,
  };
}

/**
 * The slices of a breakdown, the one that hurts most first: by excess impact (see
 * RollupBreakdownRow), then failed share, rebuffer ratio, startup p95, sessions, value. The
 * ranking runs over every slice before `limit` cuts.
 * @param total the window's aggregate over every slice (the baseline rates).
 */
export function rankSlices(
  slices: readonly { value: string; agg: QoeAggregate }[],
  total: QoeAggregate,
  limit: number,
): RollupBreakdownRow[] {
  const failedShare = per(failedPlays(total), total.plays) ?? 0;
  const watch = total.playedMs + total.stallMs;
  const rebuffer = per(total.stallMs, watch) ?? 0;
  const watchPerPlay = per(watch, total.plays) ?? 0;
  const inPlays = (stallMs: number): number => (watchPerPlay > 0 ? stallMs / watchPerPlay : 0);
  const rows = slices.map(({ value, agg }): RollupBreakdownRow => {
    const m = qoeMetrics(agg);
    const failed = failedPlays(agg);
    const excess = failed - agg.plays * failedShare + inPlays(agg.stallMs - m.watchMs * rebuffer);
    return {
      value: value === '' ? '(unknown)' : value,
      sessions: agg.sessions,
      plays: agg.plays,
      startFailures: agg.startFailures,
      playbackFailures: agg.playbackFailures,
      exitsBeforeStart: agg.exitsBeforeStart,
      startupP50Ms: m.startupP50Ms,
      startupP95Ms: m.startupP95Ms,
      stalledPct: agg.playedMs > 0 ? (100 * agg.stallMs) / agg.playedMs : null,
      rebufferRatio: m.rebufferRatio,
      averageBitrateBps: m.averageBitrateBps,
      watchMs: m.watchMs,
      failedPlays: failed,
      impact: round2(failed + inPlays(agg.stallMs)),
      excessImpact: round2(excess),
    };
  });
  const desc = (x: number | null, y: number | null): number => (y ?? -1) - (x ?? -1);
  rows.sort(
    (x, y) =>
      y.excessImpact - x.excessImpact ||
      desc(per(x.failedPlays, x.plays), per(y.failedPlays, y.plays)) ||
      desc(x.rebufferRatio, y.rebufferRatio) ||
      desc(x.startupP95Ms, y.startupP95Ms) ||
      y.sessions - x.sessions ||
      (x.value < y.value ? -1 : x.value > y.value ? 1 : 0),
  );
  return rows.slice(0, limit);
}
