/**
 * PutRecords with the edge retry policy, shared by the record writer and the local bad-rows sink:
 * chunks to the API limits, resends only failed entries (per-entry ErrorCode), falls back to the
 * next stream, and reports what could not be stored.
 */
import { RecordTooLargeError } from '../errors.js';
import type { ClientCache, ClientTarget, KinesisClient } from './clients.js';
import { chunkBySize } from '../../common/chunk-by-size.js';
import { putRecords } from './operations.js';
import { sendWithRetry, type RetryOutcome, type RetryPolicy } from './retry.js';

/** PutRecords limits (Kinesis Data Streams quotas). */
const KINESIS_LIMITS = {
  recordsPerRequest: 500,
  bytesPerRequest: 5 * 1024 * 1024,
  /** Data + partition key of one record. */
  bytesPerRecord: 1024 * 1024,
} as const;

/**
 * Bytes of each PutRecords request left free: a record written to a fallback stream names that
 * stream's region, so it may be a little longer than when its chunk was sized.
 */
const FALLBACK_HEADROOM_BYTES = 64 * 1024;

/** A stream to write to. */
export interface KinesisTarget extends ClientTarget {
  streamName: string;
}

/** One record to put; `data` may differ per target (e.g. the record names its stream region). */
export interface KinesisEntry {
  partitionKey: string;
  data: (target: KinesisTarget) => Uint8Array;
}

/** Errors after which a stream is skipped for the rest of the call: retrying it cannot help. */
const FATAL = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'InvalidArgumentException',
  'UnrecognizedClientException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSAccessDeniedException',
  'KMSInvalidStateException',
  // No credentials in this container: waiting will not make them appear (credentials.ts).
  'CredentialsProviderError',
]);

/**
 * Codes of a refusal for rate, not for failure: a shard's write limit (per entry or for the
 * call), a throttled API call, or a throttled KMS key of an encrypted stream.
 */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

/**
 * True when a write that failed was refused for throttling on every failed attempt: the stream
 * is over its rate, not down. An attempt that timed out or failed otherwise makes it false.
 */
export function onlyThrottled(outcome: RetryOutcome): boolean {
  return outcome.errorCodes.length > 0 && outcome.errorCodes.every((c) => THROTTLING.has(c));
}

/** True when a call's error means the target is unusable, not just busy. */
function isFatalKinesisError(err: unknown): boolean {
  return !!err && typeof err === 'object' && 'name' in err && FATAL.has(String(err.name));
}

/**
 * Puts every entry, in chunks of at most 500 records / 5 MiB, each chunk retried with `policy`
 * within one shared budget. Returns the indexes never stored (empty on success) and the last
 * error. Throws RecordTooLargeError before sending anything if one record is over 1 MiB.
 */
export async function putRecordsReliably(
  clients: ClientCache<KinesisClient>,
  entries: readonly KinesisEntry[],
  targets: readonly KinesisTarget[],
  policy: RetryPolicy,
): Promise<RetryOutcome> {
  const start = Date.now();
  const keyBytes = entries.map((e) => Buffer.byteLength(e.partitionKey));
  const sizes = entries.map((e, i) => e.data(targets[0]).byteLength + keyBytes[i]);
  for (const size of sizes) {
    if (size > KINESIS_LIMITS.bytesPerRecord)
      throw new RecordTooLargeError(size, KINESIS_LIMITS.bytesPerRecord);
  }
  const chunks = chunkBySize(
    sizes,
    KINESIS_LIMITS.recordsPerRequest,
    KINESIS_LIMITS.bytesPerRequest - FALLBACK_HEADROOM_BYTES,
  );
  const total: RetryOutcome = { failed: [], attempts: 0, errorCodes: [] };
  for (const chunk of chunks) {
    const remaining = policy.budgetMs - (Date.now() - start);
    const outcome =
      remaining > 0
        ? await sendWithRetry(
            chunk.length,
            targets,
            (pending, target, signal) =>
              putOnce(
                clients,
                target,
                pending.map((p) => entries[chunk[p]]),
                pending,
                signal,
              ),
            { ...policy, budgetMs: remaining },
            isFatalKinesisError,
          )
        : { failed: chunk.map((_, i) => i), attempts: 0, errorCodes: [] };
    total.attempts += outcome.attempts;
    total.failed.push(...outcome.failed.map((i) => chunk[i]));
    if (outcome.lastErrorCode !== undefined) total.lastErrorCode = outcome.lastErrorCode;
    if (outcome.lastError !== undefined) total.lastError = outcome.lastError;
    total.errorCodes = [...new Set([...total.errorCodes, ...outcome.errorCodes])];
  }
  return total;
}

/** One PutRecords call; maps failed response entries back to the caller's indexes. */
async function putOnce(
  clients: ClientCache<KinesisClient>,
  target: KinesisTarget,
  entries: KinesisEntry[],
  indexes: number[],
  signal: AbortSignal,
) {
  // The signal ends the HTTP request when the retry loop's deadline passes.
  const res = await putRecords(
    clients.get(target),
    {
      StreamName: target.streamName,
      Records: entries.map((e) => ({ PartitionKey: e.partitionKey, Data: e.data(target) })),
    },
    signal,
  );
  if (!res.FailedRecordCount) return { failed: [] };
  const failed: number[] = [];
  const errorCodes = new Set<string>();
  let errorCode: string | undefined;
  (res.Records ?? []).forEach((r, i) => {
    if (r.ErrorCode) {
      failed.push(indexes[i]);
      errorCode = r.ErrorCode;
      errorCodes.add(r.ErrorCode);
    }
  });
  // A count without per-entry codes should not happen; treat every entry as failed to be safe.
  return failed.length > 0
    ? { failed, errorCode, errorCodes: [...errorCodes] }
    : { failed: indexes.slice(), errorCode: 'FailedRecordCount' };
}
