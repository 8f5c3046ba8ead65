/**
 * The consumer Lambda's work on one Kinesis batch, without the Lambda plumbing (main.ts adds the
 * Powertools logger, metrics and partial-batch response): decode the records with the same code
 * as the local consumer and write their rows to the sink, a few large writes per batch.
 *
 * Why writes per group of records and not per record: a time-series store takes thousands of
 * lines per request, and a 1,000-record batch written record by record would make 1,000 HTTP
 * writes. Records are taken in order into groups of at most `maxRowsPerWrite` rows and the groups
 * are written one after the other. When a group's write fails, it and every later group are
 * unwritten, so the batch outcome is "stored up to record i": Lambda, told the sequence number of
 * record i, checkpoints before it and retries from it (with BisectBatchOnFunctionError it bisects
 * there). Groups already stored are never sent again by that retry, and any that are (a retry
 * of the whole batch) are harmless: the sinks are idempotent.
 *
 * Lambda keeps the checkpoints (the event source mapping), so none are written here.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { cmcdEntryCount } from '../cmcd/apply.js';
import { decodeRecords, type SourceRecord } from '../record-decoder.js';
import type { EventSink } from '../sinks/sink.js';

/** Options of one batch's processing. */
export interface KinesisBatchOptions {
  sink: EventSink;
  /** Names of streams that carry BadRows rather than EnrichedRecords. */
  badRowStreams?: readonly string[];
  /** Most rows (events + bad rows + refusals) per sink write; a single record is never split. */
  maxRowsPerWrite: number;
  now?: () => number;
}

/** What happened to one batch. */
export interface KinesisBatchOutcome {
  recordsIn: number;
  /** Events and bad rows stored (an event the store refused counts as a bad row). */
  eventsWritten: number;
  badRowsWritten: number;
  /** Rollout refusals stored (from the bad-rows stream; not bad rows). */
  refusalsWritten: number;
  /** Sink writes made (each one `writeBatch`). */
  writes: number;
  /** Each sink write's duration, ms, in order. */
  writeMs: number[];
  /** Index of the first record not stored, or null when all were. */
  failedFrom: number | null;
  /** The sink's error when `failedFrom` is set. */
  error?: unknown;
}

/**
 * Decodes and writes one batch. Never throws: a failed write is reported as `failedFrom`. An
 * unreadable record never fails the batch (it becomes a bad row).
 */
export async function processKinesisBatch(
  records: readonly KinesisStreamRecord[],
  opts: KinesisBatchOptions,
): Promise<KinesisBatchOutcome> {
  const now = opts.now ?? Date.now;
  const ingestedAt = now();
  const out: KinesisBatchOutcome = {
    recordsIn: records.length,
    eventsWritten: 0,
    badRowsWritten: 0,
    refusalsWritten: 0,
    writes: 0,
    writeMs: [],
    failedFrom: null,
  };
  let start = 0;
  let group: ReturnType<typeof decodeRecords> = emptyGroup();
  const flush = async (end: number): Promise<boolean> => {
    if (end === start) return true;
    const t0 = performance.now();
    try {
      out.writes++;
      const report = await opts.sink.writeBatch({ ...group, checkpoints: [] });
      // Events the store refused for good were stored as bad rows instead (sink.ts).
      const rejected = report?.rejectedEvents ?? 0;
      out.eventsWritten += group.events.length + cmcdEntryCount(group.cmcd) - rejected;
      out.badRowsWritten += group.badRows.length + rejected;
      out.refusalsWritten += group.refusals.length;
      return true;
    } catch (err) {
      out.failedFrom = start;
      out.error = err;
      return false;
    } finally {
      out.writeMs.push(performance.now() - t0);
      start = end;
      group = emptyGroup();
    }
  };
  for (let i = 0; i < records.length; i++) {
    const rows = decodeRecords(
      [toSourceRecord(records[i], opts.badRowStreams ?? [], now)],
      ingestedAt,
    );
    const size = rowCount(rows);
    const held = rowCount(group);
    if (held > 0 && held + size > opts.maxRowsPerWrite && !(await flush(i))) return out;
    for (const e of rows.events) group.events.push(e);
    for (const b of rows.badRows) group.badRows.push(b);
    for (const r of rows.refusals) group.refusals.push(r);
    for (const c of rows.cmcd) group.cmcd.push(c);
  }
  await flush(records.length);
  return out;
}

function emptyGroup(): ReturnType<typeof decodeRecords> {
  return { events: [], badRows: [], refusals: [], cmcd: [] };
}

/** Rows a decoded group becomes: events, bad rows, refusals, and one event per CMCD line. */
function rowCount(g: ReturnType<typeof decodeRecords>): number {
  return g.events.length + g.badRows.length + g.refusals.length + cmcdEntryCount(g.cmcd);
}

/** Stream name from `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
export function streamNameFromArn(arn: string): string {
  const at = arn.indexOf(':stream/');
  return at >= 0 ? arn.slice(at + ':stream/'.length) : arn;
}

/** One Lambda Kinesis record → the source record the decoder takes. */
function toSourceRecord(
  r: KinesisStreamRecord,
  badRowStreams: readonly string[],
  now: () => number,
): SourceRecord {
  const stream = streamNameFromArn(r.eventSourceARN ?? '');
  // eventID is `<shardId>:<sequenceNumber>`.
  const shardId = (r.eventID ?? '').split(':')[0] || 'unknown-shard';
  const arrivalMs = Math.round((r.kinesis?.approximateArrivalTimestamp ?? 0) * 1000);
  return {
    kind: badRowStreams.includes(stream) ? 'bad_rows' : 'events',
    data: Buffer.from(r.kinesis?.data ?? '', 'base64'),
    stream,
    shardId,
    sequenceNumber: r.kinesis?.sequenceNumber ?? '',
    receivedAt: arrivalMs > 0 ? arrivalMs : now(),
  };
}
