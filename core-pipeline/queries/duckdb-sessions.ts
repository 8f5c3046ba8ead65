/**
 * The session explorer's reads over the DuckDB store (`SessionQueries`, types.ts): one session
 * with its timeline, QoE numbers, place and bad rows, and the recent sessions of a slice.
 *
 * The events table has no index on session_id (one would slow every insert), so both reads are
 * shaped for DuckDB's scans:
 * - `session`: one scan filtered on session_id (the filter is pushed into the scan, so only the
 *   vectors holding the session's rows are read in full) feeds both the summary and the timeline.
 * - `recentSessions`: candidates come from a short window of the newest events (1 minute, then
 *   5, 15, 60 minutes, 6 hours, then `since`), which min/max statistics on `time` keep small.
 *   Sessions active in a window are exactly the most recently active ones, so the first window
 *   with `limit` matching sessions is the answer. With an outcome filter, candidates must have an
 *   event of the window that the outcome needs (a fatal error, a session_end).
 *
 * A listed session's numbers come from its events since `since` and at most SUMMARY_LOOKBACK_MS
 * before the candidate window (so a session longer than that shows only its recent part in the
 * list); `session` always uses all of them.
 */
import { LIMITS } from '../../schemas/index.js';
import { InvalidQueryError } from '../errors.js';
import { ROLLUP_DIMENSIONS, type RollupDimension } from '../rollups/aggregate.js';
import { dimensionSql } from '../rollups/tables.js';
import type { StoredBadRow } from '../rows.js';
import type { DuckDbStore, QueryRow } from '../sinks/duckdb.js';
import {
  OUTCOME_SQL,
  SESSION_COLUMNS,
  SUMMARY_SELECT,
  TIMELINE_SELECT,
  toSummary,
  toTimelineEvent,
} from './duckdb-session-sql.js';
import * as guard from './guards.js';
import type {
  RecentSessionsInput,
  SessionDetail,
  SessionQueries,
  SessionSummary,
} from './types.js';

/** Most events a timeline returns (a runaway session must not make a huge answer). */
const MAX_TIMELINE_EVENTS = 5000;
/** Most bad rows listed with a session. */
const MAX_SESSION_BAD_ROWS = 200;
/** Candidate windows of `recentSessions`, newest first, before falling back to `since`. */
const WINDOW_STEPS_MS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000];
/** With an outcome filter, at most this many most recent sessions per window are examined. */
const MAX_OUTCOME_CANDIDATES = 5000;
/**
 * How far before its candidate window a listed session's events are summarised: a scan back to
 * `since` would read every event of the range for a handful of sessions.
 */
const SUMMARY_LOOKBACK_MS = 10 * 60_000;

/** The outcomes `recentSessions` may filter on. */
export const SESSION_OUTCOMES: readonly SessionSummary['outcome'][] = [
  'playing',
  'ended',
  'start_failure',
  'playback_failure',
  'exit_before_start',
  'starting',
];

/** The DuckDB implementation of `SessionQueries`; `now` is the clock the windows count back from. */
export function createDuckDbSessionQueries(
  store: DuckDbStore,
  now: () => number = Date.now,
): SessionQueries {
  return {
    session: (id) => session(store, id),
    recentSessions: (input) => recentSessions(store, input, now()),
  };
}

/** A session id as the schema allows it, else InvalidQueryError. */
function sessionId(v: unknown): string {
  if (typeof v !== 'string' || !LIMITS.idPattern.test(v))
    throw new InvalidQueryError('session_id', `must match ${LIMITS.idPattern}`);
  return v;
}

async function session(store: DuckDbStore, id: string): Promise<SessionDetail | null> {
  const sid = sessionId(id);
  const [rows, badRows] = await Promise.all([
    // One scan: the session's rows are read once (MATERIALIZED) for both the summary and the
    // timeline; each row of the answer carries the summary as a struct.
    store.query(
      `WITH ev AS MATERIALIZED (SELECT ${SESSION_COLUMNS} FROM events WHERE session_id = $1),
       sm AS (SELECT *, ${OUTCOME_SQL} AS outcome
              FROM (SELECT ${SUMMARY_SELECT} FROM ev GROUP BY session_id))
       SELECT sm AS summary, tl.*
       FROM sm, (SELECT ${TIMELINE_SELECT} FROM ev ORDER BY seq, time, event_id LIMIT $2) tl`,
      [sid, BigInt(MAX_TIMELINE_EVENTS)],
    ),
    store.query(
      `SELECT * REPLACE (epoch_ms(received_at) AS received_at, epoch_ms(ingested_at) AS ingested_at)
       FROM bad_rows WHERE session_id = $1 ORDER BY received_at, "index" NULLS LAST, bad_row_id LIMIT $2`,
      [sid, BigInt(MAX_SESSION_BAD_ROWS)],
    ),
  ]);
  const summary = rows[0]?.summary as QueryRow | undefined;
  if (!summary) return null;
  const startedAt = Number(summary.started_at);
  return {
    ...toSummary(summary),
    startedAt,
    timeline: rows.map((e) => toTimelineEvent(e, startedAt)),
    badRows: badRows.map(toBadRow),
  };
}

async function recentSessions(
  store: DuckDbStore,
  input: RecentSessionsInput,
  nowMs: number,
): Promise<SessionSummary[]> {
  const since = guard.timeMs(input?.since, 'since');
  const limit = guard.intIn(input.limit, 'limit', 1, 200, 50);
  const filters = rollupFilters(input.filters ?? {});
  const outcome = input.outcome;
  if (outcome !== undefined && !SESSION_OUTCOMES.includes(outcome))
    throw new InvalidQueryError('outcome', `must be one of ${SESSION_OUTCOMES.join(', ')}`);
  const sql = recentSql(filters, outcome);
  const filterValues = filters.map(([, v]) => v);
  const values = [...filterValues, ...(outcome === undefined ? [] : [outcome])];
  const windows = [...WINDOW_STEPS_MS.map((step) => nowMs - step).filter((w) => w > since), since];
  for (const windowStart of windows) {
    const last = windowStart === since;
    // Counting the window's candidates is cheap; the summaries are not, so they wait for a window
    // that can fill the list.
    if (!last) {
      const [c] = await store.query(countSql(filters, outcome), [
        BigInt(windowStart),
        ...filterValues,
      ]);
      if (Number(c.n) < limit) continue;
    }
    const rows = await store.query(sql, [
      BigInt(windowStart),
      BigInt(Math.max(since, windowStart - SUMMARY_LOOKBACK_MS)),
      BigInt(outcome === undefined ? limit : MAX_OUTCOME_CANDIDATES),
      BigInt(limit),
      ...values,
    ]);
    if (rows.length >= limit || last) return rows.map(toSummary);
  }
  return [];
}

/** Event types without which a session cannot have the outcome (a cheap candidate filter). */
function markerSql(outcome: SessionSummary['outcome'] | undefined): string {
  if (outcome === 'start_failure' || outcome === 'playback_failure')
    return " AND type = 'error' AND fatal";
  if (outcome === 'exit_before_start' || outcome === 'ended') return " AND type = 'session_end'";
  return '';
}

const rowFilterSql = (filters: [RollupDimension, string][], from: number) =>
  filters.map(([d], i) => ` AND ${dimensionSql(d)} = $${i + from}`).join('');

/** Candidate sessions of a window. Parameters: $1 window start, then the filter values. */
function countSql(
  filters: [RollupDimension, string][],
  outcome: SessionSummary['outcome'] | undefined,
): string {
  return `SELECT count(DISTINCT session_id) AS n FROM events
    WHERE time >= make_timestamp_ms($1::BIGINT)${rowFilterSql(filters, 2)}${markerSql(outcome)}`;
}

/**
 * Parameters: $1 window start, $2 start of the summarised events, $3 candidate limit, $4 limit,
 * then the filter values and the outcome. Filters apply twice: on each candidate event (cheap, in
 * the scan) and on the session's place (its lowest-seq event), which is what the answer reports.
 * A missing value matches as in the rollups ('', or 'sdk' for source).
 */
function recentSql(
  filters: [RollupDimension, string][],
  outcome: SessionSummary['outcome'] | undefined,
): string {
  const rowFilters = rowFilterSql(filters, 5);
  const byOutcome = outcome === undefined ? '' : ` AND outcome = $${filters.length + 5}`;
  return `
  WITH cand AS (
    SELECT session_id, max(time) AS last FROM events
    WHERE time >= make_timestamp_ms($1::BIGINT)${rowFilters}${markerSql(outcome)}
    GROUP BY session_id ORDER BY last DESC LIMIT $3
  ),
  s AS (
    SELECT ${SUMMARY_SELECT} FROM events
    WHERE time >= make_timestamp_ms($2::BIGINT) AND session_id IN (SELECT session_id FROM cand)
    GROUP BY session_id
  ),
  o AS (SELECT *, ${OUTCOME_SQL} AS outcome FROM s)
  SELECT * FROM o WHERE true${rowFilters}${byOutcome}
  ORDER BY last_at DESC, session_id LIMIT $4`;
}

/** Rollup-dimension filters (other keys refused), each a string of 0..256 characters. */
function rollupFilters(input: object): [RollupDimension, string][] {
  const out: [RollupDimension, string][] = [];
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (!ROLLUP_DIMENSIONS.includes(k as RollupDimension))
      throw new InvalidQueryError(k, `is not a filter; use ${ROLLUP_DIMENSIONS.join(', ')}`);
    if (typeof v !== 'string' || v.length > guard.MAX_FILTER_LENGTH)
      throw new InvalidQueryError(k, 'must be a string of at most 256 characters');
    out.push([k as RollupDimension, v]);
  }
  return out;
}

function toBadRow(r: QueryRow): StoredBadRow {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...(r as unknown as StoredBadRow),
    received_at: Number(r.received_at),
    ingested_at: Number(r.ingested_at),
    status: Number(r.status),
    index: n(r.index),
  };
}
