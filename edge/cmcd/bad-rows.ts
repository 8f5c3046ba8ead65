/**
 * What the CMCD path keeps of what it refuses: one bad row per refused line (its text, or the
 * JSON-form item as JSON), and one RolloutRefusal per session the rollout switch refused.
 */
import { CMCD_SDK_NAME } from '../../schemas/cmcd.js';
import { LIMITS } from '../../schemas/limits.js';
import type { BadRow, RolloutRefusal } from '../../schemas/record.js';
import { cutCodePoints } from '../../schemas/storable.js';
import { formatRule } from '../rollout.js';
import { bodyBadRow, eventBadRow, type BadRowContext } from '../ingest/bad-rows.js';
import type { RefusedSession, RejectedLine } from './triage.js';

const encoder = new TextEncoder();

/** The bad row of one refused line, traced to its session and CMCD version when it has them. */
export function lineBadRow(ctx: BadRowContext, status: number, r: RejectedLine): BadRow {
  const lineCtx: BadRowContext = { ...ctx };
  if (r.sessionId !== undefined) lineCtx.sessionId = r.sessionId;
  if (r.sdkVersion !== undefined) lineCtx.sdkVersion = r.sdkVersion;
  if (r.line.form === 'json') return eventBadRow(lineCtx, status, { ...r, raw: r.line.value });
  const row = bodyBadRow(lineCtx, status, r.reason, r.detail, encoder.encode(r.line.text));
  row.index = r.index;
  if (r.event_id !== undefined) row.event_id = r.event_id;
  return row;
}

/**
 * The one refusal of a refused session. Refusals are stored once per `request_id`, so when a
 * request has several refused sessions each after the first gets `<request id>:<n>`.
 */
export function sessionRefusal(
  ctx: BadRowContext,
  schemaVersion: string,
  session: RefusedSession,
  n: number,
): RolloutRefusal {
  const { verdict } = session;
  const suffix = `:${n}`;
  const requestId =
    n === 0
      ? ctx.requestId
      : `${cutCodePoints(ctx.requestId, LIMITS.maxHeaderValueChars - suffix.length)}${suffix}`;
  const refusal: RolloutRefusal = {
    kind: 'rollout_refusal',
    received_at: ctx.receivedAt,
    request_id: requestId,
    status: 410,
    reason: verdict.reason,
    detail: verdict.detail,
    rule: formatRule(verdict.rule),
    schema_version: schemaVersion,
    sdk_name: CMCD_SDK_NAME,
    sdk_version: session.sdkVersion,
    session_id: session.sessionId,
    events: session.indexes.length,
  };
  if (ctx.pop) refusal.pop = ctx.pop;
  return refusal;
}
