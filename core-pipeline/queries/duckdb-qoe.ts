/**
 * DuckDB SQL for the quality-of-experience queries. Everything is derived per session from the
 * stored events at query time — the SDK's heartbeats carry cumulative counters, so no session
 * state is kept server-side. Column names come only from the allow-list in types.ts; values are
 * bound parameters.
 */
import type { Dimension } from './types.js';

/** Startup histogram bar edges in ms: [0,500), [500,1000), ... [8000, ∞). */
export const STARTUP_EDGES_MS = [0, 500, 1000, 2000, 4000, 8000] as const;

/** Types that mean "the viewer asked to play": a session with one is a play. */
const PLAY_TYPES = "('requested', 'started', 'first_frame')";
/** Types that carry cumulative played/stall counters. */
const COUNTER_TYPES = "('heartbeat', 'session_end')";

/**
 * Nearest-rank percentile of a sorted DuckDB list: the element at 1-based rank ⌈p·n/100⌉,
 * computed in integers so 95·20/100 is exactly 19. NULL for an empty list.
 */
function nearestRank(list: string, p: number): string {
  return `CASE WHEN len(${list}) = 0 THEN NULL ELSE ${list}[(${p} * len(${list}) + 99) // 100] END`;
}

/** A WHERE clause: received_at ≥ $1 plus one `"dim" = $n` per filter (n from 2). */
export function whereClause(filters: readonly [Dimension, string][]): string {
  return [
    'received_at >= make_timestamp_ms($1::BIGINT)',
    ...filters.map(([d], i) => `"${d}" = $${i + 2}`),
  ].join(' AND ');
}

/**
 * CTEs `ev` (events in the window), `s` (one row per session) and `f` (s plus outcome flags).
 * A session's slice is its dimension value on its lowest-seq event in the window.
 */
function sessionCtes(where: string, slice: Dimension | null): string {
  return `
  ev AS (
    SELECT session_id, type, seq, startup_ms, fatal, stall_ms, played_ms, stall_count, bitrate,
           ${slice ? `"${slice}"` : 'NULL::VARCHAR'} AS slice
    FROM events WHERE ${where}
  ),
  s AS (
    SELECT session_id,
      coalesce(arg_min(slice, seq), '(unknown)') AS slice,
      bool_or(type IN ${PLAY_TYPES}) AS played,
      min(seq) FILTER (WHERE type = 'first_frame') AS ff_seq,
      arg_min(startup_ms, seq) FILTER (WHERE type = 'first_frame') AS startup_ms,
      min(seq) FILTER (WHERE type = 'error' AND fatal) AS fatal_seq,
      bool_or(type = 'session_end') AS ended,
      count(*) FILTER (WHERE type = 'error' AND NOT coalesce(fatal, false)) AS nonfatal_errors,
      arg_max(played_ms, seq) FILTER (WHERE type IN ${COUNTER_TYPES}) AS played_ms,
      arg_max(stall_ms, seq) FILTER (WHERE type IN ${COUNTER_TYPES}) AS stall_ms,
      arg_max(stall_count, seq) FILTER (WHERE type IN ${COUNTER_TYPES}) AS stall_count
    FROM ev GROUP BY session_id
  ),
  f AS (
    SELECT *,
      played AND fatal_seq IS NOT NULL AND (ff_seq IS NULL OR fatal_seq < ff_seq) AS vsf,
      played AND fatal_seq IS NOT NULL AND ff_seq IS NOT NULL AND fatal_seq > ff_seq AS vpf,
      played AND ff_seq IS NULL AND fatal_seq IS NULL AND ended AS ebvs
    FROM s
  )`;
}

/** Per-session aggregates shared by the summary and the breakdown. */
const SESSION_AGGREGATES = `
    count(*) AS sessions,
    count(*) FILTER (WHERE played) AS plays,
    count(*) FILTER (WHERE vsf) AS start_failures,
    count(*) FILTER (WHERE vpf) AS playback_failures,
    count(*) FILTER (WHERE ebvs) AS exits_before_start,
    coalesce(sum(nonfatal_errors), 0) AS nonfatal_errors,
    list_sort(list(startup_ms) FILTER (WHERE startup_ms IS NOT NULL)) AS startups,
    count(*) FILTER (WHERE played_ms IS NOT NULL) AS sessions_with_counters,
    coalesce(sum(stall_count), 0) AS stall_count,
    coalesce(sum(stall_ms), 0) AS stall_ms,
    coalesce(sum(played_ms), 0) AS played_ms,
    count(*) FILTER (WHERE vsf OR ebvs OR coalesce(stall_count, 0) > 0) AS impacted`;

/** The whole-window summary: one row. Parameters: $1 since (ms), then the filter values. */
export function qoeSql(where: string): string {
  const histogram = STARTUP_EDGES_MS.map((lo, i) => {
    const hi = STARTUP_EDGES_MS[i + 1];
    const cond = hi === undefined ? `x >= ${lo}` : `x >= ${lo} AND x < ${hi}`;
    return `len(list_filter(startups, x -> ${cond})) AS h${i}`;
  }).join(',\n    ');
  return `
  WITH ${sessionCtes(where, null)},
  agg AS (SELECT ${SESSION_AGGREGATES} FROM f),
  hb AS (
    -- A heartbeat's bitrate is the session's time-weighted average so far (schema 1-0-0), so the
    -- latest one, weighted by the session's played time, is that session's whole contribution.
    SELECT arg_max(bitrate, seq) AS bitrate, arg_max(played_ms, seq) AS played_ms
    FROM ev WHERE type = 'heartbeat' AND bitrate IS NOT NULL
    GROUP BY session_id
  ),
  br AS (
    SELECT
      (SELECT sum(bitrate * played_ms) / nullif(sum(played_ms), 0) FROM hb WHERE played_ms > 0) AS weighted,
      (SELECT avg(bitrate) FROM ev WHERE type = 'bitrate_changed') AS changed_mean
  )
  SELECT agg.* EXCLUDE (startups), len(startups) AS startup_sessions,
    ${nearestRank('startups', 50)} AS p50, ${nearestRank('startups', 90)} AS p90, ${nearestRank('startups', 95)} AS p95,
    ${histogram},
    br.weighted, br.changed_mean
  FROM agg, br`;
}

/**
 * One row per slice, worst first: by excess impacted sessions (impacted − sessions × the window's
 * overall impacted rate, over every slice before the limit), then impacted share, stalled %,
 * startup p95, sessions, value. Parameters: $1 since (ms), the filter values, then the limit.
 */
export function breakdownSql(where: string, slice: Dimension, limitParam: number): string {
  return `
  WITH ${sessionCtes(where, slice)},
  agg AS (SELECT slice, ${SESSION_AGGREGATES} FROM f GROUP BY slice),
  ranked AS (SELECT *, impacted - sessions * (sum(impacted) OVER () / sum(sessions) OVER ()) AS excess FROM agg)
  SELECT slice, sessions, plays, start_failures, exits_before_start, impacted, excess,
    ${nearestRank('startups', 95)} AS p95,
    CASE WHEN played_ms > 0 THEN 100.0 * stall_ms / played_ms END AS stalled_pct
  FROM ranked
  ORDER BY excess DESC, impacted / sessions DESC, stalled_pct DESC NULLS LAST, p95 DESC NULLS LAST, sessions DESC, slice
  LIMIT $${limitParam}`;
}
