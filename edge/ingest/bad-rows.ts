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
  sdkName?: string;
  sdkVersion?: string;
}

/** What {@link traceFields} reads from a body. */
export interface TraceFields {
  sessionId?: string;
  schemaVersion?: string;
  sdkName?: string;
  sdkVersion?: string;
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
 * Session id, schema version and SDK release of a parsed body, when they look sane, so bad rows
 * can be traced to a session and counted per SDK release even when the envelope is invalid.
 * Unpaired surrogates become U+FFFD: the bad row must be storable whatever the client sent.
 */
export function traceFields(value: unknown): TraceFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  const out: TraceFields = {};
  const sessionId = text(o, 'session_id', 128);
  if (sessionId !== undefined) out.sessionId = sessionId;
  const schemaVersion = text(o, 'schema_version', 32);
  if (schemaVersion !== undefined) out.schemaVersion = schemaVersion;
  const sdkName = text(o, 'sdk_name', LIMITS.maxLength.sdk_name);
  if (sdkName !== undefined) out.sdkName = sdkName;
  const sdkVersion = text(o, 'sdk_version', LIMITS.maxLength.sdk_version);
  if (sdkVersion !== undefined) out.sdkVersion = sdkVersion;
  return out;
}

/** A non-empty string field of at most `max` UTF-16 units, repaired; else undefined. */
function text(o: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  return typeof v === 'string' && v.length > 0 && v.length <= max ? toWellFormed(v) : undefined;
}

type Common = Pick<
  BadRow,
  | 'received_at'
  | 'request_id'
  | 'pop'
  | 'session_id'
  | 'schema_version'
  | 'sdk_name'
  | 'sdk_version'
>;

function common(ctx: BadRowContext): Common {
  const row: Common = { received_at: ctx.receivedAt, request_id: ctx.requestId, pop: ctx.pop };
  if (ctx.sessionId !== undefined) row.session_id = ctx.sessionId;
  if (ctx.schemaVersion !== undefined) row.schema_version = ctx.schemaVersion;
  if (ctx.sdkName !== undefined) row.sdk_name = ctx.sdkName;
  if (ctx.sdkVersion !== undefined) row.sdk_version = ctx.sdkVersion;
  return row;
}

/** Largest cut ≤ max that does not split a UTF-8 sequence (continuation bytes are 10xxxxxx). */
function utf8Boundary(bytes: Uint8Array, max: number): number {
  let end = Math.min(max, bytes.byteLength);
  while (end > 0 && end < bytes.byteLength && (bytes[end] & 0xc0) === 0x80) end--;
  return end;
}
