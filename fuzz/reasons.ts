/**
 * The documented reasons, as values: the edge's `BodyReason` and `EventReason` unions of
 * edge/ingest/types.ts. The type checks below fail to compile when a union gains or loses a member
 * that these lists do not, so "documented" means exactly what the edge's types say.
 */
import type { BodyReason, EventReason } from '../edge/ingest/types.js';

/** Whole-request reasons (the `error` of a 4xx/5xx body and the reason of its bad row). */
const BODY_REASONS = [
  'not_found',
  'method_not_allowed',
  'origin_not_allowed',
  'unsupported_media_type',
  'body_too_large',
  'body_truncated',
  'too_many_events',
  'empty_body',
  'invalid_utf8',
  'invalid_json',
  'too_deep',
  'invalid_envelope',
  'unknown_schema_version',
  'no_valid_events',
  'schema_retired',
  'sdk_retired',
  'session_not_sampled',
  'stream_unavailable',
  'internal_error',
] as const satisfies readonly BodyReason[];

/** Per-event reasons (the `rejected` list of a 200 or a 400 no_valid_events). */
const EVENT_REASONS = [
  'invalid_event',
  'duplicate_event_id',
  'timestamp_out_of_range',
  // CMCD lines (edge/cmcd/), and a line of a session the rollout refused beside accepted ones.
  'invalid_cmcd',
  'line_too_long',
  'invalid_report',
  'missing_session',
  'duplicate_report',
  'schema_retired',
  'sdk_retired',
  'session_not_sampled',
] as const satisfies readonly EventReason[];

type Exhaustive<Union, Listed> = [Union] extends [Listed] ? true : never;
const bodyListed: Exhaustive<BodyReason, (typeof BODY_REASONS)[number]> = true;
const eventListed: Exhaustive<EventReason, (typeof EVENT_REASONS)[number]> = true;
void bodyListed;
void eventListed;

/** True for a reason the edge documents for whole requests. */
export function isBodyReason(r: unknown): boolean {
  return (BODY_REASONS as readonly unknown[]).includes(r);
}

/** True for a reason the edge documents for single events. */
export function isEventReason(r: unknown): boolean {
  return (EVENT_REASONS as readonly unknown[]).includes(r);
}
