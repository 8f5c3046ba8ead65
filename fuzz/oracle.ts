/**
 * The promise, checked for one request: it goes through the real ingest core (in-memory writer and
 * bad-row sink), what would go to Kinesis is encoded as the Kinesis writers encode it and read back
 * with the real core decoder, and the outcome must match what the response told the client.
 * Shared by the property tests (which also store the rows in DuckDB) and `npm run fuzz`.
 *
 * A request the rollout switch refuses (410) owes neither events nor bad rows but exactly one
 * RolloutRefusal counting all its events: it travels on the bad-rows stream, and the decoder
 * must read it as a refusal, never as a bad row.
 */
import {
  decodeRecords,
  type DecodedRows,
  type SourceRecord,
} from '../core-pipeline/record-decoder.js';
import type { EventRow, StoredBadRow } from '../core-pipeline/rows.js';
import { DEFAULT_CONFIG, type EdgeConfig } from '../edge/config.js';
import { ingest } from '../edge/ingest/ingest.js';
import type { IngestRequest, IngestResult } from '../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../edge/writers/memory.js';
import {
  type BadRow,
  type EnrichedRecord,
  ROLLOUT_REFUSAL_REASONS,
  type RolloutRefusal,
} from '../schemas/record.js';
import { isBodyReason, isEventReason } from './reasons.js';

/** One request and everything it caused. */
export interface Exchange {
  req: IngestRequest;
  res?: IngestResult;
  thrown?: unknown;
  records: EnrichedRecord[];
  edgeBadRows: BadRow[];
  refusals: RolloutRefusal[];
}

/** The fields of an event the checks compare between what was sent and what was stored. */
export interface EventFacts {
  event_id: string;
  type: string;
  seq: number;
  session_id: string;
  content_id: string;
}

/** A bad row the response obliges the pipeline to keep. */
export interface OwedBadRow {
  reason: string;
  status: number;
  index: number | null;
}

/** What the response promised: these events stored, these bad rows kept, or one refusal. */
export interface Promised {
  accepted: EventFacts[];
  badRows: OwedBadRow[];
  /** A 410 from the rollout switch: its reason and the number of events it refused. */
  refusal?: { reason: string; events: number };
}

/** The result of checking one request without a store. */
export interface Checked {
  ex: Exchange;
  promise: Promised;
  decoded: DecodedRows;
  /** Broken invariants, in words; empty when the request kept the promise. */
  violations: string[];
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Sends one request through the ingest core with fresh in-memory storage. Never throws. */
async function exchange(
  req: IngestRequest,
  config: EdgeConfig = DEFAULT_CONFIG,
): Promise<Exchange> {
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  const ex: Exchange = { req, records: [], edgeBadRows: [], refusals: [] };
  try {
    ex.res = await ingest(req, { config, writer, badRows });
  } catch (err) {
    ex.thrown = err;
  }
  ex.records = writer.records;
  ex.edgeBadRows = badRows.rows;
  ex.refusals = badRows.refusals;
  return ex;
}

/** The records and bad rows as Kinesis would deliver them to the core (JSON, UTF-8). */
function sourcesOf(ex: Exchange): SourceRecord[] {
  let seq = 0;
  const source = (kind: SourceRecord['kind'], value: unknown): SourceRecord => ({
    kind,
    data: encoder.encode(JSON.stringify(value)),
    stream: kind === 'events' ? 'fuzz-events' : 'fuzz-bad-rows',
    shardId: 'shardId-000000000000',
    sequenceNumber: `${ex.req.requestId}-${seq++}`,
    receivedAt: ex.req.now,
  });
  return [
    ...ex.records.map((r) => source('events', r)),
    ...ex.edgeBadRows.map((b) => source('bad_rows', b)),
    ...ex.refusals.map((r) => source('bad_rows', r)),
  ];
}

/** What the response promises, and the violations visible from the response alone. */
function promiseOf(ex: Exchange): { promise: Promised; violations: string[] } {
  const promise: Promised = { accepted: [], badRows: [] };
  const violations: string[] = [];
  const { req, res } = ex;
  if (ex.thrown !== undefined || !res) {
    violations.push(`ingest threw: ${String(ex.thrown)}`);
    return { promise, violations };
  }
  if (res.status >= 500) violations.push(`answered ${res.status} ${res.body ?? ''}`);
  const body = parseOr(res.body) as
    | { error?: unknown; accepted?: unknown; rejected?: unknown }
    | undefined;
  const rejected = Array.isArray(body?.rejected)
    ? (body.rejected as { index: number; reason: unknown }[])
    : [];
  for (const r of rejected)
    if (!isEventReason(r.reason)) violations.push(`undocumented event reason ${String(r.reason)}`);
  if (res.status === 204) {
    if (req.method.toUpperCase() === 'OPTIONS') return { promise, violations }; // a preflight stores nothing
    promise.accepted = sentEvents(req, new Set());
    if (promise.accepted.length === 0) violations.push('204 for a body with no events');
    return { promise, violations };
  }
  if (res.status === 200) {
    promise.accepted = sentEvents(req, new Set(rejected.map((r) => r.index)));
    if (body?.accepted !== promise.accepted.length)
      violations.push(
        `200 says accepted ${String(body?.accepted)} but ${promise.accepted.length} events are not listed as rejected`,
      );
    promise.badRows = rejected.map((r) => ({
      reason: String(r.reason),
      status: 200,
      index: r.index,
    }));
    return { promise, violations };
  }
  if (!isBodyReason(body?.error))
    violations.push(`undocumented body reason ${String(body?.error)}`);
  if (res.status === 410) {
    if (!(ROLLOUT_REFUSAL_REASONS as readonly unknown[]).includes(body?.error))
      violations.push(`410 with ${String(body?.error)}, not a rollout reason`);
    promise.refusal = { reason: String(body?.error), events: sentEvents(req, new Set()).length };
    return { promise, violations };
  }
  promise.badRows =
    body?.error === 'no_valid_events'
      ? rejected.map((r) => ({ reason: String(r.reason), status: res.status, index: r.index }))
      : [{ reason: String(body?.error), status: res.status, index: null }];
  return { promise, violations };
}

/** The events of the request body, as the edge parsed them, except the listed indexes. */
function sentEvents(req: IngestRequest, except: Set<number>): EventFacts[] {
  let batch: { events?: unknown; session_id?: unknown; content_id?: unknown };
  try {
    batch = JSON.parse(strictUtf8.decode(req.body ?? new Uint8Array(0)));
  } catch {
    return [];
  }
  const events = Array.isArray(batch.events)
    ? (batch.events as (Record<string, unknown> | null)[])
    : [];
  return (
    events
      .map((e, index) => ({ e, index }))
      .filter(({ index }) => !except.has(index))
      // A refused batch (410) counts every item of its array, whatever it is, `null` included.
      .map(({ e }) => ({
        event_id: e?.id as string,
        type: e?.type as string,
        seq: e?.seq as number,
        session_id: batch.session_id as string,
        content_id: batch.content_id as string,
      }))
  );
}

/** The facts of a stored event row, for comparison with the sent event. */
export function factsOfRow(row: Pick<EventRow, keyof EventFacts>): EventFacts {
  return {
    event_id: row.event_id,
    type: row.type,
    seq: Number(row.seq),
    session_id: row.session_id,
    content_id: row.content_id,
  };
}

/** A bad row as the checks compare it (with the core's detail, which names what it could not read). */
export function owedOfRow(
  row: Pick<StoredBadRow, 'reason' | 'status' | 'index' | 'source' | 'detail'>,
): StoredOwed {
  return {
    reason: row.reason,
    status: Number(row.status),
    index: row.index === null ? null : Number(row.index),
    source: row.source,
    detail: row.detail,
  };
}

/** A stored bad row as compared: who made it, and why. */
export interface StoredOwed extends OwedBadRow {
  source: string;
  detail: string | null;
}

/**
 * Compares what was stored (rows, from the decoder or a store) with what was promised: the
 * acknowledged events exactly, each once; one edge bad row per refusal, no core bad rows.
 */
export function compare(promise: Promised, events: EventFacts[], badRows: StoredOwed[]): string[] {
  const violations: string[] = [];
  const want = promise.accepted.map((e) => JSON.stringify(e)).sort();
  const got = events.map((e) => JSON.stringify(e)).sort();
  if (JSON.stringify(want) !== JSON.stringify(got))
    violations.push(`acknowledged events ${describe(want)} but stored ${describe(got)}`);
  for (const b of badRows)
    if (b.source !== 'edge')
      violations.push(`core refused a record the edge wrote: ${b.reason} (${b.detail ?? ''})`);
  const owed = promise.badRows.map((b) => JSON.stringify([b.reason, b.status, b.index])).sort();
  const kept = badRows
    .filter((b) => b.source === 'edge')
    .map((b) => JSON.stringify([b.reason, b.status, b.index]))
    .sort();
  if (JSON.stringify(owed) !== JSON.stringify(kept))
    violations.push(`owed bad rows ${describe(owed)} but kept ${describe(kept)}`);
  return violations;
}

/** The fields of a refusal the checks compare. */
type RefusalFacts = Pick<RolloutRefusal, 'events' | 'request_id' | 'status'> & { reason: string };

/**
 * Compares rollout refusals (as written, decoded or stored) with what was promised: exactly one
 * for a 410, with its reason and every event of the body counted, and none for any other answer.
 */
export function compareRefusals(
  promise: Promised,
  requestId: string,
  refusals: readonly RefusalFacts[],
): string[] {
  const want = promise.refusal
    ? [JSON.stringify([promise.refusal.reason, promise.refusal.events, requestId, 410])]
    : [];
  const got = refusals.map((r) =>
    JSON.stringify([r.reason, Number(r.events), r.request_id, Number(r.status)]),
  );
  return JSON.stringify(want) === JSON.stringify(got)
    ? []
    : [`owed rollout refusals ${describe(want)} but wrote ${describe(got)}`];
}

function describe(items: string[]): string {
  const shown = items.slice(0, 4).join(', ');
  return `[${shown}${items.length > 4 ? `, … ${items.length} in all` : ''}]`;
}

/**
 * One request end to end without a store: ingest, decode what it wrote with the core decoder,
 * compare with the response. The decoded rows are returned for a caller that stores them.
 */
export async function checkRequest(
  req: IngestRequest,
  config: EdgeConfig = DEFAULT_CONFIG,
  ingestedAt = req.now,
): Promise<Checked> {
  const ex = await exchange(req, config);
  const { promise, violations } = promiseOf(ex);
  let decoded: DecodedRows = { events: [], badRows: [], refusals: [], cmcd: [] };
  try {
    decoded = decodeRecords(sourcesOf(ex), ingestedAt);
  } catch (err) {
    violations.push(`the core decoder threw: ${String(err)}`);
  }
  violations.push(...compareRefusals(promise, ex.req.requestId, decoded.refusals));
  if (ex.records.length > 1) violations.push(`${ex.records.length} records for one request`);
  violations.push(...compareRefusals(promise, ex.req.requestId, ex.refusals));
  violations.push(
    ...compare(promise, decoded.events.map(factsOfRow), decoded.badRows.map(owedOfRow)),
  );
  return { ex, promise, decoded, violations };
}

function parseOr(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
