/**
 * The one-time backfill of a store whose events were written before the rollups existed, in SQL:
 * the rows the engine would produce applying every stored event at once, session by session in
 * (seq, event_id) order, computed by DuckDB in one statement per table (reading millions of
 * events into JS instead cost far more time and memory).
 *
 * - Session-level sums: one row per session at its anchor, as session-state.ts defines them.
 * - Counter observations: each heartbeat/session_end against the previous one of its session
 *   (LAG over seq, event_id), clamped at 0 as the engine clamps; bitrate observations likewise
 *   over the heartbeats with a bitrate, unclamped.
 * - Event counts, non-fatal errors, switches and seeks per event minute and slice.
 *
 * The sketch bucket is computed with DuckDB's ln(), the engine's with V8's Math.log: they agree
 * except, possibly, in the last bit at an exact bucket boundary.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { AGGREGATE_SUMS, ROLLUP_DIMENSIONS, SKETCH_ALPHA } from '../rollups/aggregate.js';
import {
  dimensionSql,
  ROLLUP_TABLE,
  SKETCH_TABLE,
  sumColumn,
  TYPE_COUNTS_TABLE,
} from '../rollups/tables.js';
import { PLAY_TYPES } from '../rollups/session-state.js';
import { q } from './duckdb-schema.js';

const ORDER = "{'s': seq, 'e': event_id}";
const PLAY = `(${[...PLAY_TYPES].map((t) => `'${t}'`).join(', ')})`;
const DIMS = ROLLUP_DIMENSIONS.map(q).join(', ');
const DIMS_COALESCED = ROLLUP_DIMENSIONS.map((d) => `${dimensionSql(d)} AS ${q(d)}`).join(', ');
const LOG_GAMMA = Math.log((1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA));

/** Per-session outcome flags at the session's anchor (minute, dims). */
const SESSIONS = `
  s AS (
    SELECT date_trunc('minute', min(time)) AS minute,
      arg_min({${ROLLUP_DIMENSIONS.map((d) => `${q(d)}: ${dimensionSql(d)}`).join(', ')}}, ${ORDER}) AS d,
      bool_or(type IN ${PLAY}) AS played,
      bool_or(type = 'session_end') AS ended,
      min(seq) FILTER (WHERE type = 'error' AND fatal) AS fatal_seq,
      arg_min({seq: seq, startup: startup_ms}, ${ORDER}) FILTER (WHERE type = 'first_frame') AS ff
    FROM events GROUP BY session_id
  ),
  sf AS (
    SELECT minute, ${ROLLUP_DIMENSIONS.map((d) => `d.${q(d)} AS ${q(d)}`).join(', ')},
      played, ended, fatal_seq, ff.seq AS ff_seq, ff.startup AS startup
    FROM s
  )`;

/** Each rollup_1m column's sum over the union of the three parts (a part lacks some columns). */
const ROLLUP_SELECT = AGGREGATE_SUMS.map(
  (f) => `coalesce(sum(${q(sumColumn(f))}), 0) AS ${q(sumColumn(f))}`,
).join(', ');

/** The statement that fills rollup_1m. */
function rollupSql(): string {
  return `
  INSERT INTO ${ROLLUP_TABLE}
  WITH ${SESSIONS},
  ev AS (
    SELECT date_trunc('minute', time) AS minute, ${DIMS_COALESCED}, session_id, event_id, seq, type,
      fatal, seek_ms, coalesce(played_ms, 0) AS p, coalesce(stall_ms, 0) AS st,
      coalesce(stall_count, 0) AS sc, bitrate
    FROM events
  ),
  c AS (
    SELECT minute, ${DIMS},
      greatest(p - coalesce(lag(p) OVER w, 0), 0) AS dp,
      greatest(st - coalesce(lag(st) OVER w, 0), 0) AS ds,
      greatest(sc - coalesce(lag(sc) OVER w, 0), 0) AS dc
    FROM ev WHERE type IN ('heartbeat', 'session_end')
    WINDOW w AS (PARTITION BY session_id ORDER BY seq, event_id)
  ),
  b AS (
    SELECT minute, ${DIMS},
      bitrate * p - coalesce(lag(bitrate * p) OVER w, 0) AS db,
      p - coalesce(lag(p) OVER w, 0) AS dbp
    FROM ev WHERE type = 'heartbeat' AND bitrate IS NOT NULL
    WINDOW w AS (PARTITION BY session_id ORDER BY seq, event_id)
  ),
  parts AS (
    SELECT minute, ${DIMS}, count(*) AS sessions,
      count(*) FILTER (WHERE played) AS plays,
      count(*) FILTER (WHERE played AND fatal_seq IS NOT NULL AND (ff_seq IS NULL OR fatal_seq < ff_seq)) AS start_failures,
      count(*) FILTER (WHERE played AND fatal_seq IS NOT NULL AND ff_seq IS NOT NULL AND fatal_seq > ff_seq) AS playback_failures,
      count(*) FILTER (WHERE played AND ended AND ff_seq IS NULL AND fatal_seq IS NULL) AS exits_before_start,
      count(*) FILTER (WHERE ff_seq IS NOT NULL AND startup IS NOT NULL) AS startups,
      coalesce(sum(startup) FILTER (WHERE ff_seq IS NOT NULL), 0) AS startup_ms_sum
    FROM sf GROUP BY ALL
    UNION ALL BY NAME
    SELECT minute, ${DIMS}, count(*) AS events,
      count(*) FILTER (WHERE type = 'error' AND fatal IS NOT TRUE) AS non_fatal_errors,
      count(*) FILTER (WHERE type = 'bitrate_changed') AS switches,
      count(*) FILTER (WHERE type = 'seeked' AND seek_ms IS NOT NULL) AS seeks,
      coalesce(sum(seek_ms) FILTER (WHERE type = 'seeked'), 0) AS seek_ms_sum,
      coalesce(sum(seek_ms * seek_ms) FILTER (WHERE type = 'seeked'), 0) AS seek_ms_sq
    FROM ev GROUP BY ALL
    UNION ALL BY NAME
    SELECT minute, ${DIMS}, sum(dp) AS played_ms, sum(ds) AS stall_ms, sum(dc) AS stall_count,
      sum(ds * ds) AS stall_sq, sum((dp + ds) * (dp + ds)) AS watch_sq, sum(ds * (dp + ds)) AS stall_watch,
      count(*) AS observations
    FROM c GROUP BY ALL
    UNION ALL BY NAME
    SELECT minute, ${DIMS}, sum(db) AS bitrate_weighted, sum(dbp) AS bitrate_played_ms,
      sum(db * db) AS bitrate_weighted_sq, sum(dbp * dbp) AS bitrate_played_sq, sum(db * dbp) AS bitrate_cross
    FROM b GROUP BY ALL
  )
  SELECT minute, ${DIMS}, ${ROLLUP_SELECT} FROM parts GROUP BY minute, ${DIMS}`;
}

/** The statements that fill the sketch and type-count tables. */
function sketchAndTypesSql(): string[] {
  return [
    `INSERT INTO ${SKETCH_TABLE}
     WITH ${SESSIONS}
     SELECT minute, ${DIMS},
       CASE WHEN startup >= 1 THEN greatest(1, ceil(ln(startup) / ${LOG_GAMMA}))::INTEGER ELSE 0 END AS bucket,
       count(*) AS n
     FROM sf WHERE ff_seq IS NOT NULL AND startup IS NOT NULL GROUP BY ALL`,
    `INSERT INTO ${TYPE_COUNTS_TABLE}
     SELECT date_trunc('minute', time) AS minute, type, count(*) AS n FROM events GROUP BY ALL`,
  ];
}

/**
 * Fills the rollup tables from every stored event inside the caller's transaction.
 * @returns events counted.
 */
export async function backfillRollups(con: DuckDBConnection): Promise<number> {
  const reader = await con.runAndReadAll('SELECT count(*) FROM events');
  const total = Number(reader.getColumnsJS()[0][0]);
  if (total === 0) return 0;
  await con.run(rollupSql());
  for (const sql of sketchAndTypesSql()) await con.run(sql);
  return total;
}
