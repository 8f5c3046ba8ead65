/**
 * Rollout refusals on the core side: the rows a sink stores for the requests the edge's rollout
 * switch refused. They travel on the bad-rows stream but are not bad rows (a decision, not bad
 * data), so they have their own table, keyed on the refused request.
 */
import type { RolloutRefusal } from '../schemas/record.js';
import type { StoredRefusal } from './rows.js';

/**
 * The row a sink stores for a refusal: every field as the edge wrote it (`pop` null when absent),
 * stamped with when the core stored it. Keyed on `request_id`: a re-delivered refusal is the
 * same row.
 */
export function toStoredRefusal(refusal: RolloutRefusal, ingestedAt: number): StoredRefusal {
  return {
    request_id: refusal.request_id,
    received_at: refusal.received_at,
    ingested_at: ingestedAt,
    status: refusal.status,
    reason: refusal.reason,
    detail: refusal.detail,
    rule: refusal.rule,
    schema_version: refusal.schema_version,
    sdk_name: refusal.sdk_name,
    sdk_version: refusal.sdk_version,
    session_id: refusal.session_id,
    events: refusal.events,
    pop: refusal.pop ?? null,
  };
}
