/**
 * Bad rows on the core side: reading the ones the edge sends, making new ones for records the
 * core cannot read, and giving each a deterministic id so a re-delivered bad row is stored once.
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../schemas/limits.js';
import { BAD_ROW_PAYLOAD_ENCODINGS, type BadRow } from '../schemas/record.js';
import { UnreadableRecordError } from './errors.js';
import type { StoredBadRow } from './rows.js';
import * as read from './values.js';

/** Largest payload kept in a bad row, as on the edge. */
const MAX_BAD_ROW_PAYLOAD = LIMITS.badRowPayloadBytes;

/**
 * HTTP status recorded on bad rows the core pipeline creates. 0 = "not an HTTP rejection": the
 * client was told its events were accepted; the core found the record unreadable afterwards.
 */
const CORE_BAD_ROW_STATUS = 0;

const ENCODINGS = BAD_ROW_PAYLOAD_ENCODINGS;

/**
 * Parses one record of the bad-row stream (Data = JSON BadRow). Its strings are repaired (unpaired
 * surrogates → U+FFFD) rather than refused, so a bad row keeps its own reason.
 * @throws UnreadableRecordError when the bytes are not a BadRow.
 */
export function parseBadRow(data: Uint8Array | string): BadRow {
  return parseBadRowObject(read.object(read.json(data), ''));
}

/**
 * {@link parseBadRow} of an already parsed object (the bad-rows stream's decoder parses once,
 * then reads a bad row or a rollout refusal by its `kind`).
 * @throws UnreadableRecordError when the object is not a BadRow.
 */
export function parseBadRowObject(o: Record<string, unknown>): BadRow {
  const encoding = o.payload_encoding;
  if (!ENCODINGS.includes(encoding as (typeof ENCODINGS)[number])) {
    throw new UnreadableRecordError('payload_encoding', `must be one of ${ENCODINGS.join(', ')}`);
  }
  const bad: BadRow = {
    received_at: read.timeMs(o.received_at, 'received_at'),
    request_id: read.repairedStr(o.request_id, 'request_id'),
    status: read.int32(o.status, 'status'),
    reason: read.repairedStr(o.reason, 'reason'),
    payload: read.repairedOptStr(o.payload, 'payload') ?? '',
    payload_encoding: encoding as BadRow['payload_encoding'],
  };
  // Optional fields only when present, so a parsed bad row equals what the edge sent.
  const detail = read.repairedOptStr(o.detail, 'detail');
  const index = o.index === undefined || o.index === null ? null : read.int32(o.index, 'index');
  const sessionId = read.repairedOptStr(o.session_id, 'session_id');
  const eventId = read.repairedOptStr(o.event_id, 'event_id');
  const schemaVersion = read.repairedOptStr(o.schema_version, 'schema_version');
  const sdkName = read.repairedOptStr(o.sdk_name, 'sdk_name');
  const sdkVersion = read.repairedOptStr(o.sdk_version, 'sdk_version');
  const pop = read.repairedOptStr(o.pop, 'pop');
  const truncated = read.optBool(o.payload_truncated, 'payload_truncated');
  if (detail !== null) bad.detail = detail;
  if (index !== null) bad.index = index;
  if (sessionId !== null) bad.session_id = sessionId;
  if (eventId !== null) bad.event_id = eventId;
  if (schemaVersion !== null) bad.schema_version = schemaVersion;
  if (sdkName !== null) bad.sdk_name = sdkName;
  if (sdkVersion !== null) bad.sdk_version = sdkVersion;
  if (pop !== null) bad.pop = pop;
  if (truncated !== null) bad.payload_truncated = truncated;
  return bad;
}

/**
 * Keeps raw record bytes as a bad-row payload: text when valid UTF-8 (json when it parses),
 * base64 otherwise; cut at MAX_BAD_ROW_PAYLOAD.
 */
function payloadOf(
  data: Uint8Array | string,
): Pick<BadRow, 'payload' | 'payload_encoding' | 'payload_truncated'> {
  const text = typeof data === 'string' ? data : utf8OrNull(data);
  if (text === null) {
    const bytes = data as Uint8Array;
    const cut = bytes.subarray(0, (MAX_BAD_ROW_PAYLOAD / 4) * 3);
    return {
      payload: Buffer.from(cut).toString('base64'),
      payload_encoding: 'base64',
      payload_truncated: cut.length < bytes.length,
    };
  }
  if (text.length <= MAX_BAD_ROW_PAYLOAD) {
    return {
      payload: text,
      payload_encoding: isJson(text) ? 'json' : 'text',
      payload_truncated: false,
    };
  }
  // Never cut a surrogate pair in half (the payload must stay well-formed text); a cut JSON
  // document is no longer JSON, so it is kept as text.
  const end = /[\uD800-\uDBFF]/.test(text[MAX_BAD_ROW_PAYLOAD - 1])
    ? MAX_BAD_ROW_PAYLOAD - 1
    : MAX_BAD_ROW_PAYLOAD;
  return { payload: text.slice(0, end), payload_encoding: 'text', payload_truncated: true };
}

function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Where a record came from, for the detail of a core-made bad row. */
export interface RecordOrigin {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  /** Server receive time if known, else the Kinesis arrival time (ms). */
  receivedAt: number;
}

/**
 * Makes the bad row for a record (or one event of it) the core could not read.
 * `request_id` is the edge's when the record got that far, else `kinesis:<stream>/<shard>/<seq>`
 * so the record can be found again.
 */
export function coreBadRow(
  err: Error & { reason?: string },
  origin: RecordOrigin,
  data: Uint8Array | string,
  extra: {
    requestId?: string;
    index?: number;
    sessionId?: string;
    eventId?: string;
    payload?: string;
  } = {},
): BadRow {
  const where = `${origin.stream}/${origin.shardId}/${origin.sequenceNumber}`;
  const bad: BadRow = {
    received_at: origin.receivedAt,
    request_id: extra.requestId ?? `kinesis:${where}`,
    status: CORE_BAD_ROW_STATUS,
    reason: err.reason ?? 'unreadable_record',
    detail: `${err.message} (kinesis ${where})`,
    ...(extra.payload !== undefined ? payloadOf(extra.payload) : payloadOf(data)),
  };
  if (extra.index !== undefined) bad.index = extra.index;
  if (extra.sessionId !== undefined) bad.session_id = extra.sessionId;
  if (extra.eventId !== undefined) bad.event_id = extra.eventId;
  return bad;
}

/**
 * The row a sink stores for a bad row. Its id hashes what identifies the refusal, so the same
 * refusal delivered or sent again is stored once and two different ones never share a row:
 * - A refused event with an event id is one row per session, event id, position in the batch,
 *   reason and payload, whichever request carried it (a retry resends the same batch, so the
 *   position is the same; two copies inside one batch are two refusals): a client that sends a batch again (its answer was lost, or the
 *   edge answered 503) leaves each refused event once, as its accepted events are stored once per
 *   event id. The row keeps the request id of the first attempt stored.
 * - Everything else is one row per request (request, index, reason, payload): a whole body has no
 *   identity but its request (empty or unreadable bodies from different clients are identical
 *   bytes, and the SDK stamps `sent_at` per attempt), and a `stream_unavailable` or
 *   `internal_error` row records one refused attempt. An event without an id, or whose payload
 *   was cut, cannot be told apart from another, so it stays per request too.
 */
export function toStoredBadRow(bad: BadRow, ingestedAt: number): StoredBadRow {
  return {
    bad_row_id: badRowId(bad),
    source: bad.status === CORE_BAD_ROW_STATUS ? 'core' : 'edge',
    received_at: bad.received_at,
    ingested_at: ingestedAt,
    request_id: bad.request_id,
    status: bad.status,
    reason: bad.reason,
    detail: bad.detail ?? null,
    index: bad.index ?? null,
    session_id: bad.session_id ?? null,
    event_id: bad.event_id ?? null,
    schema_version: bad.schema_version ?? null,
    sdk_name: bad.sdk_name ?? null,
    sdk_version: bad.sdk_version ?? null,
    pop: bad.pop ?? null,
    payload: bad.payload,
    payload_encoding: bad.payload_encoding,
    payload_truncated: bad.payload_truncated ?? false,
  };
}

/** The deterministic id of a bad row (see toStoredBadRow for what identifies a refusal). */
function badRowId(bad: BadRow): string {
  const sameEvent = bad.event_id !== undefined && bad.payload_truncated !== true;
  const key = JSON.stringify(
    sameEvent
      ? ['event', bad.session_id ?? null, bad.event_id, bad.index ?? null, bad.reason, bad.payload]
      : [bad.request_id, bad.index ?? null, bad.reason, bad.event_id ?? null, bad.payload],
  );
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}
