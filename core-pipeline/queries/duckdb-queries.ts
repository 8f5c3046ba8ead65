/**
 * The read side over the DuckDB store, for the local dashboard API. `createDuckDbQueries(store)`
 * returns an `EventQueries` (types.ts); a Timestream/InfluxDB version implements the same
 * interface with the definitions documented here.
 *
 * Definitions used throughout:
 * - Window: an event is in the window when its server receive time `received_at` ≥ `since`.
 * - Session: one `session_id` (one playback of one source). A session's measures come only from
 *   its events in the window.
 * - Play: a session with a `requested`, `started` or `first_frame` event.
 * - Percentiles: nearest rank — the p-th percentile of n sorted values is the value at 1-based
 *   rank ⌈p·n/100⌉ (so p50 of 500, 1000, 3000 ms is 1000 ms and p95 is 3000 ms).
 *
 * Invalid inputs reject with InvalidQueryError (field + detail) — the API maps it to a 400.
 */
import { listValue } from '@duckdb/node-api';
import { EVENT_TYPES, type EventType } from '../../schemas/index.js';
import type { StoredBadRow } from '../rows.js';
import { dimensionSql } from '../rollups/tables.js';
import type { DuckDbStore, QueryRow } from '../sinks/duckdb.js';
import { breakdownSql, qoeSql, STARTUP_EDGES_MS, whereClause } from './duckdb-qoe.js';
import * as guard from './guards.js';
import type {
  BreakdownInput,
  BreakdownRow,
  DimensionFilters,
  EventQueries,
  QoeSummary,
  ReceivedSummary,
  TimeseriesInput,
  TimeseriesResult,
  Totals,
} from './types.js';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** The DuckDB implementation of `EventQueries`. */
export function createDuckDbQueries(store: DuckDbStore): EventQueries {
  return {
    countsSince: (since) => countsSince(store, since),
    timeseries: (input) => timeseries(store, input),
    totals: (input) => totals(store, input),
    qoe: (input) => qoe(store, input),
    breakdown: (input) => breakdown(store, input),
    recentBadRows: (limit) => recentBadRows(store, limit),
    badRowCounts: (since) => badRowCounts(store, since),
    receivedSince: (since) => receivedSince(store, since),
  };
}

/**
 * Stored events per type whose `received_at` ≥ `since`. FIXED CONTRACT (`GET /api/v1/counts`):
 * every type of EVENT_TYPES is present, 0 when none; types outside EVENT_TYPES are not listed.
 */
async function countsSince(store: DuckDbStore, since: Date): Promise<Record<EventType, number>> {
  const sinceMs = guard.timeMs(since, 'since');
  const rows = await store.query(
    'SELECT type, count(*) AS n FROM events WHERE received_at >= make_timestamp_ms($1::BIGINT) GROUP BY type',
    [BigInt(sinceMs)],
  );
  const counts = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  for (const r of rows)
    if ((EVENT_TYPES as readonly string[]).includes(String(r.type)))
      counts[r.type as EventType] = num(r.n);
  return counts;
}

/**
 * Events per type per time bucket, by event `time` (client time corrected for clock skew) in
 * [from, to), of the events that pass the rollup-dimension filters. Buckets align to multiples of
 * `bucketSeconds` since the epoch and every bucket is present (0 when empty), so the series can be
 * drawn on one shared x axis.
 */
async function timeseries(store: DuckDbStore, input: TimeseriesInput): Promise<TimeseriesResult> {
  const types = guard.eventTypes(input?.types);
  const { startMs, endMs, bucketMs } = guard.bucketRange(input.from, input.to, input.bucketSeconds);
  const filters = guard.rollupFilters(input.filters);
  const sliced = filters.map(([d], i) => ` AND ${dimensionSql(d)} = $${i + 5}`).join('');
  const rows = await store.query(
    `SELECT type, ${guard.bucketStartSql('time')} AS bucket, count(*) AS n FROM events
     WHERE time >= make_timestamp_ms($1::BIGINT) AND time < make_timestamp_ms($2::BIGINT) AND list_contains($4::VARCHAR[], type)${sliced}
     GROUP BY ALL`,
    [
      BigInt(startMs),
      BigInt(endMs),
      BigInt(bucketMs),
      listValue(types),
      ...filters.map(([, v]) => v),
    ],
  );
  const found = new Map(rows.map((r) => [`${r.type}@${num(r.bucket)}`, num(r.n)]));
  const series: TimeseriesResult['series'] = {};
  for (const t of types) {
    const points: [number, number][] = [];
    for (let b = startMs; b < endMs; b += bucketMs) points.push([b, found.get(`${t}@${b}`) ?? 0]);
    series[t] = points;
  }
  return { bucketSeconds: bucketMs / 1000, series };
}

/** Counts over the window: events, distinct sessions/viewers/contents, bad rows, first/last receive time. */
async function totals(store: DuckDbStore, input: { since: Date }): Promise<Totals> {
  const since = BigInt(guard.timeMs(input?.since, 'since'));
  const [r] = await store.query(
    `SELECT count(*) AS events, count(DISTINCT session_id) AS sessions, count(DISTINCT viewer_id) AS viewers,
       count(DISTINCT content_id) AS contents, epoch_ms(min(received_at)) AS first_at, epoch_ms(max(received_at)) AS last_at,
       (SELECT count(*) FROM bad_rows WHERE received_at >= make_timestamp_ms($1::BIGINT)) AS bad_rows
     FROM events WHERE received_at >= make_timestamp_ms($1::BIGINT)`,
    [since],
  );
  return {
    events: num(r.events),
    sessions: num(r.sessions),
    viewers: num(r.viewers),
    contents: num(r.contents),
    badRows: num(r.bad_rows),
    firstReceivedAt: numOrNull(r.first_at),
    lastReceivedAt: numOrNull(r.last_at),
  };
}

/**
 * CTA-2066 quality of experience over the window, optionally filtered on dimensions.
 * - `plays`: sessions with a play request (see module doc); rates divide by plays.
 * - Video start failure: a play whose first fatal `error` comes before its first `first_frame`
 *   (by seq), or that has a fatal error and no first frame.
 * - Playback failure: a fatal error after the first frame. `errorRate` = (start + playback failures) / plays.
 * - Exit before video start: a play with a `session_end`, no `first_frame` and no fatal error
 *   (a play still starting is not counted).
 * - Startup time: `startup_ms` of the session's first `first_frame` (the SDK measures play
 *   request → first frame). Sessions without a first frame are excluded, not counted as 0.
 *   p50/p90/p95 by nearest rank; histogram bars [0,500), [500,1000), [1000,2000), [2000,4000),
 *   [4000,8000), [8000,∞) ms.
 * - Stalls: per session, the cumulative counters of its latest (highest seq) `heartbeat` or
 *   `session_end`; sessions without one are left out. stalledPct = 100 × Σ stall_ms / Σ played_ms.
 * - Average bitrate (CTA-2066: Σ bits played / Σ media time): a heartbeat's `bitrate` is the
 *   session's time-weighted average so far, so each session contributes its latest heartbeat's
 *   bitrate × its played_ms; the sum is divided by Σ played_ms. If no heartbeat carries a
 *   bitrate, the plain mean of `bitrate_changed` bitrates; else null.
 */
async function qoe(
  store: DuckDbStore,
  input: { since: Date } & DimensionFilters,
): Promise<QoeSummary> {
  const since = guard.timeMs(input?.since, 'since');
  const filters = guard.filters(input);
  const [r] = await store.query(qoeSql(whereClause(filters)), [
    BigInt(since),
    ...filters.map(([, v]) => v),
  ]);
  const plays = num(r.plays);
  const startFailures = num(r.start_failures);
  const playbackFailures = num(r.playback_failures);
  const exits = num(r.exits_before_start);
  const stallMs = num(r.stall_ms);
  const playedMs = num(r.played_ms);
  const weighted = numOrNull(r.weighted);
  const changedMean = numOrNull(r.changed_mean);
  return {
    sessions: num(r.sessions),
    plays,
    startFailures,
    startFailureRate: ratio(startFailures, plays),
    exitsBeforeStart: exits,
    exitBeforeStartRate: ratio(exits, plays),
    playbackFailures,
    errorRate: ratio(startFailures + playbackFailures, plays),
    nonFatalErrors: num(r.nonfatal_errors),
    startup: {
      sessions: num(r.startup_sessions),
      p50Ms: numOrNull(r.p50),
      p90Ms: numOrNull(r.p90),
      p95Ms: numOrNull(r.p95),
      histogram: STARTUP_EDGES_MS.map((fromMs, i) => ({
        fromMs,
        toMs: STARTUP_EDGES_MS[i + 1] ?? null,
        sessions: num(r[`h${i}`]),
      })),
    },
    stalls: {
      sessionsWithCounters: num(r.sessions_with_counters),
      stallCount: num(r.stall_count),
      stallMs,
      playedMs,
      stalledPct: playedMs > 0 ? (100 * stallMs) / playedMs : null,
    },
    bitrate:
      weighted !== null
        ? { averageBps: weighted, method: 'heartbeat_time_weighted' }
        : changedMean !== null
          ? { averageBps: changedMean, method: 'bitrate_changed_mean' }
          : { averageBps: null, method: 'none' },
  };
}

/**
 * Sessions of the window grouped by one dimension (a session belongs to the value on its
 * lowest-seq event), with the `qoe` definitions per slice. Sorted to put the slice that hurts most
 * first: most excess impacted sessions (impacted — failed to start, exited before start, or
 * stalled at least once — beyond the window's overall rate for a slice of its size), then higher
 * impacted share, stalled %, startup p95, more sessions, value. The ranking runs over every slice
 * before `limit` cuts, so a small slice that is clearly worse is never cut by big normal ones.
 */
async function breakdown(store: DuckDbStore, input: BreakdownInput): Promise<BreakdownRow[]> {
  const dim = guard.dimension(input?.dimension);
  const since = guard.timeMs(input.since, 'since');
  const limit = guard.intIn(input.limit, 'limit', 1, 100, 20);
  const rows = await store.query(breakdownSql(whereClause([]), dim, 2), [
    BigInt(since),
    BigInt(limit),
  ]);
  return rows.map((r) => ({
    value: String(r.slice),
    sessions: num(r.sessions),
    plays: num(r.plays),
    startFailures: num(r.start_failures),
    exitsBeforeStart: num(r.exits_before_start),
    startupP95Ms: numOrNull(r.p95),
    stalledPct: numOrNull(r.stalled_pct),
    impactedSessions: num(r.impacted),
    excessImpacted: Math.round(num(r.excess) * 100) / 100,
  }));
}

/**
 * First and last event receive time and the bad-row count since `since`: the raw facts the
 * rollup-based totals keep (min/max of one column; no distinct counts).
 */
async function receivedSince(store: DuckDbStore, since: Date): Promise<ReceivedSummary> {
  const sinceMs = BigInt(guard.timeMs(since, 'since'));
  const [r] = await store.query(
    `SELECT epoch_ms(min(received_at)) AS first_at, epoch_ms(max(received_at)) AS last_at,
       (SELECT count(*) FROM bad_rows WHERE received_at >= make_timestamp_ms($1::BIGINT)) AS bad_rows
     FROM events WHERE received_at >= make_timestamp_ms($1::BIGINT)`,
    [sinceMs],
  );
  return {
    badRows: num(r.bad_rows),
    firstReceivedAt: numOrNull(r.first_at),
    lastReceivedAt: numOrNull(r.last_at),
  };
}

/** The latest bad rows, newest `received_at` first (limit 1..1000, default 50). */
async function recentBadRows(store: DuckDbStore, limit?: number): Promise<StoredBadRow[]> {
  const n = guard.intIn(limit, 'limit', 1, 1000, 50);
  const rows = await store.query(
    `SELECT * REPLACE (epoch_ms(received_at) AS received_at, epoch_ms(ingested_at) AS ingested_at)
     FROM bad_rows ORDER BY received_at DESC, ingested_at DESC, bad_row_id LIMIT $1`,
    [BigInt(n)],
  );
  return rows.map(toBadRow);
}

/** Bad rows per reason whose `received_at` ≥ `since`. */
async function badRowCounts(store: DuckDbStore, since: Date): Promise<Record<string, number>> {
  const sinceMs = guard.timeMs(since, 'since');
  const rows = await store.query(
    'SELECT reason, count(*) AS n FROM bad_rows WHERE received_at >= make_timestamp_ms($1::BIGINT) GROUP BY reason ORDER BY reason',
    [BigInt(sinceMs)],
  );
  return Object.fromEntries(rows.map((r) => [String(r.reason), num(r.n)]));
}

function toBadRow(r: QueryRow): StoredBadRow {
  return {
    ...(r as unknown as StoredBadRow),
    received_at: num(r.received_at),
    ingested_at: num(r.ingested_at),
    status: num(r.status),
    index: numOrNull(r.index),
  };
}
