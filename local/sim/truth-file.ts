/**
 * The `--truth FILE` format: what a simulation generated and the edge acknowledged, per metric,
 * per slice and per minute, with the run's parameters and faults. `readTruth` loads it back with
 * live aggregates, so tests compare it with what the stack answers.
 */
import fs from 'node:fs/promises';
import {
  AGGREGATE_SUMS,
  emptyAggregate,
  mergeInto,
  type QoeAggregate,
  type QoeMetrics,
  qoeMetrics,
  type RollupDimension,
} from '../../core-pipeline/rollups/aggregate.js';
import type { Fault } from './faults.js';
import type { SliceTruth, TruthRecorder } from './truth.js';

/** An aggregate as JSON: its sums, and the sketch as [bucket, count] pairs. */
export type AggregateJson = Record<(typeof AGGREGATE_SUMS)[number], number> & {
  startupSketch: [number, number][];
};

/** Exact nearest-rank startup percentiles (the sketch's are within 1 %). */
export interface ExactStartup {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
}

/** One slice (or the whole audience) in the file. */
export interface SliceTruthJson {
  total: AggregateJson;
  /** qoeMetrics of the total over the run's length. */
  metrics: QoeMetrics;
  startup: ExactStartup;
  /** Minute start (ISO 8601) → aggregate and metrics of that minute. */
  minutes: Record<string, { aggregate: AggregateJson; metrics: QoeMetrics }>;
}

/** The whole file. */
export interface GroundTruthJson {
  format: 'beacons-simulate-truth/1';
  params: Record<string, unknown> & { startedAt: string; endedAt: string; windowMs: number };
  faults: Pick<Fault, 'spec' | 'dimension' | 'value' | 'effects'>[];
  sessions: number;
  eventsAcknowledged: number;
  overall: SliceTruthJson;
  /** dimension → slice value → truth. */
  slices: Partial<Record<RollupDimension, Record<string, SliceTruthJson>>>;
}

function toJson(a: QoeAggregate): AggregateJson {
  const out = { startupSketch: [...a.startupSketch].sort((x, y) => x[0] - y[0]) } as AggregateJson;
  for (const k of AGGREGATE_SUMS) out[k] = a[k];
  return out;
}

/** The live aggregate of its JSON form. */
function aggregateFromJson(j: AggregateJson): QoeAggregate {
  const a = emptyAggregate();
  for (const k of AGGREGATE_SUMS) a[k] = j[k] ?? 0;
  for (const [b, n] of j.startupSketch) a.startupSketch.set(b, n);
  return a;
}

/** Nearest-rank percentile of sorted values. */
function rank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1];
}

function sliceJson(t: SliceTruth, windowMs: number): SliceTruthJson {
  const total = emptyAggregate();
  const minutes: SliceTruthJson['minutes'] = {};
  for (const [m, agg] of [...t.minutes].sort((x, y) => x[0] - y[0])) {
    mergeInto(total, agg);
    minutes[new Date(m).toISOString()] = {
      aggregate: toJson(agg),
      metrics: qoeMetrics(agg, 60_000),
    };
  }
  const s = [...t.startups].sort((x, y) => x - y);
  return {
    total: toJson(total),
    metrics: qoeMetrics(total, windowMs),
    startup: { count: s.length, p50: rank(s, 50), p90: rank(s, 90), p95: rank(s, 95) },
    minutes,
  };
}

/** The file's content for a recorder's state. */
export function truthJson(
  rec: TruthRecorder,
  params: Record<string, unknown> & { startedAt: number; endedAt: number },
  faults: readonly Fault[],
): GroundTruthJson {
  const windowMs = Math.max(1, params.endedAt - params.startedAt);
  const slices: GroundTruthJson['slices'] = {};
  for (const [d, byValue] of rec.slices) {
    const out: Record<string, SliceTruthJson> = {};
    for (const [v, t] of [...byValue].sort((x, y) => x[0].localeCompare(y[0])))
      out[v] = sliceJson(t, windowMs);
    slices[d] = out;
  }
  return {
    format: 'beacons-simulate-truth/1',
    params: {
      ...params,
      startedAt: new Date(params.startedAt).toISOString(),
      endedAt: new Date(params.endedAt).toISOString(),
      windowMs,
    },
    faults: faults.map(({ spec, dimension, value, effects }) => ({
      spec,
      dimension,
      value,
      effects,
    })),
    sessions: rec.sessions,
    eventsAcknowledged: rec.eventsAcknowledged,
    overall: sliceJson(rec.overall, windowMs),
    slices,
  };
}

/** Writes the truth file (pretty enough to read, compact enough to load). */
export async function writeTruth(file: string, truth: GroundTruthJson): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(truth)}\n`);
}

/**
 * Loads a truth file.
 * @throws Error when the file is not a truth file of this format.
 */
export async function readTruth(file: string): Promise<GroundTruthJson> {
  const t = JSON.parse(await fs.readFile(file, 'utf8')) as GroundTruthJson;
  if (t?.format !== 'beacons-simulate-truth/1')
    throw new Error(`${file} is not a simulate truth file`);
  return t;
}

/** The aggregate of a slice (or overall when `dimension` is absent), over all or some minutes. */
export function truthAggregate(
  t: GroundTruthJson,
  dimension?: RollupDimension,
  value?: string,
  minutes?: (minuteIso: string) => boolean,
): QoeAggregate {
  const s = dimension ? t.slices[dimension]?.[value ?? ''] : t.overall;
  const out = emptyAggregate();
  if (!s) return out;
  if (!minutes) return aggregateFromJson(s.total);
  for (const [m, x] of Object.entries(s.minutes))
    if (minutes(m)) mergeInto(out, aggregateFromJson(x.aggregate));
  return out;
}
