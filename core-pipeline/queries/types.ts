/**
 * The read side as an interface: what the dashboard API asks a store. The DuckDB implementation
 * is in duckdb-queries.ts; a Timestream or InfluxDB version implements the same interface with the
 * same definitions (documented on each method) so dashboards do not change with the store.
 */
import type { EventType } from '../../schemas/index.js';
import type { StoredBadRow } from '../rows.js';
import type { QoeAggregate, RollupDimension, RollupFilters } from '../rollups/aggregate.js';

/** Dimensions a breakdown or QoE filter may use (an allow-list: they become column names). */
export const DIMENSIONS = [
  'pop',
  'country',
  'asn',
  'serving_region',
  'edge_region',
  'device',
  'content_id',
  'player_name',
] as const;
/** One of DIMENSIONS. */
export type Dimension = (typeof DIMENSIONS)[number];

/** Equality filters on dimensions, e.g. `{ country: 'DE', device: 'mobile' }`. */
export type DimensionFilters = Partial<Record<Dimension, string>>;

/** `[bucketStart (ms since epoch), count]`. */
export type TimeseriesPoint = [number, number];

/** Input of `timeseries`. */
export interface TimeseriesInput {
  /** Event types to chart; each must be in EVENT_TYPES. */
  types: readonly EventType[];
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Bucket width in whole seconds, 1..86400; buckets align to multiples of it since the epoch. */
  bucketSeconds: number;
  /**
   * Rollup-dimension filters (raw events only: the per-minute type counts have no slices). A
   * missing value matches as in the rollups ('' for most, 'sdk' for source).
   */
  filters?: RollupFilters;
}

/** Per-type counts per bucket. */
export interface TimeseriesResult {
  bucketSeconds: number;
  /** Every bucket start in [from aligned down, to), so every series has the same length. */
  series: Partial<Record<EventType, TimeseriesPoint[]>>;
}

/** Window totals (see `totals`). */
export interface Totals {
  events: number;
  sessions: number;
  viewers: number;
  contents: number;
  badRows: number;
  /** ms since epoch, or null when nothing was received in the window. */
  firstReceivedAt: number | null;
  lastReceivedAt: number | null;
}

/** One bar of the startup-time histogram: [fromMs, toMs) — `toMs` null for the open last bar. */
export interface StartupBucket {
  fromMs: number;
  toMs: number | null;
  sessions: number;
}

/** Quality of experience over a window (CTA-2066 measures; definitions on `EventQueries.qoe`). */
export interface QoeSummary {
  sessions: number;
  plays: number;
  startFailures: number;
  startFailureRate: number | null;
  exitsBeforeStart: number;
  exitBeforeStartRate: number | null;
  playbackFailures: number;
  errorRate: number | null;
  nonFatalErrors: number;
  startup: {
    sessions: number;
    p50Ms: number | null;
    p90Ms: number | null;
    p95Ms: number | null;
    histogram: StartupBucket[];
  };
  stalls: {
    sessionsWithCounters: number;
    stallCount: number;
    stallMs: number;
    playedMs: number;
    /** 100 × Σ stall_ms / Σ played_ms, or null when Σ played_ms is 0. */
    stalledPct: number | null;
  };
  bitrate: {
    averageBps: number | null;
    method: 'heartbeat_time_weighted' | 'bitrate_changed_mean' | 'none';
  };
}

/** One slice of a breakdown. */
export interface BreakdownRow {
  /** The dimension's value; `(unknown)` when the events did not carry it. */
  value: string;
  sessions: number;
  plays: number;
  startFailures: number;
  exitsBeforeStart: number;
  startupP95Ms: number | null;
  stalledPct: number | null;
  /** Sessions that failed to start, exited before start, or stalled at least once. */
  impactedSessions: number;
  /**
   * Impacted sessions beyond what the window's overall impacted rate predicts for a slice of this
   * size (impacted − sessions × overall rate; negative when the slice does better than the rest).
   * Rows are ranked by it: a big slice with a normal rate is not a problem, and a one-session
   * slice can add at most one.
   */
  excessImpacted: number;
}

/** Input of `breakdown`. */
export interface BreakdownInput {
  dimension: Dimension;
  since: Date;
  /** 1..100, default 20. */
  limit?: number;
}

/**
 * The read-side queries every store offers. The definitions (window, session, play, percentile
 * method, each QoE measure) are documented on the DuckDB functions in duckdb-queries.ts and bind
 * every implementation. Invalid input rejects with InvalidQueryError.
 */
export interface EventQueries {
  /** FIXED CONTRACT of `GET /api/v1/counts`: every EVENT_TYPES key, events with received_at ≥ since. */
  countsSince(since: Date): Promise<Record<EventType, number>>;
  /** Zero-filled per-type counts per bucket of event time. */
  timeseries(input: TimeseriesInput): Promise<TimeseriesResult>;
  totals(input: { since: Date }): Promise<Totals>;
  /** CTA-2066 measures over the window, optionally filtered on dimensions. */
  qoe(input: { since: Date } & DimensionFilters): Promise<QoeSummary>;
  /** Per-slice QoE, the slice that hurts most first. */
  breakdown(input: BreakdownInput): Promise<BreakdownRow[]>;
  /** Newest bad rows first. */
  recentBadRows(limit?: number): Promise<StoredBadRow[]>;
  /** Bad rows per reason with received_at ≥ since. */
  badRowCounts(since: Date): Promise<Record<string, number>>;
  /** Bad rows, and the first and last event receive times, with received_at ≥ since. */
  receivedSince(since: Date): Promise<ReceivedSummary>;
}

/** Input of `RollupQueries.aggregateBy`. */
export interface AggregateByInput {
  /** Window start, rounded down to its minute. */
  from: Date;
  /** Window end (exclusive), rounded up to a minute. */
  to: Date;
  /** Group by this dimension; null for the window's total only. */
  dimension: RollupDimension | null;
  filters?: RollupFilters;
}

/** The window's aggregate, and one per value of the dimension (every value, unsorted). */
export interface AggregateByResult {
  fromMs: number;
  toMs: number;
  total: QoeAggregate;
  slices: { value: string; agg: QoeAggregate }[];
}

/** Input of `RollupQueries.aggregateSeries`. */
export interface AggregateSeriesInput {
  from: Date;
  to: Date;
  /** A multiple of 60 (rollups are per minute). */
  bucketSeconds: number;
  filters?: RollupFilters;
}

/** One aggregate per bucket, every bucket of [from, to) present (empty aggregates where nothing). */
export interface AggregateSeriesResult {
  bucketSeconds: number;
  points: { t: number; agg: QoeAggregate }[];
}

/**
 * The read side of the 1-minute rollups (core-pipeline/rollups/). Windows are whole minutes of
 * event time. Every answer is a sum of stored rollup rows; no raw event is read.
 */
export interface RollupQueries {
  aggregateBy(input: AggregateByInput): Promise<AggregateByResult>;
  /**
   * `aggregateBy` for several dimensions over one window at once (same answers, one per
   * dimension in order); optional: a store that reads each window once answers faster.
   */
  aggregateByEach?(input: {
    from: Date;
    to: Date;
    dimensions: readonly RollupDimension[];
    filters?: RollupFilters;
  }): Promise<AggregateByResult[]>;
  aggregateSeries(input: AggregateSeriesInput): Promise<AggregateSeriesResult>;
}

/**
 * Event counts from the rollups' per-minute type counts (`type_counts_1m`): event time, whole
 * minutes. Invalid input rejects with InvalidQueryError.
 */
export interface TypeCountQueries {
  /** As `EventQueries.timeseries`, for buckets of whole minutes (bucketSeconds a multiple of 60). */
  typeSeries(input: TimeseriesInput): Promise<TimeseriesResult>;
  /** Every EVENT_TYPES key: events with event time in [from, to) rounded out to whole minutes. */
  typeTotals(input: { from: Date; to: Date }): Promise<Record<EventType, number>>;
}

/** What `EventQueries.receivedSince` reports: cheap facts of the raw rows received in a window. */
export interface ReceivedSummary {
  badRows: number;
  /** ms since epoch, or null when no event was received in the window. */
  firstReceivedAt: number | null;
  lastReceivedAt: number | null;
}

/** Where a session was served from and what played it (its lowest-seq event's values). */
export interface SessionPlace {
  pop: string;
  serving_region: string;
  edge_region: string;
  country: string | null;
  country_region: string | null;
  asn: string | null;
  device: string;
  player_name: string | null;
  player_version: string | null;
  sdk_name: string;
  sdk_version: string;
  schema_version: string;
  /** How the session's events arrived: `sdk` (our beacons) or `cmcd` (the player's CMCD reports). */
  source: string;
}

/** One session in a list: identity, place, times and its QoE numbers. */
export interface SessionSummary {
  sessionId: string;
  viewerId: string | null;
  contentId: string;
  place: SessionPlace;
  /** Event time (ms) of the session's first and last stored events. */
  firstAt: number;
  lastAt: number;
  events: number;
  /** How the session went, by the QoE definitions (docs/METRICS.md). */
  outcome:
    | 'playing'
    | 'ended'
    | 'start_failure'
    | 'playback_failure'
    | 'exit_before_start'
    | 'starting';
  startupMs: number | null;
  playedMs: number | null;
  stallMs: number | null;
  stallCount: number | null;
  /** stall / (played + stall), from the latest counters. */
  rebufferRatio: number | null;
  /** The latest heartbeat's time-weighted average bitrate. */
  averageBitrateBps: number | null;
}

/** One event on a session's timeline. */
export interface SessionTimelineEvent {
  /** ms since playback began (the session's `requested` event, else its first event). */
  t: number;
  /** Event time, ms since epoch. */
  time: number;
  receivedAt: number;
  type: string;
  seq: number;
  playhead: number;
  eventId: string;
  /** The event's measures that are set (startup_ms, stall_ms, bitrate, error_code, ...). */
  fields: Record<string, string | number | boolean>;
}

/** `GET /api/v1/sessions/<id>`: the session, its timeline and its bad rows. */
export interface SessionDetail extends SessionSummary {
  /** Event time (ms) the timeline's t = 0 stands for. */
  startedAt: number;
  timeline: SessionTimelineEvent[];
  badRows: StoredBadRow[];
}

/** Input of `SessionQueries.recentSessions`. */
export interface RecentSessionsInput {
  since: Date;
  filters?: RollupFilters;
  /** Only sessions with this outcome. */
  outcome?: SessionSummary['outcome'];
  /** 1..200, default 50. */
  limit?: number;
}

/** The session explorer's reads (raw events of one session, or recent sessions of a slice). */
export interface SessionQueries {
  /** Null when no event of the session is stored. */
  session(sessionId: string): Promise<SessionDetail | null>;
  /** Most recently active first. */
  recentSessions(input: RecentSessionsInput): Promise<SessionSummary[]>;
}
