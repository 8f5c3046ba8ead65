/**
 * The contract between the edge and the core pipeline: what one Kinesis record holds.
 * The edge writes one record per accepted request (partition key = session id); the
 * core pipeline flattens it into rows. Bump RECORD_VERSION on any incompatible change and keep
 * the core able to read every version still in a stream (24 h retention by default).
 */
import type { WireEvent } from './events.js';

export const RECORD_VERSION = 1;

/** Geo fields from CloudFront-Viewer-* headers. Coordinates are rounded; no IP is ever kept. */
export interface GeoContext {
  country?: string;
  region?: string;
  city?: string;
  time_zone?: string;
  asn?: string;
  /** Rounded to 1 decimal (~11 km) so a viewer cannot be located. */
  lat?: number;
  lon?: number;
}

/** Where the request entered the CDN and where it was processed. */
export interface EdgeContext {
  /** CloudFront edge location as the viewer-request function saw it (e.g. `FRA56-C1` or `FRA`). */
  pop: string;
  /** AWS region CloudFront associates with that edge location (`cf.edgeLocation.region`). */
  edge_region: string;
  /** Region where the origin-request handler ran (regional edge cache). */
  serving_region: string;
  /** Region of the Kinesis stream the record was written to. */
  stream_region: string;
  /** CloudFront request id (`Records[0].cf.config.requestId`). */
  request_id: string;
  /** Device class from CloudFront-Is-*-Viewer headers. */
  device: 'desktop' | 'mobile' | 'tablet' | 'smarttv' | 'unknown';
  /** `android` / `ios` when CloudFront says so. */
  os?: 'android' | 'ios';
}

/**
 * An accepted event as the record carries it: what the client sent, as the schema of the record's
 * `schema_version` allowed it (2-0-0 names included: the core upcasts, schemas/upcast.ts).
 * Its time on the server clock is `ts + skew_ms` of the record; readers compute it (the core
 * pipeline's `time` column) rather than the edge repeating it in every event of every record.
 */
export type EnrichedEvent = WireEvent & {
  /** Server-clock time, if a producer sets it (the edge does not); otherwise ts + skew_ms. */
  time?: number;
};

/** One Kinesis record: an accepted (part of a) batch, enriched once. */
export interface EnrichedRecord {
  record_version: typeof RECORD_VERSION;
  schema_version: string;
  /** Server receive time (ms since epoch), stamped by the viewer-request function. */
  received_at: number;
  /** received_at - sent_at: how far the client clock was behind (positive) or ahead. */
  skew_ms: number;
  session_id: string;
  viewer_id?: string;
  content_id: string;
  sdk_name: string;
  sdk_version: string;
  player_name?: string;
  player_version?: string;
  /** Schema 1-1-0 and later: the session's key system, audio and subtitle languages (BCP 47). */
  drm_system?: string;
  audio_language?: string;
  subtitle_language?: string;
  geo: GeoContext;
  edge: EdgeContext;
  events: EnrichedEvent[];
}

/** How a bad row's payload is written: the event as JSON, UTF-8 text, or base64 bytes. */
export const BAD_ROW_PAYLOAD_ENCODINGS = ['json', 'text', 'base64'] as const;

/** A rejected event or body, kept with its reason (Firehose on AWS, a table locally). */
export interface BadRow {
  /** Server receive time, ms since epoch. */
  received_at: number;
  request_id: string;
  /** HTTP status the client got. */
  status: number;
  /** Machine-readable reason code, e.g. `invalid_json`, `invalid_event`. */
  reason: string;
  /** Human-readable detail (validator message, limit, ...). */
  detail?: string;
  /** Index in the batch for event-level rejections. */
  index?: number;
  session_id?: string;
  event_id?: string;
  schema_version?: string;
  /** The body's `sdk_name` / `sdk_version` when it had readable ones, so bad rows count per SDK release. */
  sdk_name?: string;
  sdk_version?: string;
  pop?: string;
  /** The offending payload: the event as JSON, or the body (base64 if not valid UTF-8), cut at `LIMITS.badRowPayloadBytes`. */
  payload: string;
  payload_encoding: (typeof BAD_ROW_PAYLOAD_ENCODINGS)[number];
  payload_truncated?: boolean;
}

/** Why the rollout switch refused a request (edge/rollout.ts decides; answered 410 Gone). */
export const ROLLOUT_REFUSAL_REASONS = [
  'schema_retired',
  'sdk_retired',
  'session_not_sampled',
] as const;
export type RolloutRefusalReason = (typeof ROLLOUT_REFUSAL_REASONS)[number];

/**
 * A request the rollout switch refused: a decision, not bad data, so it is not a bad row and its
 * events are not kept. One per refused request, written where bad rows go (the bad-rows stream)
 * and stored apart from them (`rollout_refusals`), so refusals are counted per schema and SDK
 * version. Idempotent on `request_id`.
 */
export interface RolloutRefusal {
  kind: 'rollout_refusal';
  /** Server receive time, ms since epoch. */
  received_at: number;
  request_id: string;
  /** Always 410 today; kept so a later decision with another status needs no format change. */
  status: number;
  reason: RolloutRefusalReason;
  /** What the client was told, e.g. `schema_version 1-0-0 is retired; send 2-0-0`. */
  detail: string;
  /** The rule that decided, as `beacons rollout list` prints it, e.g. `1-0-0:retired`. */
  rule: string;
  schema_version: string;
  sdk_name: string;
  sdk_version: string;
  session_id: string;
  /** Events in the refused batch (not kept). */
  events: number;
  pop?: string;
}

/** What the edge writes to the bad-rows stream: a bad row, or a rollout refusal (`kind`). */
export type RefusalRecord = BadRow | RolloutRefusal;
