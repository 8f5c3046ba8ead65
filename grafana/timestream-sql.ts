/**
 * The Timestream for LiveAnalytics SQL behind every shared panel, with the Grafana Timestream
 * plugin's macros (`$__database`, `$__table`, `$__timeFilter`, `$__interval_ms`).
 *
 * The table layout is the Timestream sink's (core-pipeline/sinks/timestream-records.ts): tables
 * `events` and `bad_rows`, one multi-measure record per row, `time` = the row's event time (bad
 * rows: receive time); the event type is the record's `measure_name`; the dimensions are
 * `serving_region`, `pop`, `country`, `asn`, `device` and `session_id`; every other column is a
 * measure of the same name (`startup_ms`, `stall_ms`, `played_ms` double, `bitrate` bigint,
 * `fatal` boolean). Unlike InfluxQL, SQL can group by any column, so each slice table is one query.
 */
import type { PanelDef } from '../dashboard/panels.js';
import { PLAY_EVENT_TYPES } from '../dashboard/panels.js';
import { timestreamSourceSql } from './source-panel.js';

/** Table names of the Timestream sink. */
const TIMESTREAM_TABLES = { events: 'events', badRows: 'bad_rows' } as const;

/** One query of a panel, as the Timestream data source stores it. */
export interface TimestreamTarget {
  refId: string;
  rawQuery: string;
  /** What `$__database` becomes: the quoted database name. */
  database: string;
  /** What `$__table` becomes: the quoted table name. */
  table: string;
}

/** Bucket start of `time` for Grafana's interval: a number of ms, so no interval literal is needed. */
const BUCKET = 'from_milliseconds(floor(to_milliseconds(time) / $__interval_ms) * $__interval_ms)';
const FROM = 'FROM $__database.$__table';

const list = (types: readonly string[]) => types.map((t) => `'${t}'`).join(', ');
/** The event type is the record's measure name. */
const typeIn = (types: readonly string[]) =>
  types.length === 1 ? `measure_name = '${types[0]}'` : `measure_name IN (${list(types)})`;

function perBucket(value: string, where: string): string {
  return `SELECT ${BUCKET} AS bucket, ${value} ${FROM} WHERE $__timeFilter${where} GROUP BY ${BUCKET} ORDER BY bucket`;
}

function sliceQuery(slice: string): string {
  return [
    `SELECT coalesce(${slice}, '(unknown)') AS ${slice},`,
    `count(DISTINCT CASE WHEN ${typeIn(PLAY_EVENT_TYPES)} THEN session_id END) AS plays,`,
    `1.0 * count(DISTINCT CASE WHEN measure_name = 'error' AND fatal THEN session_id END) / nullif(count(DISTINCT CASE WHEN ${typeIn(PLAY_EVENT_TYPES)} THEN session_id END), 0) AS "failure %",`,
    `approx_percentile(CASE WHEN measure_name = 'first_frame' THEN startup_ms END, 0.95) AS "startup p95",`,
    `count_if(measure_name = 'stall_end') AS stalls`,
    `${FROM} WHERE $__timeFilter GROUP BY ${slice} ORDER BY plays DESC`,
  ].join(' ');
}

/** The SQL of one panel, macros unexpanded. */
function timestreamSql(panel: PanelDef): string {
  const and = ` AND ${typeIn(panel.eventTypes)}`;
  switch (panel.metric) {
    case 'count':
      return perBucket(`count(*) AS "${panel.eventTypes[0]}"`, and);
    case 'events_per_second':
      return perBucket('count(*) * 1000.0 / $__interval_ms AS "events/s"', '');
    case 'bad_rows_per_second':
      return `SELECT ${BUCKET} AS bucket, reason, count(*) * 1000.0 / $__interval_ms AS "bad rows/s" ${FROM} WHERE $__timeFilter GROUP BY ${BUCKET}, reason ORDER BY bucket`;
    case 'plays':
      return `SELECT count(DISTINCT session_id) AS plays ${FROM} WHERE $__timeFilter${and}`;
    case 'startup_p50':
      return `SELECT approx_percentile(startup_ms, 0.5) AS p50 ${FROM} WHERE $__timeFilter${and}`;
    case 'startup_p95':
      return `SELECT approx_percentile(startup_ms, 0.95) AS p95 ${FROM} WHERE $__timeFilter${and}`;
    case 'startup_distribution':
      return `SELECT time, startup_ms ${FROM} WHERE $__timeFilter${and} ORDER BY time`;
    case 'failed_sessions':
      return `SELECT count(DISTINCT session_id) AS "failed sessions" ${FROM} WHERE $__timeFilter AND measure_name = 'error' AND fatal`;
    case 'stalls_per_minute':
      return perBucket('count(*) * 60000.0 / $__interval_ms AS "stalls/min"', and);
    case 'stall_time':
      return perBucket('sum(stall_ms) AS "stall time"', and);
    case 'rebuffer_ratio':
      return `SELECT 100.0 * sum(stall_ms) / nullif(sum(played_ms), 0) AS "stalled %" ${FROM} WHERE $__timeFilter${and}`;
    case 'average_bitrate':
      return `SELECT avg(bitrate) AS bitrate ${FROM} WHERE $__timeFilter${and}`;
    case 'slice_qoe':
      if (!panel.slice) throw new Error(`panel ${panel.id}: a slice_qoe panel needs a slice`);
      return sliceQuery(panel.slice);
    case 'source_qoe':
      return timestreamSourceSql(PLAY_EVENT_TYPES);
  }
}

/** The panel's targets against `database` (bad-row panels read the bad_rows table). */
export function timestreamTargets(panel: PanelDef, database: string): TimestreamTarget[] {
  const table =
    panel.metric === 'bad_rows_per_second' ? TIMESTREAM_TABLES.badRows : TIMESTREAM_TABLES.events;
  return [
    { refId: 'A', rawQuery: timestreamSql(panel), database: `"${database}"`, table: `"${table}"` },
  ];
}
