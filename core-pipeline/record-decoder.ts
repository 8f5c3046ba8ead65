/**
 * Kinesis record bytes → rows, for both runtimes (the local consumer and the Lambda handler).
 * Total: whatever the bytes are, the result is rows and/or bad rows, never an exception — a
 * record that cannot be read must not crash the consumer or block its shard.
 */
import type { BadRow, RolloutRefusal } from '../schemas/record.js';
import { coreBadRow, parseBadRowObject, toStoredBadRow, type RecordOrigin } from './bad-rows.js';
import { UnreadableRecordError } from './errors.js';
import { parseRefusal, REFUSAL_KIND, toStoredRefusal } from './refusals.js';
import type { EventRow, StoredBadRow, StoredRefusal } from './rows.js';
import { parseRecordData, recordToRows } from './transform.js';
import { CMCD_RECORD_KIND, type CmcdBatch, readCmcdRecord } from './cmcd/record.js';
import * as read from './values.js';
import { isTimeMs, isWellFormed } from '../schemas/storable.js';

/**
 * What a stream carries: EnrichedRecords and CmcdRecords (event streams), or BadRows and RolloutRefusals (the
 * bad-row stream; a refusal has `kind: 'rollout_refusal'`).
 */
export type StreamKind = 'events' | 'bad_rows';

/** One record as read from Kinesis, whichever API delivered it. */
export interface SourceRecord extends RecordOrigin {
  kind: StreamKind;
  data: Uint8Array;
}

/** Rows ready for `EventSink.writeBatch`. */
export interface DecodedRows {
  events: EventRow[];
  badRows: StoredBadRow[];
  /** Requests the rollout switch refused (from the bad-row stream; not bad rows). */
  refusals: StoredRefusal[];
  /**
   * Readable CmcdRecords, not yet mapped: their rows depend on each session's state, which the
   * sink holds (`WriteBatchInput.cmcd`). Their unreadable lines are in `badRows` already.
   */
  cmcd: CmcdBatch[];
}

/**
 * Decodes a batch of records. Events keep record order; an unreadable record or event becomes a
 * bad row with reason `unreadable_record` / `invalid_record_event` (see errors.ts), and so does
 * a bad-row-stream record that is neither a readable bad row nor a readable rollout refusal.
 * @param ingestedAt stamped on every row (ms).
 */
export function decodeRecords(records: readonly SourceRecord[], ingestedAt: number): DecodedRows {
  const out: DecodedRows = { events: [], badRows: [], refusals: [], cmcd: [] };
  for (const rec of records) {
    if (rec.kind === 'bad_rows') {
      const decoded = decodeBadRowRecord(rec);
      if ('kind' in decoded) out.refusals.push(toStoredRefusal(decoded, ingestedAt));
      else out.badRows.push(toStoredBadRow(decoded, ingestedAt));
      continue;
    }
    const { events, badRows, cmcd } = decodeEventRecord(rec, ingestedAt);
    if (cmcd) out.cmcd.push(cmcd);
    for (const e of events) out.events.push(e);
    for (const b of badRows) out.badRows.push(toStoredBadRow(b, ingestedAt));
  }
  return out;
}

/** One event-stream record → its event rows and the bad rows of whatever could not be read. */
function decodeEventRecord(
  rec: SourceRecord,
  ingestedAt: number,
): { events: EventRow[]; badRows: BadRow[]; cmcd?: CmcdBatch } {
  let parsed: unknown;
  try {
    parsed = parseRecordData(rec.data);
    if ((parsed as { kind?: unknown }).kind === CMCD_RECORD_KIND) {
      return decodeCmcdRecord(rec, parsed, ingestedAt);
    }
    const { events, invalidEvents } = recordToRows(parsed as never, ingestedAt);
    const p = parsed as {
      session_id?: unknown;
      edge?: { request_id?: unknown };
      events: unknown[];
    };
    const badRows = invalidEvents.map((err) => {
      const ev = p.events[err.index] as { id?: unknown } | null;
      return coreBadRow(err, originWithReceivedAt(rec, parsed), rec.data, {
        requestId: stringOr(p.edge?.request_id),
        sessionId: stringOr(p.session_id),
        eventId: stringOr(ev?.id),
        index: err.index,
        payload: JSON.stringify(ev) ?? 'undefined',
      });
    });
    return { events, badRows };
  } catch (err) {
    // Anything at all (our named errors, or a bug) becomes a bad row: never block the shard.
    const e = err instanceof Error ? err : new Error(String(err));
    const p = (parsed ?? {}) as { session_id?: unknown; edge?: { request_id?: unknown } | null };
    return {
      events: [],
      badRows: [
        coreBadRow(withReason(e), originWithReceivedAt(rec, parsed), rec.data, {
          requestId: stringOr(p.edge?.request_id),
          sessionId: stringOr(p.session_id),
        }),
      ],
    };
  }
}

/**
 * One CmcdRecord → its readable lines for the sink to map, and a bad row per unreadable line
 * (reason `invalid_record_event`, the line as payload). An unreadable envelope throws to the
 * caller, which makes the whole record one bad row.
 */
function decodeCmcdRecord(
  rec: SourceRecord,
  parsed: unknown,
  ingestedAt: number,
): { events: EventRow[]; badRows: BadRow[]; cmcd: CmcdBatch } {
  const { context, entries, invalidEntries } = readCmcdRecord(parsed, ingestedAt);
  const p = parsed as { reports: unknown[] };
  const badRows = invalidEntries.map((err) => {
    const line = p.reports[err.index] as { id?: unknown } | null;
    return coreBadRow(err, originWithReceivedAt(rec, parsed), rec.data, {
      requestId: context.request_id,
      sessionId: context.session_id,
      eventId: stringOr(line?.id),
      index: err.index,
      payload: JSON.stringify(line) ?? 'undefined',
    });
  });
  return { events: [], badRows, cmcd: { context, entries } };
}

/**
 * One bad-row-stream record → the BadRow or RolloutRefusal it carries, or a bad row about the
 * record itself. A `kind` this build does not know (a newer edge's) is unreadable: kept as a bad
 * row with the record, never dropped.
 */
function decodeBadRowRecord(rec: SourceRecord): BadRow | RolloutRefusal {
  try {
    const o = read.object(read.json(rec.data), '');
    if (o.kind === undefined) return parseBadRowObject(o);
    if (o.kind === REFUSAL_KIND) return parseRefusal(o);
    throw new UnreadableRecordError('kind', `unknown bad-rows stream record kind`);
  } catch (err) {
    return coreBadRow(
      withReason(err instanceof Error ? err : new Error(String(err))),
      rec,
      rec.data,
    );
  }
}

function withReason(e: Error): Error & { reason: string } {
  const reason = (e as { reason?: unknown }).reason;
  return Object.assign(e, { reason: typeof reason === 'string' ? reason : 'unreadable_record' });
}

/** A usable id from an unreadable record: a non-empty, well-formed, short string, else nothing. */
function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 256 && isWellFormed(v)
    ? v
    : undefined;
}

/** Prefer the edge's receive time (what `countsSince` filters on) over the Kinesis arrival time. */
function originWithReceivedAt(rec: SourceRecord, parsed: unknown): RecordOrigin {
  const t = (parsed as { received_at?: unknown } | undefined)?.received_at;
  return isTimeMs(t) ? { ...rec, receivedAt: t } : rec;
}
