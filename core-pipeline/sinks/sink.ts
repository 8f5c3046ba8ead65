/**
 * The one interface every store implements (DuckDB locally; Timestream and InfluxDB later).
 * Kept minimal on purpose: a sink stores rows and remembers how far each shard was read.
 */
import type { CmcdBatch } from '../cmcd/record.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../rows.js';

/** How far a shard has been read: the last sequence number whose rows are stored. */
export interface Checkpoint {
  stream: string;
  shardId: string;
  sequenceNumber: string;
}

/** Everything one consumer step produced. */
export interface WriteBatchInput {
  events: EventRow[];
  badRows: StoredBadRow[];
  /**
   * Requests the rollout switch refused (not bad rows: a decision, stored apart). Idempotent on
   * `request_id`, in the same transaction as the rest. Absent = none.
   */
  refusals?: StoredRefusal[];
  /**
   * CMCD records (one session each), read but not yet mapped: the sink maps them onto event rows
   * (one per entry) from each session's stored state and stores those rows with `events`, and the
   * states they leave with the batch (core-pipeline/cmcd/). Absent = none.
   */
  cmcd?: CmcdBatch[];
  /** Empty when the runtime keeps its own checkpoints (Lambda event source mapping). */
  checkpoints: Checkpoint[];
}

/**
 * What a write did beyond storing everything as given (optional: a sink that stores every row as
 * given returns nothing).
 */
export interface WriteReport {
  /**
   * Events the store refused for good (a field type it will not take, a time outside its
   * retention) and that were stored as bad rows of reason `store_rejected` instead.
   */
  rejectedEvents: number;
}

/**
 * A store for event rows, bad rows and shard checkpoints.
 *
 * Contract every implementation keeps:
 * - `writeBatch` is atomic: events, bad rows and checkpoints become visible together or not at
 *   all, so a crash between them can neither lose nor duplicate (exactly-once effect). A sink
 *   that cannot do transactions must still make the retry harmless (idempotent writes, checkpoint
 *   written last).
 * - Event writes are idempotent on `event_id`: a duplicate, within a batch or across batches, is
 *   ignored and the first write wins. Bad rows are idempotent on `bad_row_id`, rollout
 *   refusals on `request_id`.
 * - A checkpoint replaces the stored one for its (stream, shardId).
 * - Infrastructure failures reject with `SinkWriteError` (cause = the original error); nothing
 *   of the batch is stored then, or (a sink without transactions) what was stored is overwritten
 *   with itself when the batch is written again.
 * - A row the store refuses for good is never dropped silently: it is stored as a bad row of
 *   reason `store_rejected` and counted in the `WriteReport`.
 */
export interface EventSink {
  // biome-ignore lint/suspicious/noConfusingVoidType: sinks that store every row as given return nothing.
  writeBatch(input: WriteBatchInput): Promise<WriteReport | void>;
  /** Every stored checkpoint (the consumer resumes after each). */
  loadCheckpoints(): Promise<Checkpoint[]>;
  /** Waits for in-flight writes, then releases the store. Idempotent. */
  close(): Promise<void>;
}
