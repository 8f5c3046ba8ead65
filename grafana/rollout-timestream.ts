/**
 * The Timestream for LiveAnalytics SQL behind the Rollout dashboard, with the Grafana Timestream
 * plugin's macros. Tables are the Timestream sink's (`events`, `bad_rows`, `rollout_refusals`,
 * time = event time, receive time for bad rows and refusals); the version columns
 * (`schema_version`, `sdk_name`, `sdk_version`) are columns of every record. SQL can join and
 * divide, so each rate is one query (unlike InfluxQL), and a version without bad rows or failures
 * gets a rate of 0 rather than no line.
 */
import { PLAY_EVENT_TYPES } from '../dashboard/panels.js';
import type { RolloutMetric } from '../dashboard/rollout-panels.js';
import type { TimestreamTarget } from './timestream-sql.js';

/** Timestream table of rollout refusals (one record per refused request). */
const REFUSALS_TABLE = 'rollout_refusals';

const BUCKET = 'from_milliseconds(floor(to_milliseconds(time) / $__interval_ms) * $__interval_ms)';
const table = (name: string) => `$__database."${name}"`;
const PLAYS = `measure_name IN (${PLAY_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})`;

/** The version as one column: `schema_version`, or `sdk_name || '@' || sdk_version`. */
function versionOf(columns: readonly string[]): string {
  return columns.length === 1
    ? `coalesce(${columns[0]}, '(unknown)')`
    : `coalesce(${columns.join(` || '@' || `)}, '(unknown)')`;
}

/** Per bucket and version: `select` over `from` (with its own WHERE terms). */
function perBucket(version: string, select: string, from: string, where = ''): string {
  return `SELECT ${BUCKET} AS bucket, ${version} AS version, ${select} FROM ${from} WHERE $__timeFilter${where} GROUP BY 1, 2`;
}

/** `num / den` per bucket and version from two per-bucket queries, 0 where `num` has no row. */
function ratio(num: string, den: string, denPlusNum: boolean, name: string): string {
  const d = denPlusNum ? 'coalesce(d.n, 0) + coalesce(u.n, 0)' : 'd.n';
  return [
    `WITH u AS (${num}), d AS (${den})`,
    `SELECT coalesce(d.bucket, u.bucket) AS time, coalesce(d.version, u.version) AS version,`,
    `1.0 * coalesce(u.n, 0) / nullif(${d}, 0) AS "${name}"`,
    `FROM d FULL OUTER JOIN u ON d.bucket = u.bucket AND d.version = u.version ORDER BY 1`,
  ].join(' ');
}

/** The SQL of one rollout panel (macros unexpanded): one row per bucket and version. */
function rolloutTimestreamSql(metric: RolloutMetric, columns: readonly string[]): string {
  const v = versionOf(columns);
  const events = table('events');
  const count = (name: string) => `count(*) AS ${name}`;
  switch (metric) {
    case 'events':
      return `${perBucket(v, count('events'), events)} ORDER BY 1`;
    case 'share':
      return `SELECT bucket AS time, version, 1.0 * n / sum(n) OVER (PARTITION BY bucket) AS share FROM (${perBucket(v, count('n'), events)}) ORDER BY 1`;
    case 'plays':
      return `${perBucket(v, 'count(DISTINCT session_id) AS plays', events, ` AND ${PLAYS}`)} ORDER BY 1`;
    case 'bad_row_rate':
      return ratio(
        perBucket(v, count('n'), table('bad_rows')),
        perBucket(v, count('n'), events),
        true,
        'bad-row rate',
      );
    case 'error_rate':
      return ratio(
        perBucket(
          v,
          'count(DISTINCT session_id) AS n',
          events,
          " AND measure_name = 'error' AND fatal",
        ),
        perBucket(v, 'count(DISTINCT session_id) AS n', events, ` AND ${PLAYS}`),
        false,
        'error rate',
      );
    case 'startup_p50':
      return `${perBucket(v, 'approx_percentile(startup_ms, 0.5) AS "startup p50"', events, " AND measure_name = 'first_frame'")} ORDER BY 1`;
    case 'refusals':
      return `SELECT ${BUCKET} AS time, ${v} || ' ' || reason AS version, count(*) AS refused FROM ${table(REFUSALS_TABLE)} WHERE $__timeFilter GROUP BY 1, 2 ORDER BY 1`;
    case 'totals':
      return [
        `WITH e AS (SELECT ${v} AS version, count(*) AS events,`,
        `count(DISTINCT CASE WHEN ${PLAYS} THEN session_id END) AS plays,`,
        `count(DISTINCT CASE WHEN measure_name = 'error' AND fatal THEN session_id END) AS failed,`,
        `approx_percentile(CASE WHEN measure_name = 'first_frame' THEN startup_ms END, 0.5) AS "startup p50"`,
        `FROM ${events} WHERE $__timeFilter GROUP BY 1),`,
        `b AS (SELECT ${v} AS version, count(*) AS n FROM ${table('bad_rows')} WHERE $__timeFilter GROUP BY 1),`,
        `r AS (SELECT ${v} AS version, count(*) AS n FROM ${table(REFUSALS_TABLE)} WHERE $__timeFilter GROUP BY 1)`,
        `SELECT coalesce(e.version, b.version, r.version) AS version, coalesce(e.events, 0) AS events,`,
        `coalesce(e.plays, 0) AS plays, 1.0 * e.failed / nullif(e.plays, 0) AS "error rate", e."startup p50",`,
        `coalesce(b.n, 0) AS "bad rows", 1.0 * coalesce(b.n, 0) / nullif(coalesce(e.events, 0) + coalesce(b.n, 0), 0) AS "bad-row rate",`,
        `coalesce(r.n, 0) AS refused`,
        `FROM e FULL OUTER JOIN b ON e.version = b.version FULL OUTER JOIN r ON coalesce(e.version, b.version) = r.version`,
        'ORDER BY events DESC',
      ].join(' ');
  }
}

/** The panel's one target against `database` (each query names its tables itself). */
export function rolloutTimestreamTargets(
  metric: RolloutMetric,
  columns: readonly string[],
  database: string,
): TimestreamTarget[] {
  return [
    {
      refId: 'A',
      rawQuery: rolloutTimestreamSql(metric, columns),
      database: `"${database}"`,
      table: '"events"',
    },
  ];
}
