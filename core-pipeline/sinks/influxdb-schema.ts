/**
 * How rows become InfluxDB points: the one definition the InfluxDB sink writes and the Grafana
 * panels query (Timestream for InfluxDB on AWS, Debian's influxd in the tests).
 *
 * - Tags are the slices the dashboards group by, all of bounded cardinality: never a session,
 *   event, viewer or content id, nor free text (series cardinality = distinct tag sets).
 * - A point's identity is measurement + tag set + timestamp, and a second write of the same
 *   identity overwrites the first. So the timestamp is the row's time in ms followed by six digits
 *   taken from a hash of the row's id: a replayed event lands on the same point (idempotent, as
 *   the sink contract asks), and two different events of the same slice in the same millisecond
 *   collide only when those six digits also match (one chance in a million; docs/DEPLOY.md).
 * - An event's point time must also survive a client's resend (an answer lost on the way back):
 *   each attempt gets its own `skew_ms`, so `ts + skew_ms` moves with the attempt's latency. A
 *   point is therefore timed by the client's own `ts` whenever the client's clock agrees with the
 *   edge's within TRUSTED_CLIENT_SKEW_MS (the corrected time stays readable as ts + skew_ms, both
 *   fields), and by the corrected time only for clocks further off.
 */
import { CMCD_SCHEMA_VERSIONS } from '../../schemas/cmcd.js';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';
import {
  BAD_ROW_COLUMNS,
  EVENT_COLUMNS,
  EVENT_SOURCES,
  REFUSAL_COLUMNS,
  type EventRow,
  type StoredBadRow,
  type StoredRefusal,
} from '../rows.js';

/** Measurement of accepted events: one point per event. */
export const EVENTS_MEASUREMENT = 'beacon_events';
/** Measurement of bad rows: one point per bad row. */
export const BAD_ROWS_MEASUREMENT = 'beacon_bad_rows';
/** Measurement of rollout refusals: one point per refused request. */
export const REFUSALS_MEASUREMENT = 'beacon_rollout_refusals';

/**
 * Event columns written as tags, in line-protocol order (sorted, as InfluxDB prefers). The schema
 * and SDK versions are tags so the rollout panels can group by them (a handful of values each);
 * `source` (sdk or cmcd) slices SDK-fed from CMCD-fed sessions.
 */
export const EVENT_TAGS = [
  'asn',
  'country',
  'device',
  'pop',
  'schema_version',
  'sdk_name',
  'sdk_version',
  'serving_region',
  'source',
  'type',
] as const satisfies readonly (keyof EventRow)[];

/** Bad-row columns written as tags (the versions, when the refused body had readable ones). */
export const BAD_ROW_TAGS = [
  'pop',
  'reason',
  'schema_version',
  'sdk_name',
  'sdk_version',
  'source',
] as const satisfies readonly (keyof StoredBadRow)[];

/** Rollout-refusal columns written as tags: the decision and the versions it was about. */
export const REFUSAL_TAGS = [
  'pop',
  'reason',
  'schema_version',
  'sdk_name',
  'sdk_version',
] as const satisfies readonly (keyof StoredRefusal)[];

/** One field value with the line-protocol type it is written as. */
export type FieldValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string };

/** A point before encoding. `timeNs` is a decimal string: ms × 10⁶ does not fit a double. */
export interface Point {
  measurement: string;
  tags: [string, string][];
  fields: [string, FieldValue][];
  timeNs: string;
}

const INT_TYPES = new Set(['integer', 'bigint', 'timestamp_ms']);

/**
 * Largest |skew_ms| (edge receive time − client send time: clock offset plus latency) for which a
 * point keeps the client's timestamp. Wide enough for slow networks and clocks a few seconds off,
 * narrow enough that a dashboard's minute buckets stay right.
 */
export const TRUSTED_CLIENT_SKEW_MS = 30_000;

/** The time an event's point (or record) is stored at, ms: see the header for why not always `time`. */
export function eventTimeMs(row: Pick<EventRow, 'ts' | 'time' | 'skew_ms'>): number {
  return Math.abs(row.skew_ms) <= TRUSTED_CLIENT_SKEW_MS ? row.ts : row.time;
}

/** Six digits from FNV-1a of `id`: the sub-millisecond part of a point's timestamp. */
export function idNanos(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h % 1_000_000).padStart(6, '0');
}

/** ms since epoch (a non-negative integer) + the id's six digits → ns as a decimal string. */
export function pointTimeNs(timeMs: number, id: string): string {
  return `${Math.trunc(timeMs)}${idNanos(id)}`;
}

function fieldOf(type: string, value: unknown): FieldValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number' && Number.isFinite(value)) {
    return INT_TYPES.has(type)
      ? { kind: 'int', value: Math.trunc(value) }
      : { kind: 'float', value };
  }
  return null;
}

/** `source` of events (sdk, cmcd) and of bad rows (StoredBadRow: edge, core). */
const SOURCE_TAG_VALUES: ReadonlySet<string> = new Set([...EVENT_SOURCES, 'edge', 'core']);

/** An SDK name kept as a tag: package-name characters (`@scope/name`), lower case, at most 48. */
export const SDK_NAME_TAG_SHAPE = /^@?[a-z0-9][a-z0-9._/-]{0,47}$/;

/**
 * The version tags come from what the client sent, so each is kept only in a shape with few
 * values (a bundled schema version, a plain MAJOR.MINOR.PATCH release, an SDK name of package-name
 * characters) and is `other` otherwise: a client inventing a version per request must not mint a
 * series per request. The value sent stays readable as the field `<tag>_sent`.
 */
const BOUNDED_TAGS: Readonly<Record<string, (v: string) => boolean>> = {
  schema_version: (v) =>
    (SCHEMA_VERSIONS as readonly string[]).includes(v) ||
    (CMCD_SCHEMA_VERSIONS as readonly string[]).includes(v),
  // A release of our SDK, or a CMCD version (`v`: a small integer).
  sdk_version: (v) => /^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v) || /^\d{1,2}$/.test(v),
  source: (v) => SOURCE_TAG_VALUES.has(v),
  sdk_name: (v) => SDK_NAME_TAG_SHAPE.test(v),
};

/** The tag value written for a version tag that is not in its bounded shape. */
export const OTHER_TAG_VALUE = 'other';

/** A deployment's own bounds on top of the shapes: the SDK names it knows (InfluxDbConfig.sdkNames). */
export interface TagBounds {
  /** Kept `sdk_name` values; empty or absent: every name of the shape. */
  sdkNames?: ReadonlySet<string>;
}
const NO_BOUNDS: TagBounds = {};

function tagsOf<R>(
  row: R,
  keys: readonly (keyof R)[],
  fields: [string, FieldValue][],
  bounds: TagBounds,
): [string, string][] {
  const tags: [string, string][] = [];
  for (const k of keys) {
    const v = row[k];
    // An empty tag value is not valid line protocol; an absent tag reads back as "".
    if (v === null || v === undefined || String(v) === '') continue;
    const value = String(v);
    const bounded = Object.hasOwn(BOUNDED_TAGS, k) ? BOUNDED_TAGS[k as string] : undefined;
    const listed = k !== 'sdk_name' || !bounds.sdkNames?.size || bounds.sdkNames.has(value);
    if ((bounded && !bounded(value)) || !listed) {
      tags.push([String(k), OTHER_TAG_VALUE]);
      fields.push([`${String(k)}_sent`, { kind: 'string', value }]);
    } else tags.push([String(k), value]);
  }
  return tags;
}

/** An event row as its point: tags from EVENT_TAGS, every other non-null column a field. */
export function eventPoint(row: EventRow, bounds: TagBounds = NO_BOUNDS): Point {
  const tagSet = new Set<string>(EVENT_TAGS);
  const fields: [string, FieldValue][] = [];
  for (const col of EVENT_COLUMNS) {
    if (tagSet.has(col.name) || col.name === 'time') continue;
    const f = fieldOf(col.type, row[col.name]);
    if (f) fields.push([col.name, f]);
  }
  return {
    measurement: EVENTS_MEASUREMENT,
    tags: tagsOf(row, EVENT_TAGS, fields, bounds),
    fields,
    timeNs: pointTimeNs(eventTimeMs(row), row.event_id),
  };
}

/** A bad row as its point, timed at its receive time (so a replay lands on the same point). */
export function badRowPoint(row: StoredBadRow, bounds: TagBounds = NO_BOUNDS): Point {
  return badRowPointAt(row, row.received_at, bounds);
}

/** A bad row as its point at `timeMs`: for a receive time the store cannot keep (the InfluxDB sink). */
export function badRowPointAt(
  row: StoredBadRow,
  timeMs: number,
  bounds: TagBounds = NO_BOUNDS,
): Point {
  const tagSet = new Set<string>(BAD_ROW_TAGS);
  const fields: [string, FieldValue][] = [];
  for (const col of BAD_ROW_COLUMNS) {
    if (tagSet.has(col.name)) continue;
    const f = fieldOf(col.type, row[col.name]);
    if (f) fields.push([col.name, f]);
  }
  return {
    measurement: BAD_ROWS_MEASUREMENT,
    tags: tagsOf(row, BAD_ROW_TAGS, fields, bounds),
    fields,
    timeNs: pointTimeNs(timeMs, row.bad_row_id),
  };
}

/**
 * A rollout refusal as its point, timed at its receive time with six digits of its request id: a
 * re-delivered refusal lands on the same point (idempotent on the request, as the other stores).
 */
export function refusalPoint(row: StoredRefusal, bounds: TagBounds = NO_BOUNDS): Point {
  const tagSet = new Set<string>(REFUSAL_TAGS);
  const fields: [string, FieldValue][] = [];
  for (const col of REFUSAL_COLUMNS) {
    if (tagSet.has(col.name)) continue;
    const f = fieldOf(col.type, row[col.name]);
    if (f) fields.push([col.name, f]);
  }
  return {
    measurement: REFUSALS_MEASUREMENT,
    tags: tagsOf(row, REFUSAL_TAGS, fields, bounds),
    fields,
    timeNs: pointTimeNs(row.received_at, row.request_id),
  };
}
