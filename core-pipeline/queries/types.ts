/**
 * The read side as an interface: what the dashboard API asks a store. The DuckDB implementation
 * is in duckdb-queries.ts; a Timestream or InfluxDB version implements the same interface with the
 * same definitions (documented on each method) so dashboards do not change with the store.
 */
import type { EventType } from '../../schemas/index.js';
import type { StoredBadRow } from '../rows.js';

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
}
