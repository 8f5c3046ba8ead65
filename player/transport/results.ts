/**
 * What the transport reports after each delivery attempt, through the `onBatchSent` option: the
 * batch, how it went out, what the edge answered and which events it refused.
 */
import type { BeaconBatch } from '../../schemas/index.js';

/** One event the edge refused inside a 200 answer. */
export interface RejectedEvent {
  index: number;
  event_id?: string;
  reason: string;
  detail?: string;
}

/** What happened to one batch; passed to `onBatchSent` after every delivery attempt. */
export interface BatchResult {
  batch: BeaconBatch;
  /** `fetch` (keepalive) or `beacon` (sendBeacon while the page is hidden or closing). */
  via: 'fetch' | 'beacon';
  /** HTTP status; 0 for a network failure or a beacon (whose answer a page never sees). */
  status: number;
  /** sent: delivered (or queued by sendBeacon); retry: kept for a later attempt; dropped: discarded (non-retryable); stopped: 410, the session is silenced. */
  outcome: 'sent' | 'retry' | 'dropped' | 'stopped';
  /** Events the edge refused (200 with a `rejected` list, or 400 no_valid_events). */
  rejected: RejectedEvent[];
}

/**
 * The edge said the schema version or SDK release this page sends is deprecated (`Deprecation`
 * header, RFC 9745, and `Sunset`, RFC 8594): still accepted, to be retired at the sunset.
 */
export interface DeprecationNotice {
  /** The batch's declared schema version and `sdk_name@sdk_version`: the notice is about one of them. */
  schemaVersion: string;
  sdk: string;
  /** The `Deprecation` header as sent (`@<unix seconds>`). */
  deprecation: string;
  /** The `Sunset` header as sent (an HTTP-date), when present. */
  sunset?: string;
  /** When it was deprecated, ms since epoch; absent when the header is not a date. */
  deprecatedAt?: number;
  /** When it will be retired, ms since epoch; absent without a valid `Sunset`. */
  sunsetAt?: number;
}

/** Why the edge stopped a session: its 410 answer (`{"error", "detail", "upgrade"}`). */
export interface StopReason {
  sessionId: string;
  /** HTTP status (410). */
  status: number;
  /** `schema_retired`, `sdk_retired`, `session_not_sampled`, or what the edge named. */
  error: string;
  detail?: string;
  /** What to send instead (a schema version or SDK version), when the edge named one. */
  upgrade?: string;
  /** `tracker` when every later session stops too (a retired version or release), else `session`. */
  scope: 'session' | 'tracker';
}
