/**
 * The InfluxQL behind every shared panel, on the point schema the InfluxDB sink writes
 * (core-pipeline/sinks/influxdb-schema.ts: one point per event, the slices as tags, everything else
 * as fields). InfluxQL groups by tags and time only, never by a field: per-session questions (a
 * session's latest heartbeat, its first fatal error) cannot be asked, so the measures that need
 * them are approximated from per-event values, as each panel's description says.
 */
import {
  BAD_ROWS_MEASUREMENT,
  EVENT_TAGS,
  EVENTS_MEASUREMENT,
} from '../core-pipeline/sinks/influxdb-schema.js';
import type { PanelDef } from '../dashboard/panels.js';
import { PLAY_EVENT_TYPES } from '../dashboard/panels.js';
import { SOURCE_TAG } from './source-panel.js';

/** One query of a panel, as the InfluxDB data source stores it (raw InfluxQL). */
export interface InfluxTarget {
  refId: string;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  /** Series name pattern (`$tag_reason`), when the series are split by a tag. */
  alias?: string;
}

const EVENTS = `"${EVENTS_MEASUREMENT}"`;
const BAD_ROWS = `"${BAD_ROWS_MEASUREMENT}"`;
/**
 * Tag keys as quoted identifiers; a slice must be one of them (InfluxQL groups by tags only).
 * `source` is the sink's event tag for how the event arrived (listed here too, as the contract).
 */
const TAG = new Map<string, string>([...EVENT_TAGS, SOURCE_TAG].map((t) => [t, `"${t}"`]));

function tag(name: string): string {
  const quoted = TAG.get(name);
  if (!quoted)
    throw new Error(`"${name}" is not a tag of ${EVENTS_MEASUREMENT}; InfluxQL cannot group by it`);
  return quoted;
}

/** `"type" = 'a' OR "type" = 'b'`, parenthesised when there are several. */
function typeIs(types: readonly string[]): string {
  const terms = types.map((t) => `${tag('type')} = '${t}'`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

const BY_TIME = 'GROUP BY time($__interval) fill(0)';
const FATAL = `${typeIs(['error'])} AND "fatal" = true`;

function series(query: string, alias?: string): InfluxTarget {
  return {
    refId: 'A',
    query,
    rawQuery: true,
    resultFormat: 'time_series',
    ...(alias ? { alias } : {}),
  };
}

function table(refId: string, query: string): InfluxTarget {
  return { refId, query, rawQuery: true, resultFormat: 'table' };
}

/** The per-slice queries of a regional-diagnostics table, merged by Grafana on the slice column. */
function sliceTargets(slice: string): InfluxTarget[] {
  const by = `GROUP BY ${tag(slice)}`;
  return [
    table(
      'A',
      `SELECT count(distinct("session_id")) AS "plays" FROM ${EVENTS} WHERE ${typeIs(PLAY_EVENT_TYPES)} AND $timeFilter ${by}`,
    ),
    table(
      'B',
      `SELECT count(distinct("session_id")) AS "failed" FROM ${EVENTS} WHERE ${FATAL} AND $timeFilter ${by}`,
    ),
    table(
      'C',
      `SELECT percentile("startup_ms", 95) AS "startup p95" FROM ${EVENTS} WHERE ${typeIs(['first_frame'])} AND $timeFilter ${by}`,
    ),
    table(
      'D',
      `SELECT count("stall_ms") AS "stalls" FROM ${EVENTS} WHERE ${typeIs(['stall_end'])} AND $timeFilter ${by}`,
    ),
  ];
}

/**
 * The InfluxQL targets of one panel, with Grafana's macros unexpanded.
 * @example influxTargets(DEMO_PANELS[0])[0].query
 *   // SELECT count("seq") AS "started" FROM "beacon_events" WHERE "type" = 'started' AND $timeFilter GROUP BY time($__interval) fill(0)
 */
export function influxTargets(panel: PanelDef): InfluxTarget[] {
  const where = (extra = '') => `WHERE ${typeIs(panel.eventTypes)}${extra} AND $timeFilter`;
  switch (panel.metric) {
    case 'count':
      return [
        series(
          `SELECT count("seq") AS "${panel.eventTypes[0]}" FROM ${EVENTS} ${where()} ${BY_TIME}`,
        ),
      ];
    case 'events_per_second':
      return [
        series(
          `SELECT count("seq") * 1000 / $__interval_ms AS "events/s" FROM ${EVENTS} WHERE $timeFilter ${BY_TIME}`,
        ),
      ];
    case 'bad_rows_per_second':
      return [
        series(
          `SELECT count("status") * 1000 / $__interval_ms AS "bad rows/s" FROM ${BAD_ROWS} WHERE $timeFilter GROUP BY time($__interval), "reason" fill(0)`,
          '$tag_reason',
        ),
      ];
    case 'plays':
      return [series(`SELECT count(distinct("session_id")) AS "plays" FROM ${EVENTS} ${where()}`)];
    case 'startup_p50':
      return [series(`SELECT percentile("startup_ms", 50) AS "p50" FROM ${EVENTS} ${where()}`)];
    case 'startup_p95':
      return [series(`SELECT percentile("startup_ms", 95) AS "p95" FROM ${EVENTS} ${where()}`)];
    case 'startup_distribution':
      return [series(`SELECT "startup_ms" FROM ${EVENTS} ${where()}`)];
    case 'failed_sessions':
      return [
        series(
          `SELECT count(distinct("session_id")) AS "failed sessions" FROM ${EVENTS} WHERE ${FATAL} AND $timeFilter`,
        ),
      ];
    case 'stalls_per_minute':
      return [
        series(
          `SELECT count("stall_ms") * 60000 / $__interval_ms AS "stalls/min" FROM ${EVENTS} ${where()} ${BY_TIME}`,
        ),
      ];
    case 'stall_time':
      return [
        series(`SELECT sum("stall_ms") AS "stall time" FROM ${EVENTS} ${where()} ${BY_TIME}`),
      ];
    case 'rebuffer_ratio':
      return [
        series(
          `SELECT 100 * sum("stall_ms") / sum("played_ms") AS "stalled %" FROM ${EVENTS} ${where()}`,
        ),
      ];
    case 'average_bitrate':
      return [series(`SELECT mean("bitrate") AS "bitrate" FROM ${EVENTS} ${where()}`)];
    case 'slice_qoe':
      if (!panel.slice) throw new Error(`panel ${panel.id}: a slice_qoe panel needs a slice`);
      return sliceTargets(panel.slice);
    case 'source_qoe':
      return sliceTargets(SOURCE_TAG);
  }
}
