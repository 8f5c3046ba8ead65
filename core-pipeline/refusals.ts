/**
 * Rollout refusals on the core side: reading the ones the edge writes to the bad-rows stream and
 * the rows a sink stores for them. They travel with bad rows but are not bad rows (a decision,
 * not bad data), so they have their own table, keyed on the refused request: a re-delivered
 * refusal is stored once.
 */
import { LIMITS } from '../schemas/limits.js';
import type { RolloutRefusal } from '../schemas/record.js';
import { cutCodePoints } from '../schemas/storable.js';
import { UnreadableRecordError } from './errors.js';
import type { StoredRefusal } from './rows.js';
import * as read from './values.js';

/** The `kind` that marks a rollout refusal on the bad-rows stream (a bad row has none). */
export const REFUSAL_KIND: RolloutRefusal['kind'] = 'rollout_refusal';

/**
 * Longest value kept per text field, in code points. The edge writes values it has validated
 * (the envelope's) or made (detail, rule); the caps are a backstop so that no record on the
 * stream makes a row of any size. A longer value is cut on a whole code point, not refused.
 */
const MAX = {
  request_id: LIMITS.maxHeaderValueChars,
  reason: LIMITS.maxNameLength,
  detail: 1024,
  rule: 512,
  schema_version: LIMITS.maxNameLength,
  sdk_name: LIMITS.maxLength.sdk_name,
  sdk_version: LIMITS.maxLength.sdk_version,
  session_id: LIMITS.maxIdLength,
  pop: LIMITS.maxHeaderValueChars,
} as const;

const text = (o: Record<string, unknown>, field: keyof typeof MAX): string =>
  cutCodePoints(read.repairedStr(o[field], field), MAX[field]);

/**
 * Reads a rollout refusal from a parsed bad-rows-stream object whose `kind` is
 * `rollout_refusal`. Strings are repaired (unpaired surrogates → U+FFFD) and cut to their caps;
 * a reason this build does not know is kept (a newer edge may add one).
 * @throws UnreadableRecordError when a field is missing or of the wrong type.
 */
export function parseRefusal(o: Record<string, unknown>): RolloutRefusal {
  if (o.kind !== REFUSAL_KIND) throw new UnreadableRecordError('kind', `must be ${REFUSAL_KIND}`);
  const events = read.int32(o.events, 'events');
  if (events < 0) throw new UnreadableRecordError('events', 'must not be negative');
  const refusal: RolloutRefusal = {
    kind: REFUSAL_KIND,
    received_at: read.timeMs(o.received_at, 'received_at'),
    request_id: text(o, 'request_id'),
    status: read.int32(o.status, 'status'),
    reason: text(o, 'reason') as RolloutRefusal['reason'],
    detail: text(o, 'detail'),
    rule: text(o, 'rule'),
    schema_version: text(o, 'schema_version'),
    sdk_name: text(o, 'sdk_name'),
    sdk_version: text(o, 'sdk_version'),
    session_id: text(o, 'session_id'),
    events,
  };
  const pop = read.repairedOptStr(o.pop, 'pop');
  if (pop !== null) refusal.pop = cutCodePoints(pop, MAX.pop);
  return refusal;
}

/**
 * The row a sink stores for a refusal: every field as read (`pop` null when absent), stamped
 * with when the core stored it. Keyed on `request_id`: a re-delivered refusal is the same row.
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
