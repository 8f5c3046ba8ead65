/**
 * The rollout panel's answer: per schema version or per SDK release, events, sessions, plays,
 * share of events, bad rows and bad-row rate, error rate, startup p50/p95 and rollout refusals,
 * over a window and per bucket, so a team sees a new version's share grow and spots a version
 * that produces bad rows or fails. Pure: it assembles counts the store read (duckdb-rollout.ts)
 * into the answer; formulas are here once (docs/METRICS.md repeats them).
 *
 * - share = events of the version / events of every version (in the bucket, or the window)
 * - bad-row rate = bad rows / (events + bad rows): of everything the version sent that was
 *   judged, the part refused as bad data
 * - error rate = (start failures + playback failures) / plays: the rollups' playback failure
 *   rate (`qoeMetrics.playbackFailureRate`), plays that ended in a fatal error
 * - startup p50/p95: the rollups' startup sketch (within 1 % of the exact value)
 * - refusals are the rollout switch's decisions (requests and their events), never bad rows and
 *   never part of the rates above.
 */
import { sketchPercentile } from '../rollups/aggregate.js';

/** What a rollout answer groups by: the declared schema version, or the SDK release. */
export const ROLLOUT_GROUPINGS = ['schema', 'sdk'] as const;
/** One of ROLLOUT_GROUPINGS. */
export type RolloutGrouping = (typeof ROLLOUT_GROUPINGS)[number];

/** Sums of one version in one bucket (or the window), as the store reads them. */
export interface RolloutCounts {
  events: number;
  sessions: number;
  plays: number;
  /** Start failures + playback failures (plays with a fatal error). */
  failures: number;
  badRows: number;
  /** Refused requests per refusal reason. */
  refusals: Record<string, number>;
  /** Events in the refused requests (not stored). */
  refusedEvents: number;
  /** Startup sketch: bucket → sessions. */
  startupSketch: Map<number, number>;
}

/** The measures of one version (or of all of them) over a bucket or the window. */
export interface RolloutMeasures {
  events: number;
  sessions: number;
  plays: number;
  /** events / events of every version; null when there were none. */
  share: number | null;
  badRows: number;
  /** badRows / (events + badRows); null when both are 0. */
  badRowRate: number | null;
  failures: number;
  /** failures / plays; null without plays. */
  errorRate: number | null;
  startupP50Ms: number | null;
  startupP95Ms: number | null;
  /** Requests the rollout switch refused. */
  refusedRequests: number;
  refusedEvents: number;
}

/** One version's totals over the window. */
export interface RolloutVersion extends RolloutMeasures {
  /**
   * The grouping key: the schema version (`1-0-0`) or the SDK release (`beacon-edge-web@1.1.0`);
   * '' when not known (bad rows of unreadable bodies).
   */
  version: string;
  /** How it is shown: the version, or `(unknown)`. */
  label: string;
  /** Refused requests per reason (schema_retired, sdk_retired, session_not_sampled). */
  refusalsByReason: Record<string, number>;
}

/** One bucket of one version's series. */
export interface RolloutPoint extends RolloutMeasures {
  /** Bucket start, ms since epoch. */
  t: number;
}

/** `GET /api/v1/rollout`: the window's totals per version and each version's series. */
export interface RolloutAnswer {
  by: RolloutGrouping;
  /** The window read: whole minutes of event time (bad rows and refusals: receive time). */
  fromMs: number;
  toMs: number;
  bucketSeconds: number;
  /** All versions together. */
  total: RolloutMeasures;
  /** Most events first. */
  versions: RolloutVersion[];
  /** One series per version, in `versions` order, every bucket present. */
  series: { version: string; label: string; points: RolloutPoint[] }[];
}

/** Input of `RolloutQueries.rollout`. */
export interface RolloutInput {
  from: Date;
  to: Date;
  /** A multiple of 60 (the rollups are per minute). */
  bucketSeconds: number;
  by: RolloutGrouping;
}

/** The rollout panel's read (DuckDB: duckdb-rollout.ts). Invalid input rejects with InvalidQueryError. */
export interface RolloutQueries {
  rollout(input: RolloutInput): Promise<RolloutAnswer>;
}

/** Counts of nothing. */
export function emptyCounts(): RolloutCounts {
  return {
    events: 0,
    sessions: 0,
    plays: 0,
    failures: 0,
    badRows: 0,
    refusals: {},
    refusedEvents: 0,
    startupSketch: new Map(),
  };
}

/** Adds `b` into `a` and returns `a`. */
function addCounts(a: RolloutCounts, b: RolloutCounts): RolloutCounts {
  a.events += b.events;
  a.sessions += b.sessions;
  a.plays += b.plays;
  a.failures += b.failures;
  a.badRows += b.badRows;
  a.refusedEvents += b.refusedEvents;
  for (const [reason, n] of Object.entries(b.refusals))
    a.refusals[reason] = (a.refusals[reason] ?? 0) + n;
  for (const [bucket, n] of b.startupSketch)
    a.startupSketch.set(bucket, (a.startupSketch.get(bucket) ?? 0) + n);
  return a;
}

/** The value of `key` in `map`, added with `make` when missing. */
export function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

const per = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** The measures of `c`, its share taken of `allEvents`. */
function measures(c: RolloutCounts, allEvents: number): RolloutMeasures {
  return {
    events: c.events,
    sessions: c.sessions,
    plays: c.plays,
    share: per(c.events, allEvents),
    badRows: c.badRows,
    badRowRate: per(c.badRows, c.events + c.badRows),
    failures: c.failures,
    errorRate: per(c.failures, c.plays),
    startupP50Ms: sketchPercentile(c.startupSketch, 50),
    startupP95Ms: sketchPercentile(c.startupSketch, 95),
    refusedRequests: Object.values(c.refusals).reduce((s, n) => s + n, 0),
    refusedEvents: c.refusedEvents,
  };
}

/** How a version is shown: `(unknown)` for ''. */
const label = (version: string): string => (version === '' ? '(unknown)' : version);

/**
 * The answer from counts per (bucket start, version): `buckets` lists every bucket start of the
 * window in order.
 */
export function rolloutAnswer(input: {
  by: RolloutGrouping;
  fromMs: number;
  toMs: number;
  bucketMs: number;
  buckets: readonly number[];
  counts: ReadonlyMap<string, ReadonlyMap<number, RolloutCounts>>;
}): RolloutAnswer {
  const { by, buckets, counts } = input;
  const perVersion = new Map<string, RolloutCounts>();
  const perBucket = new Map<number, RolloutCounts>();
  for (const [version, byT] of counts)
    for (const [t, c] of byT) {
      addCounts(entry(perVersion, version, emptyCounts), c);
      addCounts(entry(perBucket, t, emptyCounts), c);
    }
  const all = emptyCounts();
  for (const c of perVersion.values()) addCounts(all, c);
  const order = [...perVersion]
    .sort(([va, a], [vb, b]) => b.events - a.events || b.badRows - a.badRows || (va < vb ? -1 : 1))
    .map(([v]) => v);
  return {
    by,
    fromMs: input.fromMs,
    toMs: input.toMs,
    bucketSeconds: input.bucketMs / 1000,
    total: measures(all, all.events),
    versions: order.map((version) => {
      const c = entry(perVersion, version, emptyCounts);
      return {
        version,
        label: label(version),
        ...measures(c, all.events),
        refusalsByReason: { ...c.refusals },
      };
    }),
    series: order.map((version) => ({
      version,
      label: label(version),
      points: buckets.map((t) => ({
        t,
        ...measures(counts.get(version)?.get(t) ?? emptyCounts(), perBucket.get(t)?.events ?? 0),
      })),
    })),
  };
}
