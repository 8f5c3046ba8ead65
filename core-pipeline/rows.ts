/**
 * The flat row shapes every sink stores. One `EventRow` per accepted event: the envelope, geo and
 * edge context are copied onto each row (columnar stores compress the repetition away, and every
 * query stays a single-table scan), measures get typed columns, and `attrs` keeps the event's
 * fields that have no column (JSON; null when there are none, as for every field of schema 1-0-0),
 * so fields added by later schema versions are never lost.
 *
 * `EVENT_COLUMNS` describes the columns once, in table order, with a storage-neutral type and a
 * role; the DuckDB DDL is generated from it, and a Timestream/InfluxDB sink can use `role` to
 * split dimensions from measures.
 */
import type { BadRow, RolloutRefusal } from '../schemas/record.js';

/** How an event reached us: our SDK's beacon batch, or a player's own CMCD v2 event report. */
export const EVENT_SOURCES = ['sdk', 'cmcd'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Value type of a column, independent of any one database. */
export type ColumnType = 'varchar' | 'integer' | 'bigint' | 'double' | 'boolean' | 'timestamp_ms';

/** What a column is for: key, time, a low-cardinality dimension, a measure, or raw attributes. */
export type ColumnRole = 'key' | 'time' | 'dimension' | 'measure' | 'attrs';

/** One stored event. Times are ms since epoch; absent optional values are `null`. */
export interface EventRow {
  event_id: string;
  type: string;
  seq: number;
  /** Client clock at the event (ms). */
  ts: number;
  /** Event time on the server clock: ts + skew_ms. */
  time: number;
  playhead: number;
  /** Server receive time of the request (ms). */
  received_at: number;
  /** When the core pipeline turned the record into rows (ms). */
  ingested_at: number;
  skew_ms: number;
  record_version: number;
  schema_version: string;
  session_id: string;
  viewer_id: string | null;
  content_id: string;
  sdk_name: string;
  sdk_version: string;
  player_name: string | null;
  player_version: string | null;
  /**
   * How the event arrived: `sdk` (a beacon batch of our schema) or `cmcd` (a CMCD v2 event-mode
   * report a player sent on its own, mapped onto our events). Null only in rows stored before the
   * column existed, which were all `sdk`.
   */
  source: EventSource | null;
  /** Schema 1-1-0 and later: the session's key system (`none` for clear content). */
  drm_system: string | null;
  /** Schema 1-1-0 and later: BCP 47 tags of the audio track and the subtitles shown. */
  audio_language: string | null;
  subtitle_language: string | null;
  country: string | null;
  /** `CloudFront-Viewer-Country-Region` (ISO 3166-2 subdivision); named so it is not confused with AWS regions. */
  country_region: string | null;
  city: string | null;
  time_zone: string | null;
  asn: string | null;
  lat: number | null;
  lon: number | null;
  pop: string;
  edge_region: string;
  serving_region: string;
  stream_region: string;
  request_id: string;
  device: string;
  os: string | null;
  /** first_frame: requested → first frame (CTA-2066 initial startup time). */
  startup_ms: number | null;
  /** stall_end: that stall's duration. heartbeat/session_end: cumulative stall time. */
  stall_ms: number | null;
  bitrate: number | null;
  prev_bitrate: number | null;
  width: number | null;
  height: number | null;
  level: number | null;
  volume: number | null;
  muted: boolean | null;
  error_code: string | null;
  error_message: string | null;
  fatal: boolean | null;
  /** heartbeat/session_end: cumulative played time. */
  played_ms: number | null;
  /** heartbeat/session_end: cumulative stall count. */
  stall_count: number | null;
  dropped_frames: number | null;
  seek_ms: number | null;
  /** seeking: target position (s). The event field is `to`, a reserved word in SQL dialects. */
  seek_to: number | null;
  /** session_end reason. */
  reason: string | null;
  autoplay: boolean | null;
  /** variant_loaded/bitrate_changed (1-1-0 and later): frames per second of the rendition. */
  frame_rate: number | null;
  /** heartbeat (1-1-0 and later): the player's throughput estimate, kbps (CMCD mtp). */
  throughput_kbps: number | null;
  /** heartbeat (1-1-0 and later): forward buffer length, ms (CMCD bl). */
  buffer_ms: number | null;
  /** The event's fields without a column of their own, as a JSON object; null when there are none. */
  attrs: string | null;
}

/** A column of `EventRow` with its storage-neutral type and role. */
export interface ColumnSpec {
  name: keyof EventRow;
  type: ColumnType;
  role: ColumnRole;
  nullable: boolean;
}

const c = (
  name: keyof EventRow,
  type: ColumnType,
  role: ColumnRole,
  nullable = true,
): ColumnSpec => ({
  name,
  type,
  role,
  nullable,
});

/** Every column of the events table, in table order. */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
  c('event_id', 'varchar', 'key', false),
  c('type', 'varchar', 'dimension', false),
  c('seq', 'integer', 'measure', false),
  c('ts', 'bigint', 'measure', false),
  c('time', 'timestamp_ms', 'time', false),
  c('playhead', 'double', 'measure', false),
  c('received_at', 'timestamp_ms', 'measure', false),
  c('ingested_at', 'timestamp_ms', 'measure', false),
  c('skew_ms', 'bigint', 'measure', false),
  c('record_version', 'integer', 'dimension', false),
  c('schema_version', 'varchar', 'dimension', false),
  c('session_id', 'varchar', 'dimension', false),
  c('viewer_id', 'varchar', 'dimension'),
  c('content_id', 'varchar', 'dimension', false),
  c('sdk_name', 'varchar', 'dimension', false),
  c('sdk_version', 'varchar', 'dimension', false),
  c('player_name', 'varchar', 'dimension'),
  c('player_version', 'varchar', 'dimension'),
  c('source', 'varchar', 'dimension'),
  c('drm_system', 'varchar', 'dimension'),
  c('audio_language', 'varchar', 'dimension'),
  c('subtitle_language', 'varchar', 'dimension'),
  c('country', 'varchar', 'dimension'),
  c('country_region', 'varchar', 'dimension'),
  c('city', 'varchar', 'dimension'),
  c('time_zone', 'varchar', 'dimension'),
  c('asn', 'varchar', 'dimension'),
  c('lat', 'double', 'dimension'),
  c('lon', 'double', 'dimension'),
  c('pop', 'varchar', 'dimension', false),
  c('edge_region', 'varchar', 'dimension', false),
  c('serving_region', 'varchar', 'dimension', false),
  c('stream_region', 'varchar', 'dimension', false),
  c('request_id', 'varchar', 'dimension', false),
  c('device', 'varchar', 'dimension', false),
  c('os', 'varchar', 'dimension'),
  c('startup_ms', 'double', 'measure'),
  c('stall_ms', 'double', 'measure'),
  c('bitrate', 'bigint', 'measure'),
  c('prev_bitrate', 'bigint', 'measure'),
  c('width', 'integer', 'measure'),
  c('height', 'integer', 'measure'),
  c('level', 'integer', 'measure'),
  c('volume', 'double', 'measure'),
  c('muted', 'boolean', 'measure'),
  c('error_code', 'varchar', 'measure'),
  c('error_message', 'varchar', 'measure'),
  c('fatal', 'boolean', 'measure'),
  c('played_ms', 'double', 'measure'),
  c('stall_count', 'integer', 'measure'),
  c('dropped_frames', 'bigint', 'measure'),
  c('seek_ms', 'double', 'measure'),
  c('seek_to', 'double', 'measure'),
  c('reason', 'varchar', 'measure'),
  c('autoplay', 'boolean', 'measure'),
  c('frame_rate', 'double', 'measure'),
  c('throughput_kbps', 'bigint', 'measure'),
  c('buffer_ms', 'double', 'measure'),
  c('attrs', 'varchar', 'attrs'),
];

/**
 * A bad row as stored: the edge's `BadRow` fields plus a deterministic id (so re-delivered bad
 * rows are written once) and where it was found (`edge` = rejected at ingest, `core` = the core
 * pipeline could not read a record).
 */
export interface StoredBadRow {
  bad_row_id: string;
  source: 'edge' | 'core';
  received_at: number;
  ingested_at: number;
  request_id: string;
  status: number;
  reason: string;
  detail: string | null;
  index: number | null;
  session_id: string | null;
  event_id: string | null;
  schema_version: string | null;
  /** The refused body's SDK, when it had readable ones (edge bad rows of a parsed body). */
  sdk_name: string | null;
  sdk_version: string | null;
  pop: string | null;
  payload: string;
  payload_encoding: BadRow['payload_encoding'];
  payload_truncated: boolean;
}

/** A column of `StoredBadRow`. */
export interface BadRowColumnSpec {
  name: keyof StoredBadRow;
  type: ColumnType;
  nullable: boolean;
}

const b = (name: keyof StoredBadRow, type: ColumnType, nullable = true): BadRowColumnSpec => ({
  name,
  type,
  nullable,
});

/** Every column of the bad-rows table, in table order. */
export const BAD_ROW_COLUMNS: readonly BadRowColumnSpec[] = [
  b('bad_row_id', 'varchar', false),
  b('source', 'varchar', false),
  b('received_at', 'timestamp_ms', false),
  b('ingested_at', 'timestamp_ms', false),
  b('request_id', 'varchar', false),
  b('status', 'integer', false),
  b('reason', 'varchar', false),
  b('detail', 'varchar'),
  b('index', 'integer'),
  b('session_id', 'varchar'),
  b('event_id', 'varchar'),
  b('schema_version', 'varchar'),
  b('sdk_name', 'varchar'),
  b('sdk_version', 'varchar'),
  b('pop', 'varchar'),
  b('payload', 'varchar', false),
  b('payload_encoding', 'varchar', false),
  b('payload_truncated', 'boolean', false),
];

/**
 * A rollout refusal as stored: the edge's `RolloutRefusal` without its `kind`, plus when the core
 * stored it. One row per refused request (keyed on `request_id`, so a re-delivered refusal is
 * stored once); its events are counted, not kept.
 */
export interface StoredRefusal extends Omit<RolloutRefusal, 'kind' | 'pop' | 'reason'> {
  ingested_at: number;
  /** One of `ROLLOUT_REFUSAL_REASONS`, or a reason a newer edge added (kept as written). */
  reason: string;
  pop: string | null;
}

/** A column of `StoredRefusal`. */
export interface RefusalColumnSpec {
  name: keyof StoredRefusal;
  type: ColumnType;
  nullable: boolean;
}

const r = (name: keyof StoredRefusal, type: ColumnType, nullable = false): RefusalColumnSpec => ({
  name,
  type,
  nullable,
});

/** Every column of the rollout-refusals table, in table order. */
export const REFUSAL_COLUMNS: readonly RefusalColumnSpec[] = [
  r('request_id', 'varchar'),
  r('received_at', 'timestamp_ms'),
  r('ingested_at', 'timestamp_ms'),
  r('status', 'integer'),
  r('reason', 'varchar'),
  r('detail', 'varchar'),
  r('rule', 'varchar'),
  r('schema_version', 'varchar'),
  r('sdk_name', 'varchar'),
  r('sdk_version', 'varchar'),
  r('session_id', 'varchar'),
  r('events', 'integer'),
  r('pop', 'varchar', true),
];
