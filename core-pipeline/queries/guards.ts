/**
 * Input guards for the read side. Every value that reaches SQL is either bound as a parameter or
 * picked from an allow-list here; anything else is an InvalidQueryError naming the field.
 */
import { EVENT_TYPES, type EventType } from '../../schemas/index.js';
import { InvalidQueryError } from '../errors.js';
import { ROLLUP_DIMENSIONS, type RollupDimension } from '../rollups/aggregate.js';
import { DIMENSIONS, type Dimension, type DimensionFilters } from './types.js';

/** Most buckets one timeseries may return (keeps a typo like bucketSeconds=1 over a month cheap). */
const MAX_BUCKETS = 10000;
/**
 * Longest dimension filter value, in UTF-16 units: the schema allows 256 code points, and one
 * outside the Basic Multilingual Plane (an emoji) is two units.
 */
export const MAX_FILTER_LENGTH = 512;

/** A valid Date → ms since epoch. */
export function timeMs(v: unknown, field: string): number {
  if (!(v instanceof Date) || !Number.isFinite(v.getTime()))
    throw new InvalidQueryError(field, 'must be a valid date');
  return v.getTime();
}

/** An integer in [min, max], or `fallback` when undefined. */
export function intIn(
  v: unknown,
  field: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidQueryError(field, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** A known dimension. */
export function dimension(v: unknown): Dimension {
  if (!DIMENSIONS.includes(v as Dimension))
    throw new InvalidQueryError('dimension', `must be one of ${DIMENSIONS.join(', ')}`);
  return v as Dimension;
}

/** Known, non-empty, de-duplicated event types. */
export function eventTypes(v: unknown): EventType[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new InvalidQueryError('types', 'must be a non-empty list of event types');
  for (const t of v) {
    if (!EVENT_TYPES.includes(t as EventType))
      throw new InvalidQueryError('types', `unknown event type ${JSON.stringify(t)}`);
  }
  return [...new Set(v as EventType[])];
}

/**
 * The dimension filters among `input`'s keys (other keys such as `since` are ignored), each a
 * string of at most MAX_FILTER_LENGTH characters.
 */
export function filters(input: object): [Dimension, string][] {
  const out: [Dimension, string][] = [];
  for (const d of DIMENSIONS) {
    const v = (input as DimensionFilters)[d];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_FILTER_LENGTH) {
      throw new InvalidQueryError(d, `must be a string of 1 to ${MAX_FILTER_LENGTH} characters`);
    }
    out.push([d, v]);
  }
  return out;
}

/** Validates a timeseries range and returns the aligned first bucket, the end and the bucket ms. */
export function bucketRange(
  from: unknown,
  to: unknown,
  bucketSeconds: unknown,
): { startMs: number; endMs: number; bucketMs: number } {
  const fromMs = timeMs(from, 'from');
  const endMs = timeMs(to, 'to');
  const bucketMs = intIn(bucketSeconds, 'bucketSeconds', 1, 86400) * 1000;
  if (endMs <= fromMs) throw new InvalidQueryError('to', 'must be after from');
  const startMs = Math.floor(fromMs / bucketMs) * bucketMs;
  if ((endMs - startMs) / bucketMs > MAX_BUCKETS)
    throw new InvalidQueryError('bucketSeconds', `range needs more than ${MAX_BUCKETS} buckets`);
  return { startMs, endMs, bucketMs };
}

/**
 * SQL for the start (ms) of the bucket a timestamp column falls in, the width bound as `$3` (the
 * `bucketMs` of bucketRange). `$3` is cast: bound from a JS bigint as it is, the arithmetic ran in
 * a wider type, several times slower on a rollup scan.
 */
export function bucketStartSql(col: string): string {
  return `(epoch_ms(${col}) // $3::BIGINT) * $3::BIGINT`;
}

/** One minute in ms: the grain of the rollups. */
export const MINUTE_MS = 60_000;
/** Longest rollup window (a month and a day: the API allows 31 days, rounded out to minutes). */
const MAX_ROLLUP_SPAN_MS = 32 * 86_400_000;

/** A rollup dimension, or null when `allowNull` and the value is null. */
export function rollupDimension(v: unknown, allowNull: boolean): RollupDimension | null {
  if (v === null && allowNull) return null;
  if (!ROLLUP_DIMENSIONS.includes(v as RollupDimension))
    throw new InvalidQueryError('dimension', `must be one of ${ROLLUP_DIMENSIONS.join(', ')}`);
  return v as RollupDimension;
}

/**
 * Rollup filters as [dimension, value] pairs. Every key must be a rollup dimension; a value is a
 * string of at most MAX_FILTER_LENGTH characters ('' selects rows where the value was missing).
 */
export function rollupFilters(v: unknown): [RollupDimension, string][] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v))
    throw new InvalidQueryError('filters', 'must be an object of dimension → value');
  const out: [RollupDimension, string][] = [];
  for (const [k, value] of Object.entries(v)) {
    if (value === undefined) continue;
    const d = rollupDimension(k, false) as RollupDimension;
    if (typeof value !== 'string' || value.length > MAX_FILTER_LENGTH)
      throw new InvalidQueryError(d, `must be a string of at most ${MAX_FILTER_LENGTH} characters`);
    out.push([d, value]);
  }
  return out;
}

/** A rollup window: `from` rounded down and `to` rounded up to whole minutes. */
export function minuteWindow(from: unknown, to: unknown): { fromMs: number; toMs: number } {
  const fromMs = Math.floor(timeMs(from, 'from') / MINUTE_MS) * MINUTE_MS;
  const toMs = Math.ceil(timeMs(to, 'to') / MINUTE_MS) * MINUTE_MS;
  if (toMs <= fromMs) throw new InvalidQueryError('to', 'must be after from');
  if (toMs - fromMs > MAX_ROLLUP_SPAN_MS)
    throw new InvalidQueryError('from', 'the window may span at most 32 days');
  return { fromMs, toMs };
}
