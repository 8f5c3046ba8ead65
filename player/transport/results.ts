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
