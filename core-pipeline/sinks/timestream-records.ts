/**
 * How rows become Timestream for LiveAnalytics records: one multi-measure record per event (and
 * per bad row, and per rollout refusal). Pure, so the sink, the tests and the docs share one definition.
 *
 * - **Measure name = the event type** (`started`, `heartbeat`, …): the Grafana Timestream plugin's
 *   `$__measure` and `WHERE measure_name = 'started'` select one type, and the number of measure
 *   names stays bounded by the schema's event types.
 * - **Dimensions** are what the dashboards filter and group by (region, POP, country, ASN, device),
 *   plus `session_id`. A record's identity is dimensions + measure name + time, so the session makes
 *   two events share an identity only if they are of one session, one type, one millisecond and
 *   the same six hash digits; without it, busy slices (one POP, one country, heartbeats) would
 *   collide daily at scale. LiveAnalytics has no series index to blow up, and the session is what
 *   a timeline query filters on. `source` (sdk or cmcd) slices SDK-fed from CMCD-fed sessions.
 *   Seven of the 128 dimensions a table allows.
 * - **Time** is nanoseconds: the row's time in ms followed by six digits of the event id's hash,
 *   the same rule as the InfluxDB points (influxdb-schema.ts), so a replay hits the same identity.
 * - **Version** is one constant for every record. An equal version never replaces a stored record,
 *   so neither a replay nor a different event that lands on a taken identity can overwrite what is
 *   stored; the service's "exists with version 1" answer then means "already stored" (see
 *   timestream-write.ts), like DuckDB's first-write-wins on event_id.
 * - Every other non-null column is a typed measure. Timestream has no empty values, so an empty
 *   string is left out, as a null is.
 */
import type {
  Dimension,
  MeasureValue,
  MeasureValueType,
  _Record,
} from '@aws-sdk/client-timestream-write';
import {
  BAD_ROW_COLUMNS,
  EVENT_COLUMNS,
  type ColumnType,
  REFUSAL_COLUMNS,
  type EventRow,
  type StoredBadRow,
  type StoredRefusal,
} from '../rows.js';
import { eventTimeMs, pointTimeNs } from './influxdb-schema.js';

/** The version of every record this sink writes (see the module comment). */
export const RECORD_VERSION = 1;

/** Event columns written as dimensions, in the order records list them. */
export const EVENT_DIMENSIONS = [
  'serving_region',
  'pop',
  'country',
  'asn',
  'device',
  'session_id',
  'source',
] as const satisfies readonly (keyof EventRow)[];

/** Bad-row columns written as dimensions; the id keeps two bad rows of one request apart. */
const BAD_ROW_DIMENSIONS = [
  'source',
  'reason',
  'pop',
  'bad_row_id',
] as const satisfies readonly (keyof StoredBadRow)[];

/** Measure name of bad-row records. */
export const BAD_ROW_MEASURE = 'bad_row';

/**
 * Rollout-refusal columns written as dimensions: the decision and the versions it was about (what
 * the rollout panels group by), and the request, which is the refusal's identity.
 */
const REFUSAL_DIMENSIONS = [
  'reason',
  'schema_version',
  'sdk_name',
  'sdk_version',
  'pop',
  'request_id',
] as const satisfies readonly (keyof StoredRefusal)[];

/** Measure name of rollout-refusal records (their own table). */
const REFUSAL_MEASURE = 'rollout_refusal';

/**
 * Columns that are neither dimension nor measure: the time, and (events) the type, which is the
 * measure name. `ingested_at` stays a measure: it differs between deliveries, which is harmless
 * because an equal version never overwrites.
 */
const EVENT_SKIPPED = new Set<string>(['time', 'type', ...EVENT_DIMENSIONS]);
const BAD_ROW_SKIPPED = new Set<string>(BAD_ROW_DIMENSIONS);
const REFUSAL_SKIPPED = new Set<string>(REFUSAL_DIMENSIONS);

const MEASURE_TYPES: Record<ColumnType, MeasureValueType> = {
  varchar: 'VARCHAR',
  integer: 'BIGINT',
  bigint: 'BIGINT',
  // ms since epoch as BIGINT, as the InfluxDB fields: no unit to get wrong in queries.
  timestamp_ms: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

function measureOf(name: string, type: ColumnType, value: unknown): MeasureValue | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const t = MEASURE_TYPES[type];
    return {
      Name: name,
      Type: t,
      Value: t === 'BIGINT' ? String(Math.trunc(value)) : String(value),
    };
  }
  return { Name: name, Type: MEASURE_TYPES[type], Value: String(value) };
}

function dimensionsOf<R>(row: R, keys: readonly (keyof R)[]): Dimension[] {
  const dims: Dimension[] = [];
  for (const k of keys) {
    const v = row[k];
    if (v !== null && v !== undefined && String(v) !== '')
      dims.push({ Name: String(k), Value: String(v), DimensionValueType: 'VARCHAR' });
  }
  return dims;
}

/** An event row as its multi-measure record (before any cut to the size limit). */
export function eventRecord(row: EventRow): _Record {
  const measures: MeasureValue[] = [];
  for (const col of EVENT_COLUMNS) {
    if (EVENT_SKIPPED.has(col.name)) continue;
    const m = measureOf(col.name, col.type, row[col.name]);
    if (m) measures.push(m);
  }
  return {
    Dimensions: dimensionsOf(row, EVENT_DIMENSIONS),
    MeasureName: row.type,
    MeasureValueType: 'MULTI',
    MeasureValues: measures,
    Time: pointTimeNs(eventTimeMs(row), row.event_id),
    TimeUnit: 'NANOSECONDS',
    Version: RECORD_VERSION,
  };
}

/**
 * A bad row as its record, timed at `timeMs` (its receive time when the store takes that time,
 * else its ingest time: the sink decides, see timestream.ts).
 */
export function badRowRecord(row: StoredBadRow, timeMs: number): _Record {
  const measures: MeasureValue[] = [];
  for (const col of BAD_ROW_COLUMNS) {
    if (BAD_ROW_SKIPPED.has(col.name)) continue;
    const m = measureOf(col.name, col.type, row[col.name]);
    if (m) measures.push(m);
  }
  return {
    Dimensions: dimensionsOf(row, BAD_ROW_DIMENSIONS),
    MeasureName: BAD_ROW_MEASURE,
    MeasureValueType: 'MULTI',
    MeasureValues: measures,
    Time: pointTimeNs(timeMs, row.bad_row_id),
    TimeUnit: 'NANOSECONDS',
    Version: RECORD_VERSION,
  };
}

/**
 * A rollout refusal as its record, timed at `timeMs` (its receive time when the store takes it,
 * as for bad rows) with six digits of its request id: a re-delivery is the same record.
 */
export function refusalRecord(row: StoredRefusal, timeMs: number): _Record {
  const measures: MeasureValue[] = [];
  for (const col of REFUSAL_COLUMNS) {
    if (REFUSAL_SKIPPED.has(col.name)) continue;
    const m = measureOf(col.name, col.type, row[col.name]);
    if (m) measures.push(m);
  }
  return {
    Dimensions: dimensionsOf(row, REFUSAL_DIMENSIONS),
    MeasureName: REFUSAL_MEASURE,
    MeasureValueType: 'MULTI',
    MeasureValues: measures,
    Time: pointTimeNs(timeMs, row.request_id),
    TimeUnit: 'NANOSECONDS',
    Version: RECORD_VERSION,
  };
}

/** A record's time in ms (its ns string without the six hash digits). */
export function recordTimeMs(record: _Record): number {
  return Number((record.Time ?? '0').slice(0, -6) || '0');
}
