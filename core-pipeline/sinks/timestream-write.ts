/**
 * WriteRecords with the service's rules applied: requests of at most 100 records with the
 * attributes they share moved into CommonAttributes (fewer bytes metered), throttling and server
 * errors retried with backoff within a budget, every rejected record reported by its index, and a
 * request the service refuses as a whole (ValidationException) split in halves until the one
 * record at fault is found, so one bad record never fails the others.
 */
import type { Dimension, TimestreamWriteClient, _Record } from '@aws-sdk/client-timestream-write';
import { WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { backoffDelay, errorName } from '../../common/backoff.js';
import type { TimestreamRetryConfig } from '../config.js';
import { SinkWriteError } from '../errors.js';
import { TIMESTREAM_LIMITS } from './timestream-limits.js';
import { RECORD_VERSION } from './timestream-records.js';

/** A record the service refused, by its index in the caller's list. */
export interface Rejection {
  index: number;
  reason: string;
  existingVersion?: number;
}

/** Where and how to write. */
export interface WriteTarget {
  client: Pick<TimestreamWriteClient, 'send'>;
  database: string;
  table: string;
  retry: TimestreamRetryConfig;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** Errors worth another try: throttling, the service's own failures, the network. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'InternalServerException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

function isRetryable(err: unknown): boolean {
  if (RETRYABLE.has(errorName(err))) return true;
  const e = err as { $fault?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  if (e?.$fault === 'server' || (e?.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  // Node socket errors carry a code and no HTTP status.
  return (
    typeof e?.code === 'string' &&
    /^(ECONNRESET|ETIMEDOUT|EPIPE|ECONNREFUSED|EAI_AGAIN)$/.test(e.code)
  );
}

/**
 * True when a rejection says the identity already holds a record of our version: with one version
 * for every record and the event id's hash in the time, that record is this event, stored by an
 * earlier delivery (first write wins).
 */
function isAlreadyStored(r: { existingVersion?: number }): boolean {
  return r.existingVersion === RECORD_VERSION;
}

/**
 * Writes `records` (at most 100 per request, in order) and resolves to the rejected ones, each
 * with its index in `records`. Rejections that mean "already stored" are not reported.
 * @throws SinkWriteError when retries run out or the service refuses for a reason no record
 *   causes (access, missing table): nothing is known to be stored then, and a retry is harmless.
 */
export async function writeRecords(
  records: readonly _Record[],
  target: WriteTarget,
): Promise<Rejection[]> {
  const rejected: Rejection[] = [];
  const indices = records.map((_, i) => i);
  for (let at = 0; at < indices.length; at += TIMESTREAM_LIMITS.maxRecordsPerWrite) {
    const chunk = indices.slice(at, at + TIMESTREAM_LIMITS.maxRecordsPerWrite);
    await writeChunk(records, chunk, target, rejected);
  }
  return rejected.filter((r) => !isAlreadyStored(r)).sort((a, b) => a.index - b.index);
}

async function writeChunk(
  records: readonly _Record[],
  chunk: number[],
  target: WriteTarget,
  rejected: Rejection[],
): Promise<void> {
  try {
    await sendWithRetry(request(records, chunk, target), target);
  } catch (err) {
    const name = errorName(err);
    if (name === 'RejectedRecordsException') {
      const list =
        (
          err as {
            RejectedRecords?: { RecordIndex?: number; Reason?: string; ExistingVersion?: number }[];
          }
        ).RejectedRecords ?? [];
      for (const r of list) {
        const index = chunk[r.RecordIndex ?? -1];
        if (index === undefined) continue;
        rejected.push({
          index,
          reason: r.Reason ?? 'rejected by Timestream',
          ...(r.ExistingVersion !== undefined
            ? { existingVersion: Number(r.ExistingVersion) }
            : {}),
        });
      }
      return;
    }
    if (name === 'ValidationException') {
      if (chunk.length === 1) {
        rejected.push({
          index: chunk[0],
          reason: `ValidationException: ${(err as Error).message}`,
        });
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      await writeChunk(records, chunk.slice(0, half), target, rejected);
      await writeChunk(records, chunk.slice(half), target, rejected);
      return;
    }
    if (err instanceof SinkWriteError) throw err;
    throw new SinkWriteError(`Timestream WriteRecords to ${target.table} failed: ${name}`, {
      cause: err,
    });
  }
}

async function sendWithRetry(command: WriteRecordsCommand, target: WriteTarget): Promise<void> {
  const { retry } = target;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await target.client.send(command);
      return;
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const delay = backoffDelay(
        attempt,
        { baseMs: retry.backoffMs, maxMs: retry.maxBackoffMs },
        target.random(),
      );
      if (attempt >= retry.maxAttempts || waited + delay > retry.budgetMs) {
        throw new SinkWriteError(
          `Timestream WriteRecords to ${target.table} still failing after ${attempt} attempts: ${errorName(err)}`,
          { cause: err },
        );
      }
      waited += delay;
      await target.sleep(delay);
    }
  }
}

/**
 * The request for `chunk`: the dimensions every record of it shares, the measure value type, the
 * time unit and the version go once into CommonAttributes; the service merges them back.
 */
function request(
  records: readonly _Record[],
  chunk: number[],
  target: WriteTarget,
): WriteRecordsCommand {
  const list = chunk.map((i) => records[i]);
  const shared = sharedDimensions(list);
  const sharedNames = new Set(shared.map((d) => d.Name));
  return new WriteRecordsCommand({
    DatabaseName: target.database,
    TableName: target.table,
    CommonAttributes: {
      ...(shared.length > 0 ? { Dimensions: shared } : {}),
      MeasureValueType: 'MULTI',
      TimeUnit: 'NANOSECONDS',
      Version: RECORD_VERSION,
    },
    Records: list.map((r) => ({
      Dimensions: (r.Dimensions ?? []).filter((d) => !sharedNames.has(d.Name)),
      MeasureName: r.MeasureName,
      MeasureValues: r.MeasureValues,
      Time: r.Time,
    })),
  });
}

function sharedDimensions(list: readonly _Record[]): Dimension[] {
  const [first, ...rest] = list;
  if (!first) return [];
  return (first.Dimensions ?? []).filter((d) =>
    rest.every((r) => (r.Dimensions ?? []).some((o) => o.Name === d.Name && o.Value === d.Value)),
  );
}
