/**
 * Core-pipeline configuration: every default in one place. Callers pass partial objects; the
 * `with*Defaults` helpers fill the rest, so no other file invents a number.
 */

/** DuckDB store settings. */
export interface DuckDbConfig {
  /**
   * DuckDB's buffer memory limit. The local stack must stay under 500 MB for the whole process,
   * and DuckDB's resident memory runs well above this limit (allocator caches, the event_id
   * index), so it is set low; a higher limit cost memory without speeding up inserts
   * (docs/BENCHMARKS.md, core-store).
   */
  memoryLimit: string;
  /** DuckDB worker threads (the machine has 2 cores). */
  threads: number;
  /**
   * WAL size that triggers a checkpoint. Each checkpoint rewrites the event_id index, so its cost
   * grows with the table; DuckDB's default checkpoints so often under the target load that commit
   * time dominates, and larger sizes than this one mostly add memory (docs/BENCHMARKS.md).
   */
  checkpointThreshold: string;
  /**
   * Memory DuckDB's allocator may keep cached per thread before returning it to the system.
   * Lower than the default so freed buffers do not sit in the process under a steady load
   * (docs/BENCHMARKS.md, e2e-load notes).
   */
  allocatorFlushThreshold: string;
  /** Connections for reads (dashboard queries run concurrently with writes on their own connection). */
  readConnections: number;
}

/** Kinesis consumer settings. */
export interface ConsumerConfig {
  /** Pause between GetRecords calls on a shard that returned nothing. */
  pollIntervalMs: number;
  /**
   * GetRecords Limit (Kinesis max 10,000). Bounds memory when the consumer is behind: one record
   * holds up to LIMITS.maxEventsPerBatch events (schemas/limits.ts). 200 records at 5 calls/s
   * still reads 1,000 records/s per shard, the most a shard can take in.
   */
  maxRecordsPerCall: number;
  /**
   * Most events merged into one sink transaction (a single shard's batch is never split). Keeps a
   * catch-up after downtime from building one huge transaction in memory.
   */
  maxEventsPerWrite: number;
  /** How often ListShards runs again to pick up resharding. */
  shardRefreshMs: number;
  /**
   * Ceiling of the first back-off after a throughput or transient error; doubles with each
   * further failure up to `maxBackoffMs` (full jitter, common/backoff.ts).
   */
  backoffMs: number;
  /** Largest back-off ceiling. */
  maxBackoffMs: number;
}

/** How the Timestream sink retries throttling and server errors (full jitter, common/backoff.ts). */
export interface TimestreamRetryConfig {
  /** Ceiling of the first back-off, ms; doubles with each further try. */
  backoffMs: number;
  /** Largest back-off ceiling, ms. */
  maxBackoffMs: number;
  /** Tries of one request, the first included. */
  maxAttempts: number;
  /**
   * Most time spent waiting between tries of one request, ms. Past it the batch fails with
   * SinkWriteError and the event source mapping retries it later: better than holding a Lambda
   * invocation open while the table is throttled.
   */
  budgetMs: number;
}

/** Timestream for LiveAnalytics sink settings. */
export interface TimestreamConfig {
  database: string;
  eventsTable: string;
  badRowsTable: string;
  /**
   * The tables' memory-store retention, hours. Records older than this are refused by the service,
   * so the sink turns them into bad rows before it writes (the deployment's default: 1 h, as the
   * AWS demo).
   */
  memoryRetentionHours: number;
  retry: TimestreamRetryConfig;
}

/** Timestream defaults; database and table names come from the deployment. */
const DEFAULT_TIMESTREAM_CONFIG: Omit<
  TimestreamConfig,
  'database' | 'eventsTable' | 'badRowsTable'
> = {
  memoryRetentionHours: 1,
  retry: { backoffMs: 100, maxBackoffMs: 2000, maxAttempts: 8, budgetMs: 10_000 },
};

/** DuckDB defaults (see DuckDbConfig for why each value). */
const DEFAULT_DUCKDB_CONFIG: DuckDbConfig = {
  memoryLimit: '96MB',
  threads: 2,
  checkpointThreshold: '32MB',
  allocatorFlushThreshold: '8MB',
  readConnections: 2,
};

/** Consumer defaults. */
const DEFAULT_CONSUMER_CONFIG: ConsumerConfig = {
  pollIntervalMs: 200,
  maxRecordsPerCall: 200,
  maxEventsPerWrite: 20000,
  shardRefreshMs: 30000,
  backoffMs: 250,
  maxBackoffMs: 5000,
};

/** Fills a partial DuckDB config with the defaults. */
export function withDuckDbDefaults(partial: Partial<DuckDbConfig> = {}): DuckDbConfig {
  return { ...DEFAULT_DUCKDB_CONFIG, ...stripUndefined(partial) };
}

/** Fills a partial consumer config with the defaults. */
export function withConsumerDefaults(partial: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return { ...DEFAULT_CONSUMER_CONFIG, ...stripUndefined(partial) };
}

/** Fills a partial Timestream config with the defaults (names are required). */
export function withTimestreamDefaults(
  partial: Pick<TimestreamConfig, 'database' | 'eventsTable' | 'badRowsTable'> &
    Partial<Omit<TimestreamConfig, 'retry'>> & { retry?: Partial<TimestreamRetryConfig> },
): TimestreamConfig {
  const { retry, ...rest } = partial;
  return {
    ...DEFAULT_TIMESTREAM_CONFIG,
    ...stripUndefined(rest),
    retry: { ...DEFAULT_TIMESTREAM_CONFIG.retry, ...stripUndefined(retry ?? {}) },
  } as TimestreamConfig;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
