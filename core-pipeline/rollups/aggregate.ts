/**
 * The mergeable quality-of-experience aggregate: the unit of the 1-minute rollups, of every
 * per-slice answer read from them, and of `beacons diagnose`. Every field is a sum, so aggregates
 * of any minutes and any slices add up to the aggregate of their union (and a slice's baseline is
 * the total minus the slice). Percentiles come from a log-bucket sketch (DDSketch-style, relative
 * accuracy SKETCH_ALPHA), which merges by adding bucket counts.
 *
 * The metric formulas are `qoeMetrics` below; docs/METRICS.md gives each with its source.
 * Pure: no I/O, no store.
 */

/**
 * Dimensions a rollup row is keyed by (with the minute). Missing values are stored as '', except
 * `source` (see missingDimensionValue).
 */
export const ROLLUP_DIMENSIONS = [
  'serving_region',
  'pop',
  'country',
  'country_region',
  'asn',
  'device',
  'player_name',
  'sdk_name',
  'sdk_version',
  'schema_version',
  'content_id',
  'source',
  'player_version',
] as const;
/** One of ROLLUP_DIMENSIONS. */
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/**
 * The value a dimension takes in the rollups when an event has none. `source` is missing only in
 * events stored before the column existed, and every one of those came from the SDK, so it counts
 * as 'sdk' (in the engine, the SQL rebuilds and the filters alike); every other dimension as ''.
 */
export function missingDimensionValue(d: RollupDimension): string {
  return d === 'source' ? 'sdk' : '';
}
/** One value per rollup dimension: a slice at the finest grain. */
export type SliceKey = Record<RollupDimension, string>;
/** Equality filters on rollup dimensions. */
export type RollupFilters = Partial<Record<RollupDimension, string>>;

/** Relative accuracy of the startup-time sketch: a percentile is within 1 % of the exact one. */
export const SKETCH_ALPHA = 0.01;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below 1 ms share bucket 0 (a startup under a millisecond is not a real measurement). */
const MIN_SKETCH_VALUE = 1;

/** The sketch bucket of a value in ms: ⌈log_γ(x)⌉, and 0 for x < 1 ms. */
export function sketchBucket(ms: number): number {
  if (!(ms >= MIN_SKETCH_VALUE)) return 0;
  return Math.max(1, Math.ceil(Math.log(ms) / LOG_GAMMA));
}

/** The representative value of a bucket: within SKETCH_ALPHA of every value the bucket holds. */
export function sketchValue(bucket: number): number {
  if (bucket <= 0) return 0;
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

/**
 * Mergeable sums for one slice over some minutes. "Observation" below means one counter delta:
 * the change a heartbeat or session_end brings to its session's cumulative counters.
 */
export interface QoeAggregate {
  /** Events stored (each event once, duplicates excluded). */
  events: number;
  /** Sessions, counted once at their anchor (first minute and lowest-seq event's slice). */
  sessions: number;
  /** Sessions with a play request (`requested`, `started` or `first_frame`), at their anchor. */
  plays: number;
  /** Plays whose first fatal error came before any first frame (video start failure). */
  startFailures: number;
  /** Plays with a fatal error after their first frame (video playback failure). */
  playbackFailures: number;
  /** Plays that ended (`session_end`) with no first frame and no fatal error. */
  exitsBeforeStart: number;
  /** Non-fatal `error` events. */
  nonFatalErrors: number;
  /** Sessions with a first frame (the startup-time population). */
  startups: number;
  /** Σ startup_ms of those sessions. */
  startupMsSum: number;
  /** Startup-time sketch: bucket (sketchBucket) → sessions. */
  startupSketch: Map<number, number>;
  /** Σ played time deltas (ms). */
  playedMs: number;
  /** Σ stall time deltas (ms). */
  stallMs: number;
  /** Σ stall count deltas. */
  stallCount: number;
  /** Σ over observations of stall², watch² and stall·watch (watch = played + stall), for the ratio test. */
  stallSq: number;
  watchSq: number;
  stallWatch: number;
  /** Observations (counter deltas) summed above. */
  observations: number;
  /** Σ bitrate × played ms (bps·ms) over observations with a bitrate: the bits played × 1000. */
  bitrateWeighted: number;
  /** Σ played ms of those observations (the time-weighted bitrate's denominator). */
  bitratePlayedMs: number;
  /** Σ over those observations of (bitrate·played)², played², (bitrate·played)·played. */
  bitrateWeightedSq: number;
  bitratePlayedSq: number;
  bitrateCross: number;
  /** `bitrate_changed` events (rendition switches). */
  switches: number;
  /** `seeked` events with a `seek_ms`, Σ seek_ms and Σ seek_ms². */
  seeks: number;
  seekMsSum: number;
  seekMsSq: number;
}

/** The numeric (non-sketch) fields of QoeAggregate, in a fixed order (column order in stores). */
export const AGGREGATE_SUMS = [
  'events',
  'sessions',
  'plays',
  'startFailures',
  'playbackFailures',
  'exitsBeforeStart',
  'nonFatalErrors',
  'startups',
  'startupMsSum',
  'playedMs',
  'stallMs',
  'stallCount',
  'stallSq',
  'watchSq',
  'stallWatch',
  'observations',
  'bitrateWeighted',
  'bitratePlayedMs',
  'bitrateWeightedSq',
  'bitratePlayedSq',
  'bitrateCross',
  'switches',
  'seeks',
  'seekMsSum',
  'seekMsSq',
] as const satisfies readonly Exclude<keyof QoeAggregate, 'startupSketch'>[];
export type AggregateSum = (typeof AGGREGATE_SUMS)[number];

/** An aggregate of nothing. */
export function emptyAggregate(): QoeAggregate {
  const a = { startupSketch: new Map<number, number>() } as QoeAggregate;
  for (const k of AGGREGATE_SUMS) a[k] = 0;
  return a;
}

/** Adds `b` into `a` (scaled by `sign`, -1 to subtract) and returns `a`. */
export function mergeInto(a: QoeAggregate, b: QoeAggregate, sign: 1 | -1 = 1): QoeAggregate {
  for (const k of AGGREGATE_SUMS) a[k] += sign * b[k];
  for (const [bucket, n] of b.startupSketch) {
    const v = (a.startupSketch.get(bucket) ?? 0) + sign * n;
    if (v === 0) a.startupSketch.delete(bucket);
    else a.startupSketch.set(bucket, v);
  }
  return a;
}

/** `total − part`: a slice's baseline (everything else in the window). */
export function subtract(total: QoeAggregate, part: QoeAggregate): QoeAggregate {
  return mergeInto(mergeInto(emptyAggregate(), total), part, -1);
}

/**
 * Nearest-rank percentile (rank ⌈p·n/100⌉) of the sketch, as its bucket's representative value:
 * within SKETCH_ALPHA (relative) of the exact nearest-rank value. Null when empty.
 */
export function sketchPercentile(sketch: ReadonlyMap<number, number>, p: number): number | null {
  let n = 0;
  for (const c of sketch.values()) n += c;
  if (n <= 0) return null;
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  let seen = 0;
  for (const bucket of [...sketch.keys()].sort((x, y) => x - y)) {
    seen += sketch.get(bucket) ?? 0;
    if (seen >= rank) return sketchValue(bucket);
  }
  return null;
}

/** Sessions in the sketch whose startup is above `ms` (by bucket; for the quantile test). */
export function sketchCountAbove(sketch: ReadonlyMap<number, number>, ms: number): number {
  const limit = sketchBucket(ms);
  let n = 0;
  for (const [bucket, c] of sketch) if (bucket > limit) n += c;
  return n;
}

/** QoE measures of an aggregate (CTA-2066 names; formulas in docs/METRICS.md). Null when undefined. */
export interface QoeMetrics {
  plays: number;
  /** startFailures / plays. */
  videoStartFailureRate: number | null;
  /** (startFailures + playbackFailures) / plays: the playback failure percentage, all fatal errors. */
  playbackFailureRate: number | null;
  /** exitsBeforeStart / plays. */
  exitBeforeStartRate: number | null;
  startupP50Ms: number | null;
  startupP90Ms: number | null;
  startupP95Ms: number | null;
  startupMeanMs: number | null;
  /** stallMs / (playedMs + stallMs): rebuffer ratio over watch time (pauses excluded). */
  rebufferRatio: number | null;
  /** stallCount per minute of watch time. */
  rebufferFrequencyPerMin: number | null;
  /** bitrateWeighted / bitratePlayedMs, bits per second. */
  averageBitrateBps: number | null;
  /** switches per hour of watch time. */
  switchesPerHour: number | null;
  /** seekMsSum / seeks. */
  seekLatencyMeanMs: number | null;
  /** (playedMs + stallMs) / the window length: average viewers playing or stalled at once. */
  concurrentViewers: number | null;
  watchMs: number;
}

const per = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * The measures of an aggregate.
 * @param windowMs the window's length, for concurrent viewers (null leaves that measure null).
 */
export function qoeMetrics(a: QoeAggregate, windowMs: number | null = null): QoeMetrics {
  const watchMs = a.playedMs + a.stallMs;
  return {
    plays: a.plays,
    videoStartFailureRate: per(a.startFailures, a.plays),
    playbackFailureRate: per(a.startFailures + a.playbackFailures, a.plays),
    exitBeforeStartRate: per(a.exitsBeforeStart, a.plays),
    startupP50Ms: sketchPercentile(a.startupSketch, 50),
    startupP90Ms: sketchPercentile(a.startupSketch, 90),
    startupP95Ms: sketchPercentile(a.startupSketch, 95),
    startupMeanMs: per(a.startupMsSum, a.startups),
    rebufferRatio: per(a.stallMs, watchMs),
    rebufferFrequencyPerMin: per(a.stallCount, watchMs / 60_000),
    averageBitrateBps: per(a.bitrateWeighted, a.bitratePlayedMs),
    switchesPerHour: per(a.switches, watchMs / 3_600_000),
    seekLatencyMeanMs: per(a.seekMsSum, a.seeks),
    concurrentViewers: windowMs && windowMs > 0 ? watchMs / windowMs : null,
    watchMs,
  };
}
