/**
 * Sessions' rollup-engine state computed from the stored events with SQL aggregates that follow
 * the state's definition (core-pipeline/rollups/session-state.ts): for a store that opens on
 * existing events, and for a session the engine no longer holds.
 */
import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api';
import { ROLLUP_DIMENSIONS, type SliceKey } from '../rollups/aggregate.js';
import type { RollupEngine, StoredSessionState } from '../rollups/engine.js';
import type { EventRow } from '../rows.js';
import { PLAY_TYPES } from '../rollups/session-state.js';
import { q } from './duckdb-schema.js';

const ORDER = "{'s': seq, 'e': event_id}";
const PLAY = `(${[...PLAY_TYPES].map((t) => `'${t}'`).join(', ')})`;
const COUNTER = "type IN ('heartbeat', 'session_end')";
const BITRATE = "type = 'heartbeat' AND bitrate IS NOT NULL";

/**
 * One row per session with its engine state (StoredSessionState, snake_case), over the events
 * that pass `where`. arg_min_null/arg_max_null keep a NULL value of the chosen row, as the engine
 * does; the (seq, event_id) struct is the engine's order.
 */
export function stateSql(where: string): string {
  const dims = ROLLUP_DIMENSIONS.map((d) => `'${d}': coalesce(${q(d)}, '')`).join(', ');
  return `
  SELECT session_id,
    epoch_ms(min(time)) AS min_time, epoch_ms(max(time)) AS last_seen,
    min(seq) AS dims_seq, arg_min(event_id, ${ORDER}) AS dims_id,
    arg_min({${dims}}, ${ORDER}) AS dims,
    bool_or(type IN ${PLAY}) AS played,
    min(seq) FILTER (WHERE type = 'first_frame') AS ff_seq,
    arg_min(event_id, ${ORDER}) FILTER (WHERE type = 'first_frame') AS ff_id,
    arg_min_null(startup_ms, ${ORDER}) FILTER (WHERE type = 'first_frame') AS startup_ms,
    min(seq) FILTER (WHERE type = 'error' AND fatal) AS fatal_seq,
    bool_or(type = 'session_end') AS ended,
    max(seq) FILTER (WHERE ${COUNTER}) AS counter_seq,
    arg_max(event_id, ${ORDER}) FILTER (WHERE ${COUNTER}) AS counter_id,
    arg_max(coalesce(played_ms, 0), ${ORDER}) FILTER (WHERE ${COUNTER}) AS played_ms,
    arg_max(coalesce(stall_ms, 0), ${ORDER}) FILTER (WHERE ${COUNTER}) AS stall_ms,
    arg_max(coalesce(stall_count, 0), ${ORDER}) FILTER (WHERE ${COUNTER}) AS stall_count,
    max(seq) FILTER (WHERE ${BITRATE}) AS bitrate_seq,
    arg_max(event_id, ${ORDER}) FILTER (WHERE ${BITRATE}) AS bitrate_id,
    arg_max(bitrate * coalesce(played_ms, 0), ${ORDER}) FILTER (WHERE ${BITRATE}) AS bits,
    arg_max(coalesce(played_ms, 0), ${ORDER}) FILTER (WHERE ${BITRATE}) AS bitrate_played_ms
  FROM events WHERE ${where} GROUP BY session_id`;
}

/** A stateSql row as the engine's StoredSessionState. */
export function toStoredState(r: Record<string, unknown>): StoredSessionState {
  const n = (v: unknown, none: number): number =>
    v === null || v === undefined ? none : Number(v);
  const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  return {
    minTime: Number(r.min_time),
    lastSeen: Number(r.last_seen),
    dimsSeq: Number(r.dims_seq),
    dimsId: s(r.dims_id),
    dims: r.dims as SliceKey,
    played: r.played === true,
    ffSeq: n(r.ff_seq, Infinity),
    ffId: s(r.ff_id),
    startupMs: r.startup_ms === null || r.startup_ms === undefined ? null : Number(r.startup_ms),
    fatalSeq: n(r.fatal_seq, Infinity),
    ended: r.ended === true,
    counterSeq: n(r.counter_seq, -1),
    counterId: s(r.counter_id),
    playedMs: n(r.played_ms, 0),
    stallMs: n(r.stall_ms, 0),
    stallCount: n(r.stall_count, 0),
    bitrateSeq: n(r.bitrate_seq, -1),
    bitrateId: s(r.bitrate_id),
    bits: n(r.bits, 0),
    bitratePlayedMs: n(r.bitrate_played_ms, 0),
  };
}

/**
 * Loads into the engine the stored state of sessions it does not hold (one query).
 * @param except events to leave out (this batch's, when they are already inserted).
 * @returns how many sessions had stored events.
 */
export async function loadSessions(
  con: DuckDBConnection,
  engine: RollupEngine,
  sessionIds: readonly string[],
  except: readonly EventRow[] = [],
): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const ids = new Set(sessionIds);
  const skip = except.filter((e) => ids.has(e.session_id)).map((e) => e.event_id);
  const inSessions = 'session_id IN (SELECT unnest($1::VARCHAR[]))';
  // An empty list has no item type for DuckDB to bind, so it gets its own statement.
  if (skip.length === 0)
    return loadWith(con, engine, stateSql(inSessions), [listValue(sessionIds)]);
  const sql = stateSql(`${inSessions} AND event_id NOT IN (SELECT unnest($2::VARCHAR[]))`);
  return loadWith(con, engine, sql, [listValue(sessionIds), listValue(skip)]);
}

/**
 * Loads into the engine every session with an event at or after `sinceMs` (one pass over the
 * events table, on store open).
 */
export async function loadRecentSessions(
  con: DuckDBConnection,
  engine: RollupEngine,
  sinceMs: number,
): Promise<number> {
  const sql = `${stateSql('true')} HAVING max(time) >= make_timestamp_ms($1::BIGINT)`;
  return loadWith(con, engine, sql, [sinceMs]);
}

async function loadWith(
  con: DuckDBConnection,
  engine: RollupEngine,
  sql: string,
  params: DuckDBValue[],
): Promise<number> {
  const reader = await con.runAndReadAll(sql, params);
  const rows = reader.getRowObjectsJS();
  for (const r of rows) engine.load(String(r.session_id), toStoredState(r));
  return rows.length;
}
