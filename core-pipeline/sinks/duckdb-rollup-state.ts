/**
 * Sessions' rollup-engine state computed from the stored events with SQL aggregates that follow
 * the state's definition (core-pipeline/rollups/session-state.ts): for a store that opens on
 * existing events, and for a session the engine no longer holds.
 */
import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api';
import { ROLLUP_DIMENSIONS, type SliceKey } from '../rollups/aggregate.js';
import type { RollupEngine, StoredSessionState } from '../rollups/engine.js';
import type { EventRow } from '../rows.js';
import { dimensionSql } from '../rollups/tables.js';
import { PLAY_TYPES } from '../rollups/session-state.js';
import { q } from './duckdb-schema.js';

const ORDER = "{'s': seq, 'e': event_id}";
const PLAY = `(${[...PLAY_TYPES].map((t) => `'${t}'`).join(', ')})`;
const COUNTER = "type IN ('heartbeat', 'session_end')";
const BITRATE = "type = 'heartbeat' AND bitrate IS NOT NULL";

/**
 * One row per session with its engine state, over the events that pass `where`. Each "chosen
 * event" of the state (lowest-seq, first first_frame, latest counters, latest bitrate) is one
 * arg_min/arg_max whose value is a struct of what the state keeps of it: four ordered aggregates
 * rather than one per field, which is what makes the pass over the events cheap. The struct
 * value is never NULL, so a NULL field of the chosen event is kept, as the engine keeps it; the
 * (seq, event_id) order is the engine's.
 */
function stateSql(where: string): string {
  const dims = ROLLUP_DIMENSIONS.map((d) => `${q(d)}: ${dimensionSql(d)}`).join(', ');
  return `
  SELECT session_id,
    epoch_ms(min(time)) AS min_time, epoch_ms(max(time)) AS last_seen,
    bool_or(type IN ${PLAY}) AS played,
    bool_or(type = 'session_end') AS ended,
    min(seq) FILTER (WHERE type = 'error' AND fatal) AS fatal_seq,
    arg_min({seq: seq, id: event_id, dims: {${dims}}}, ${ORDER}) AS first,
    arg_min({seq: seq, id: event_id, startup: startup_ms}, ${ORDER})
      FILTER (WHERE type = 'first_frame') AS ff,
    arg_max({seq: seq, id: event_id, played: coalesce(played_ms, 0), stall: coalesce(stall_ms, 0),
             count: coalesce(stall_count, 0)}, ${ORDER}) FILTER (WHERE ${COUNTER}) AS counter,
    arg_max({seq: seq, id: event_id, bits: bitrate * coalesce(played_ms, 0), played: coalesce(played_ms, 0)},
            ${ORDER}) FILTER (WHERE ${BITRATE}) AS br
  FROM events WHERE ${where} GROUP BY session_id`;
}

type Chosen = Record<string, unknown> | null;

/** A stateSql row as the engine's StoredSessionState. */
function toStoredState(r: Record<string, unknown>): StoredSessionState {
  const num = (v: unknown, none: number): number =>
    v === null || v === undefined ? none : Number(v);
  const first = r.first as Record<string, unknown>;
  const ff = r.ff as Chosen;
  const counter = r.counter as Chosen;
  const br = r.br as Chosen;
  return {
    minTime: Number(r.min_time),
    lastSeen: Number(r.last_seen),
    dimsSeq: Number(first.seq),
    dimsId: String(first.id),
    dims: first.dims as SliceKey,
    played: r.played === true,
    ffSeq: ff ? Number(ff.seq) : Infinity,
    ffId: ff ? String(ff.id) : '',
    startupMs: ff && ff.startup !== null ? Number(ff.startup) : null,
    fatalSeq: num(r.fatal_seq, Infinity),
    ended: r.ended === true,
    counterSeq: counter ? Number(counter.seq) : -1,
    counterId: counter ? String(counter.id) : '',
    playedMs: counter ? Number(counter.played) : 0,
    stallMs: counter ? Number(counter.stall) : 0,
    stallCount: counter ? Number(counter.count) : 0,
    bitrateSeq: br ? Number(br.seq) : -1,
    bitrateId: br ? String(br.id) : '',
    bits: br ? Number(br.bits) : 0,
    bitratePlayedMs: br ? Number(br.played) : 0,
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
  maxSessions: number,
): Promise<number> {
  // The recent sessions first (the time zonemaps skip old row groups), at most `maxSessions` of
  // them, the most recently active; then every event of them.
  const sql = stateSql(
    `session_id IN (SELECT session_id FROM events WHERE time >= make_timestamp_ms($1::BIGINT)
       GROUP BY session_id ORDER BY max(time) DESC LIMIT $2)`,
  );
  return loadWith(con, engine, sql, [BigInt(sinceMs), BigInt(maxSessions)]);
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
