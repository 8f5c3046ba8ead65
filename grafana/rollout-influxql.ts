/**
 * The InfluxQL behind the Rollout dashboard: per version (a tag of the InfluxDB sink's points,
 * core-pipeline/sinks/influxdb-schema.ts), events, plays, failed sessions, startup p50, bad rows
 * and rollout refusals per interval, and the window's totals for the table.
 *
 * InfluxQL cannot divide two measurements (or two filtered counts of one) in one statement: the
 * rates are Grafana server-side expressions over two queries (`$B / ($A + $B)`), whose series
 * Grafana pairs by their labels, i.e. the version tag. A version with nothing on one side in the
 * range (no bad rows, no failure) has no partner series and draws no line there; the description
 * says so.
 */
import {
  BAD_ROW_TAGS,
  BAD_ROWS_MEASUREMENT,
  EVENT_TAGS,
  EVENTS_MEASUREMENT,
  REFUSAL_TAGS,
  REFUSALS_MEASUREMENT,
} from '../core-pipeline/sinks/influxdb-schema.js';
import { PLAY_EVENT_TYPES } from '../dashboard/panels.js';
import type { RolloutMetric } from '../dashboard/rollout-panels.js';

/** A query or an expression of a rollout panel, as the dashboard JSON stores it. */
export type RolloutInfluxTarget =
  | {
      refId: string;
      query: string;
      rawQuery: true;
      resultFormat: 'time_series' | 'table';
      alias?: string;
      /** Inputs of an expression are hidden: only the expression is drawn. */
      hide?: boolean;
    }
  | {
      refId: string;
      type: 'math';
      expression: string;
      datasource: { type: '__expr__'; uid: '__expr__' };
    };

const EVENTS = `"${EVENTS_MEASUREMENT}"`;
const BAD_ROWS = `"${BAD_ROWS_MEASUREMENT}"`;
const REFUSALS = `"${REFUSALS_MEASUREMENT}"`;

/** Each measurement the panels read, with its tags. */
const TAGS_OF: [string, readonly string[]][] = [
  [EVENTS_MEASUREMENT, EVENT_TAGS],
  [BAD_ROWS_MEASUREMENT, BAD_ROW_TAGS],
  [REFUSALS_MEASUREMENT, REFUSAL_TAGS],
];

/**
 * The version tags as quoted identifiers; each must be a tag of every measurement read (InfluxQL
 * groups by tags only, and a field in GROUP BY is silently ignored).
 */
function versionTags(tags: readonly string[]): string {
  for (const t of tags)
    for (const [measurement, keys] of TAGS_OF)
      if (!keys.includes(t))
        throw new Error(`"${t}" is not a tag of ${measurement}; InfluxQL cannot group by it`);
  return tags.map((t) => `"${t}"`).join(', ');
}

const typeIs = (types: readonly string[]) => {
  const terms = types.map((t) => `"type" = '${t}'`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
};
const PLAYS = typeIs(PLAY_EVENT_TYPES);
const FATAL = `"type" = 'error' AND "fatal" = true`;

/** Grafana's series name for a version: `$tag_schema_version` or `$tag_sdk_name@$tag_sdk_version`. */
function versionAlias(tags: readonly string[]): string {
  return tags.map((t) => `$tag_${t}`).join('@');
}

const math = (refId: string, expression: string): RolloutInfluxTarget => ({
  refId,
  type: 'math',
  expression,
  datasource: { type: '__expr__', uid: '__expr__' },
});

/** The InfluxQL targets (and expressions) of one rollout panel, macros unexpanded. */
export function rolloutInfluxTargets(
  metric: RolloutMetric,
  tags: readonly string[],
): RolloutInfluxTarget[] {
  const v = versionTags(tags);
  const byTime = `GROUP BY time($__interval), ${v} fill(0)`;
  const series = (refId: string, query: string, hide = false): RolloutInfluxTarget => ({
    refId,
    query,
    rawQuery: true,
    resultFormat: 'time_series',
    alias: versionAlias(tags),
    ...(hide ? { hide } : {}),
  });
  const table = (refId: string, query: string): RolloutInfluxTarget => ({
    refId,
    query: `${query} GROUP BY ${v}`,
    rawQuery: true,
    resultFormat: 'table',
  });
  const events = `SELECT count("seq") AS "events" FROM ${EVENTS} WHERE $timeFilter`;
  const plays = `SELECT count(distinct("session_id")) AS "plays" FROM ${EVENTS} WHERE ${PLAYS} AND $timeFilter`;
  const failed = `SELECT count(distinct("session_id")) AS "failed" FROM ${EVENTS} WHERE ${FATAL} AND $timeFilter`;
  const badRows = `SELECT count("status") AS "bad rows" FROM ${BAD_ROWS} WHERE $timeFilter`;
  const p50 = `SELECT percentile("startup_ms", 50) AS "startup p50" FROM ${EVENTS} WHERE "type" = 'first_frame' AND $timeFilter`;
  const refused = `SELECT count("events") AS "refused" FROM ${REFUSALS} WHERE $timeFilter`;
  switch (metric) {
    case 'events':
      return [series('A', `${events} ${byTime}`)];
    case 'share':
      // The total has no version label, so Grafana pairs it with every version's series.
      return [
        series('A', `${events} ${byTime}`, true),
        series('B', `${events} GROUP BY time($__interval) fill(0)`, true),
        math('C', '$A / $B'),
      ];
    case 'plays':
      return [series('A', `${plays} ${byTime}`)];
    case 'bad_row_rate':
      return [
        series('A', `${events} ${byTime}`, true),
        series('B', `${badRows} ${byTime}`, true),
        math('C', '$B / ($A + $B)'),
      ];
    case 'error_rate':
      return [
        series('A', `${plays} ${byTime}`, true),
        series('B', `${failed} ${byTime}`, true),
        math('C', '$B / $A'),
      ];
    case 'startup_p50':
      return [series('A', `${p50} GROUP BY time($__interval), ${v} fill(none)`)];
    case 'refusals':
      return [
        {
          ...series('A', `${refused} GROUP BY time($__interval), ${v}, "reason" fill(0)`),
          alias: `${versionAlias(tags)} $tag_reason`,
        },
      ];
    case 'totals':
      return [
        table('A', events),
        table('B', plays),
        table('C', failed),
        table('D', p50),
        table('E', badRows),
        table('F', refused),
      ];
  }
}
