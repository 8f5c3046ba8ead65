/**
 * The record writer used at the edge: EnrichedRecords (and CmcdRecords) to the nearest regional Kinesis stream,
 * partition key = session id (a session stays ordered). In the `beacon-record` wire format one
 * Kinesis record holds an accepted request; in `timestream-flink` each event is a Kinesis record
 * of its own (timestream-flink.ts), all of them put and retried together, so a request is
 * acknowledged only when every one of its events is stored.
 */
import type { EdgeConfig, StreamTarget, WireFormat } from '../config.js';
import { StreamUnavailableError } from '../errors.js';
import type { RecordWriter } from '../ingest/types.js';
import type { StreamRecord } from '../ingest/types.js';
import { isCmcdRecord } from '../cmcd/records.js';
import {
  kinesisClients,
  type ClientCache,
  type ClientOptions,
  type KinesisClient,
} from './clients.js';
import { putRecordsReliably, type KinesisEntry } from './kinesis-put.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { toFlinkEvents } from './timestream-flink.js';
import { cmcdFlinkEvents } from './timestream-flink-cmcd.js';

/** Options of KinesisRecordWriter. */
export interface KinesisRecordWriterOptions {
  /** Total time one `write` may take (EdgeConfig.writeBudgetMs). */
  budgetMs: number;
  /** Static credentials for kinesalite only. */
  localCredentials?: EdgeConfig['localCredentials'];
  /** Backoff tuning; tests pass a fixed `random`. */
  retry?: Partial<Omit<RetryPolicy, 'budgetMs'>>;
  /** What a record becomes on the stream (EdgeConfig.wireFormat); `beacon-record` when absent. */
  wireFormat?: WireFormat;
  /** Replaces the HTTP layer (tests). */
  transport?: ClientOptions['transport'];
}

const encoder = new TextEncoder();

/**
 * Writes EnrichedRecords with PutRecords. Clients are per region, created lazily and kept for the
 * container's life. Several records may go in one call (≤ 500 records / 5 MiB per request).
 *
 * @example
 * const writer = KinesisRecordWriter.fromConfig(config);
 * await writer.write([record], nearestStreams(edgeRegion, config.streams));
 */
export class KinesisRecordWriter implements RecordWriter {
  private readonly clients: ClientCache<KinesisClient>;
  private readonly policy: RetryPolicy;
  private readonly toEntries: (record: StreamRecord) => KinesisEntry[];

  constructor(opts: KinesisRecordWriterOptions) {
    this.toEntries = opts.wireFormat === 'timestream-flink' ? flinkEntries : (r) => [toEntry(r)];
    this.clients = kinesisClients({
      requestTimeoutMs: opts.budgetMs,
      localCredentials: opts.localCredentials,
      transport: opts.transport,
    });
    this.policy = { ...DEFAULT_RETRY, ...opts.retry, budgetMs: opts.budgetMs };
  }

  /** A writer with the config's budget and (local only) credentials. */
  static fromConfig(
    config: EdgeConfig,
    retry?: KinesisRecordWriterOptions['retry'],
  ): KinesisRecordWriter {
    return new KinesisRecordWriter({
      budgetMs: config.writeBudgetMs,
      localCredentials: config.localCredentials,
      retry,
      wireFormat: config.wireFormat,
    });
  }

  /**
   * Stores every record on the first stream of `route` that takes it. Throws
   * StreamUnavailableError (with the indexes not stored) when the budget is spent or every
   * stream refused. A record stored on a fallback stream says so in `edge.stream_region`.
   */
  async write(records: StreamRecord[], route: StreamTarget[]): Promise<void> {
    if (records.length === 0) return;
    if (route.length === 0) {
      throw new StreamUnavailableError(
        'no streams configured',
        records.map((_, i) => i),
        0,
        undefined,
      );
    }
    // Entry i belongs to record owner[i]: a record is stored only when all its entries are.
    const entries: KinesisEntry[] = [];
    const owner: number[] = [];
    records.forEach((record, i) => {
      for (const entry of this.toEntries(record)) {
        entries.push(entry);
        owner.push(i);
      }
    });
    const outcome = await putRecordsReliably(this.clients, entries, route, this.policy);
    if (outcome.failed.length > 0) {
      const failed = [...new Set(outcome.failed.map((i) => owner[i]))];
      throw new StreamUnavailableError(
        `${failed.length} of ${records.length} records not stored (${outcome.failed.length} of ${entries.length} Kinesis records) after ${outcome.attempts} attempts (last error: ${outcome.lastErrorCode ?? 'none'})`,
        failed,
        outcome.attempts,
        outcome.lastErrorCode,
        { cause: outcome.lastError },
      );
    }
  }

  /** Number of clients created so far (one per region used). */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Closes the clients (tests and the local runner; Lambda never needs to). */
  destroy(): void {
    this.clients.destroy();
  }
}

/** Serializes per target, once each: only a fallback stream needs a different stream_region. */
function toEntry(record: StreamRecord): KinesisEntry {
  const cache = new Map<string, Uint8Array>();
  return {
    partitionKey: record.session_id,
    data: (target) => {
      let bytes = cache.get(target.region);
      if (!bytes) {
        const stored =
          target.region === record.edge.stream_region
            ? record
            : { ...record, edge: { ...record.edge, stream_region: target.region } };
        bytes = encoder.encode(JSON.stringify(stored));
        cache.set(target.region, bytes);
      }
      return bytes;
    },
  };
}

/**
 * One entry per event in the Flink job's format. The events of a record are mapped once per
 * target region (a fallback stream names its own region) and shared by the record's entries.
 */
function flinkEntries(record: StreamRecord): KinesisEntry[] {
  const cache = new Map<string, Uint8Array[]>();
  const encoded = (region: string) => {
    let all = cache.get(region);
    if (!all) {
      const flat = isCmcdRecord(record)
        ? cmcdFlinkEvents(record, region)
        : toFlinkEvents(record, region);
      all = flat.map((e) => encoder.encode(JSON.stringify(e)));
      cache.set(region, all);
    }
    return all;
  };
  const count = isCmcdRecord(record) ? record.reports.length : record.events.length;
  return Array.from({ length: count }, (_, i) => ({
    partitionKey: record.session_id,
    data: (target) => encoded(target.region)[i],
  }));
}
