/**
 * Bad-row sinks: Firehose on AWS (delivered to S3 as newline-delimited JSON), Kinesis locally
 * (a stream the local pipeline reads into a bad-rows table). Both retry only failed entries
 * within a budget and throw BadRowWriteError when they give up; the ingest core logs that.
 * Rollout refusals travel the same way, one JSON value each like a bad row (told apart by
 * `kind`): they are stored apart from bad rows but need the same delivery.
 */
import { errorName } from '../../common/backoff.js';
import type { BadRowTarget, EdgeConfig } from '../config.js';
import { BadRowWriteError } from '../errors.js';
import type { BadRowSink } from '../ingest/types.js';
import type { RefusalRecord } from '../../schemas/record.js';
import {
  firehoseClients,
  kinesisClients,
  type ClientCache,
  type ClientOptions,
  type FirehoseClient,
  type KinesisClient,
} from './clients.js';
import { chunkBySize } from '../../common/chunk-by-size.js';
import { putRecordsReliably } from './kinesis-put.js';
import { putRecordBatch } from './operations.js';
import { DEFAULT_RETRY, sendWithRetry, type RetryPolicy } from './retry.js';

/** PutRecordBatch limits (Firehose quotas). */
const FIREHOSE_LIMITS = {
  recordsPerRequest: 500,
  bytesPerRequest: 4 * 1024 * 1024,
} as const;

/** Firehose errors that retrying cannot fix. */
const FIREHOSE_FATAL = new Set([
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'AccessDeniedException',
  'InvalidKMSResourceException',
  'CredentialsProviderError',
]);

/** Options shared by the sinks. */
export interface BadRowSinkOptions {
  budgetMs: number;
  localCredentials?: EdgeConfig['localCredentials'];
  retry?: Partial<Omit<RetryPolicy, 'budgetMs'>>;
  /** Replaces the HTTP layer (tests). */
  transport?: ClientOptions['transport'];
}

const encoder = new TextEncoder();

/** Firehose PutRecordBatch sink; one JSON line per bad row. */
export class FirehoseBadRowSink implements BadRowSink {
  private readonly clients: ClientCache<FirehoseClient>;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly target: Extract<BadRowTarget, { kind: 'firehose' }>,
    opts: BadRowSinkOptions,
  ) {
    this.clients = firehoseClients({
      requestTimeoutMs: opts.budgetMs,
      localCredentials: opts.localCredentials,
      transport: opts.transport,
    });
    this.policy = { ...DEFAULT_RETRY, ...opts.retry, budgetMs: opts.budgetMs };
  }

  /** Stores rows in chunks of ≤ 500 records / 4 MiB; checks FailedPutCount and resends failed entries. */
  async write(rows: RefusalRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const start = Date.now();
    // Newline-delimited so the S3 objects Firehose concatenates stay one JSON value per line.
    const data = rows.map((r) => encoder.encode(`${JSON.stringify(r)}\n`));
    const chunks = chunkBySize(
      data.map((d) => d.byteLength),
      FIREHOSE_LIMITS.recordsPerRequest,
      FIREHOSE_LIMITS.bytesPerRequest,
    );
    let failed = 0;
    let lastErrorCode: string | undefined;
    let lastError: unknown;
    for (const chunk of chunks) {
      const remaining = this.policy.budgetMs - (Date.now() - start);
      if (remaining <= 0) {
        failed += chunk.length;
        continue;
      }
      const outcome = await sendWithRetry(
        chunk.length,
        [this.target],
        async (pending, target, signal) => {
          const res = await putRecordBatch(
            this.clients.get(target),
            {
              DeliveryStreamName: target.deliveryStreamName,
              Records: pending.map((p) => ({ Data: data[chunk[p]] })),
            },
            signal,
          );
          if (!res.FailedPutCount) return { failed: [] };
          const again: number[] = [];
          let code: string | undefined;
          (res.RequestResponses ?? []).forEach((r, i) => {
            if (r.ErrorCode) {
              again.push(pending[i]);
              code = r.ErrorCode;
            }
          });
          return again.length > 0
            ? { failed: again, errorCode: code }
            : { failed: pending.slice(), errorCode: 'FailedPutCount' };
        },
        { ...this.policy, budgetMs: remaining },
        (err) => FIREHOSE_FATAL.has(errorName(err)),
      );
      failed += outcome.failed.length;
      lastErrorCode = outcome.lastErrorCode ?? lastErrorCode;
      lastError = outcome.lastError ?? lastError;
    }
    if (failed > 0) {
      throw new BadRowWriteError(
        `${failed} of ${rows.length} bad rows not stored (last error: ${lastErrorCode ?? 'none'})`,
        failed,
        lastErrorCode,
        { cause: lastError },
      );
    }
  }

  /** Closes the clients' sockets. */
  destroy(): void {
    this.clients.destroy();
  }
}

/** Local sink: one Kinesis record per bad row, partition key = request id. */
export class KinesisBadRowSink implements BadRowSink {
  private readonly clients: ClientCache<KinesisClient>;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly target: Extract<BadRowTarget, { kind: 'kinesis' }>,
    opts: BadRowSinkOptions,
  ) {
    this.clients = kinesisClients({
      requestTimeoutMs: opts.budgetMs,
      localCredentials: opts.localCredentials,
      transport: opts.transport,
    });
    this.policy = { ...DEFAULT_RETRY, ...opts.retry, budgetMs: opts.budgetMs };
  }

  /** Stores every row or throws BadRowWriteError. */
  async write(rows: RefusalRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const entries = rows.map((r) => {
      const data = encoder.encode(JSON.stringify(r));
      // Kinesis partition keys are 1–256 characters.
      return { partitionKey: (r.request_id || 'unknown').slice(0, 256), data: () => data };
    });
    const outcome = await putRecordsReliably(this.clients, entries, [this.target], this.policy);
    if (outcome.failed.length > 0) {
      throw new BadRowWriteError(
        `${outcome.failed.length} of ${rows.length} bad rows not stored (last error: ${outcome.lastErrorCode ?? 'none'})`,
        outcome.failed.length,
        outcome.lastErrorCode,
        { cause: outcome.lastError },
      );
    }
  }

  /** Closes the clients' sockets. */
  destroy(): void {
    this.clients.destroy();
  }
}
