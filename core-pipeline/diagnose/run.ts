/**
 * Diagnose one window from the rollups: the aggregates of every dimension's slices, the analysis
 * (./diagnose.ts) and the top finding's explanation (./series.ts). Store-agnostic: it reads
 * through `RollupQueries` only, so any store with rollups answers it.
 */
import type { AggregateByResult, RollupQueries } from '../queries/types.js';
import {
  ROLLUP_DIMENSIONS,
  type RollupDimension,
  type RollupFilters,
} from '../rollups/aggregate.js';
import { diagnose, type DiagnoseOptions, type Finding } from './diagnose.js';
import { findingSeries, type SeriesPoint } from './series.js';

/** Input of {@link diagnoseWindow}. */
export interface DiagnoseWindowInput extends DiagnoseOptions {
  from: Date;
  to: Date;
  /** Findings returned (the most significant); default 20. */
  limit?: number;
  /** Analyse only these slices (`{ source: 'cmcd' }`): every total and baseline is within them. */
  filters?: RollupFilters;
}

/** The answer of `GET /api/v1/diagnose` and `beacons diagnose`. */
export interface DiagnoseAnswer {
  /** The window analysed (whole minutes of event time). */
  window: { from: string; to: string };
  /** Plays and watch minutes in the window. */
  audience: { plays: number; sessions: number; watchMinutes: number };
  testsRun: number;
  alpha: number;
  minRelativeEffect: number;
  /** Findings found, before `limit`. */
  found: number;
  /** Most significant first. */
  findings: Finding[];
  /** The top finding with its metric per minute, slice against baseline; null without findings. */
  top: { finding: Finding; series: SeriesPoint[] } | null;
}

/** Most points of the top finding's series (one per minute up to a day). */
const SERIES_POINTS = 1_440;

/**
 * Ranks the slices significantly worse than the rest over [from, to) and explains the top one.
 * @example await diagnoseWindow(rollups, { from: new Date(Date.now() - 15 * 60_000), to: new Date() })
 */
export async function diagnoseWindow(
  rollups: RollupQueries,
  input: DiagnoseWindowInput,
): Promise<DiagnoseAnswer> {
  const { from, to } = input;
  const filters = input.filters ?? {};
  const byDimension: { dimension: RollupDimension; r: AggregateByResult }[] = [];
  if (rollups.aggregateByEach) {
    // One read of the window for every dimension, where the store offers it.
    const each = await rollups.aggregateByEach({
      from,
      to,
      dimensions: ROLLUP_DIMENSIONS,
      filters,
    });
    for (const [i, dimension] of ROLLUP_DIMENSIONS.entries())
      byDimension.push({ dimension, r: each[i] });
  } else {
    // One after the other: the store answers one query at a time anyway.
    for (const dimension of ROLLUP_DIMENSIONS)
      byDimension.push({
        dimension,
        r: await rollups.aggregateBy({ from, to, dimension, filters }),
      });
  }
  const first = byDimension[0].r;
  const total = first.total;
  const report = diagnose(
    {
      total,
      dimensions: byDimension.map(({ dimension, r }) => ({ dimension, slices: r.slices })),
    },
    input,
  );
  const findings = report.findings.slice(0, input.limit ?? 20);
  let top: DiagnoseAnswer['top'] = null;
  if (findings.length > 0) {
    const finding = findings[0];
    // Minutes, or coarser for a long window: the chart needs at most SERIES_POINTS points.
    const minutes = Math.ceil((first.toMs - first.fromMs) / 60_000);
    const bucketSeconds = 60 * Math.max(1, Math.ceil(minutes / SERIES_POINTS));
    const range = { from: new Date(first.fromMs), to: new Date(first.toMs), bucketSeconds };
    const slice = await rollups.aggregateSeries({
      ...range,
      filters: { ...filters, [finding.dimension]: finding.value },
    });
    const all = await rollups.aggregateSeries({ ...range, filters });
    top = { finding, series: findingSeries(finding, slice.points, all.points) };
  }
  return {
    window: { from: new Date(first.fromMs).toISOString(), to: new Date(first.toMs).toISOString() },
    audience: {
      plays: total.plays,
      sessions: total.sessions,
      watchMinutes: (total.playedMs + total.stallMs) / 60_000,
    },
    testsRun: report.testsRun,
    alpha: report.alpha,
    minRelativeEffect: report.minRelativeEffect,
    found: report.findings.length,
    findings,
    top,
  };
}
