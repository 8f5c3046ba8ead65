/**
 * The bad row a sink stores in place of a row the store itself refuses for good (InfluxDB
 * answering 400/413/422 for that one line: a field whose type an earlier write fixed otherwise, a
 * point outside the retention policy, a line over the body limit). The product's promise holds:
 * the event is not lost silently, it lands once as a bad row with reason `store_rejected` and the
 * row as its payload.
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../../schemas/limits.js';
import { cutCodePoints } from '../../schemas/storable.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../rows.js';

/** Reason of a row the store refused. */
const STORE_REJECTED = 'store_rejected';

/** Longest store message kept in `detail`. */
const MAX_DETAIL = 500;

/** A row the store refused, and what it answered. */
export type Refused =
  | { kind: 'event'; row: EventRow; status: number; message: string }
  | { kind: 'bad_row'; row: StoredBadRow; status: number; message: string }
  | { kind: 'refusal'; row: StoredRefusal; status: number; message: string };

/**
 * The `store_rejected` bad row for a refused row. Its id is derived from the refused row's id, so
 * a replayed batch refused again lands on the same bad row. `status` stays 0 as on every bad row
 * the core makes (the client was told its event was accepted); the store's status is in `detail`.
 */
export function storeRejectedRow(r: Refused, ingestedAt: number): StoredBadRow {
  const what = { event: 'event', bad_row: 'bad row', refusal: 'rollout refusal' }[r.kind];
  const detail = cutCodePoints(
    `${what} refused by the store: HTTP ${r.status} ${r.message}`.trim(),
    MAX_DETAIL,
  );
  const id =
    r.kind === 'event'
      ? r.row.event_id
      : r.kind === 'bad_row'
        ? r.row.bad_row_id
        : r.row.request_id;
  // An event or a refusal is kept whole as JSON; a bad row keeps its own payload.
  const payload = r.kind === 'bad_row' ? r.row.payload : JSON.stringify(r.row);
  const cut = cutCodePoints(payload, LIMITS.badRowPayloadBytes);
  const truncated =
    cut.length < payload.length || (r.kind === 'bad_row' && r.row.payload_truncated);
  return {
    bad_row_id: createHash('sha256')
      .update(JSON.stringify([STORE_REJECTED, r.kind, id]))
      .digest('base64url')
      .slice(0, 32),
    source: 'core',
    received_at: r.row.received_at,
    ingested_at: ingestedAt,
    request_id: r.row.request_id,
    status: 0,
    reason: STORE_REJECTED,
    detail,
    index: r.kind === 'bad_row' ? r.row.index : null,
    session_id: r.row.session_id,
    event_id: r.kind === 'refusal' ? null : r.row.event_id,
    schema_version: r.row.schema_version,
    sdk_name: r.row.sdk_name,
    sdk_version: r.row.sdk_version,
    pop: r.row.pop,
    payload: cut,
    payload_encoding: r.kind === 'bad_row' ? r.row.payload_encoding : truncated ? 'text' : 'json',
    payload_truncated: truncated,
  };
}
