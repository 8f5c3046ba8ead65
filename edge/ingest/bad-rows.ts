/**
 * Builders of BadRow values (schemas/record.ts): every rejection is kept with its reason so that
 * nothing a client sent is silently dropped. Payloads are cut to LIMITS.badRowPayloadBytes.
 */
import type { BadRow } from '../../schemas/record.js';
import { decodeUtf8 } from './request-gate.js';
import { LIMITS } from '../../schemas/limits.js';
import { toWellFormed } from '../../schemas/storable.js';
import type { RejectedEvent } from './validate.js';

/** Facts shared by every bad row of one request. */
export interface BadRowContext {
  receivedAt: number;
  requestId: string;
  pop: string;
  sessionId?: string;
  schemaVersion?: string;
}

const encoder = new TextEncoder();

/** A row for a whole rejected body: its text, or base64 when it is not valid UTF-8. */
export function bodyBadRow(
  ctx: BadRowContext,
  status: number,
  reason: string,
  detail: string,
  body: Uint8Array | null,
): BadRow {
  const bytes = body ?? new Uint8Array(0);
  const truncated = bytes.byteLength > LIMITS.badRowPayloadBytes;
  const cut = truncated ? bytes.subarray(0, utf8Boundary(bytes, LIMITS.badRowPayloadBytes)) : bytes;
  const text = decodeUtf8(cut);
  const row: BadRow = {
    ...common(ctx),
    status,
    reason,
    detail: toWellFormed(detail),
    payload: text ?? Buffer.from(cut.buffer, cut.byteOffset, cut.byteLength).toString('base64'),
    payload_encoding: text === undefined ? 'base64' : 'text',
  };
  if (truncated) row.payload_truncated = true;
  return row;
}

/** A row for one rejected event: the event as the client sent it, as JSON. */
export function eventBadRow(ctx: BadRowContext, status: number, rejection: RejectedEvent): BadRow {
  let payload = JSON.stringify(rejection.raw) ?? 'null';
  let truncated = false;
  const bytes = encoder.encode(payload);
  if (bytes.byteLength > LIMITS.badRowPayloadBytes) {
    payload = new TextDecoder().decode(
      bytes.subarray(0, utf8Boundary(bytes, LIMITS.badRowPayloadBytes)),
    );
    truncated = true;
  }
  const row: BadRow = {
    ...common(ctx),
    status,
    reason: rejection.reason,
    detail: toWellFormed(rejection.detail),
    index: rejection.index,
    payload,
    payload_encoding: 'json',
  };
  if (rejection.event_id !== undefined) row.event_id = rejection.event_id;
  if (truncated) row.payload_truncated = true;
  return row;
}

/**
 * Session id and schema version of a parsed body, when they look sane, so bad rows can be
 * traced to a session even when the envelope is invalid. Unpaired surrogates become U+FFFD: the
 * bad row must be storable whatever the client sent.
 */
export function traceFields(value: unknown): { sessionId?: string; schemaVersion?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  const out: { sessionId?: string; schemaVersion?: string } = {};
  const sid = Object.hasOwn(o, 'session_id') ? o.session_id : undefined;
  if (typeof sid === 'string' && sid.length > 0 && sid.length <= 128)
    out.sessionId = toWellFormed(sid);
  const sv = Object.hasOwn(o, 'schema_version') ? o.schema_version : undefined;
  if (typeof sv === 'string' && sv.length > 0 && sv.length <= 32)
    out.schemaVersion = toWellFormed(sv);
  return out;
}

function common(
  ctx: BadRowContext,
): Pick<BadRow, 'received_at' | 'request_id' | 'pop' | 'session_id' | 'schema_version'> {
  const row: Pick<BadRow, 'received_at' | 'request_id' | 'pop' | 'session_id' | 'schema_version'> =
    {
      received_at: ctx.receivedAt,
      request_id: ctx.requestId,
      pop: ctx.pop,
    };
  if (ctx.sessionId !== undefined) row.session_id = ctx.sessionId;
  if (ctx.schemaVersion !== undefined) row.schema_version = ctx.schemaVersion;
  return row;
}

/** Largest cut ≤ max that does not split a UTF-8 sequence (continuation bytes are 10xxxxxx). */
function utf8Boundary(bytes: Uint8Array, max: number): number {
  let end = Math.min(max, bytes.byteLength);
  while (end > 0 && end < bytes.byteLength && (bytes[end] & 0xc0) === 0x80) end--;
  return end;
}
