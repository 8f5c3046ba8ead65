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
  /**
   * Memory added to `memoryLimit` per stored event, in bytes (0: the limit stays fixed). The
   * event_id key's index lives in memory and grows with the table, so a limit that fits a
   * short run's store refuses writes and reads of a store holding millions of events; the store
   * raises its limit as it grows (at open and with each rollup upkeep), up to `memoryLimitMaxMb`.
   */
  memoryPerEventBytes: number;
  /** Ceiling of the grown memory limit, in MiB. */
  memoryLimitMaxMb: number;
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
  /**
   * Whether writes maintain the 1-minute rollups. Off only to measure what they cost: a store
   * written without them has rollups that miss those events.
   */
  rollups: boolean;
  /**
   * Sessions idle longer than this (by their latest event time) leave the rollup engine's memory;
   * a later event of one reloads its state from the stored events.
   */
  rollupHorizonMs: number;
  /**
   * Most sessions the rollup engine holds (its memory bound, a few hundred bytes each): past it,
   * upkeep forgets the longest-held first, and a store opens with the most recently active ones.
   * A forgotten session's next events reload its state from the store.
   */
  rollupMaxSessions: number;
  /** How often rollup upkeep runs (compaction, eviction); 0 turns the timer off. */
  rollupMaintenanceMs: number;
  /** A minute's delta rows are compacted once the minute ended this long ago (late batches settle). */
  rollupCompactAfterMs: number;
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
  /** Table of rollout refusals (one record per refused request). */
  refusalsTable: string;
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
  refusalsTable: 'rollout_refusals',
  memoryRetentionHours: 1,
  retry: { backoffMs: 100, maxBackoffMs: 2000, maxAttempts: 8, budgetMs: 10_000 },
};

/** Which InfluxDB write API a sink speaks. */
export type InfluxWriteApi = 'v1' | 'v2';

/**
 * InfluxDB sink settings. `url`, `database` and the token come from the deployment (the consumer
 * Lambda's environment, lambda/env.ts); the numbers below have defaults.
 */
export interface InfluxDbConfig {
  /** Base URL, e.g. `https://<id>.<region>.timestream-influxdb.amazonaws.com:8086`. */
  url: string;
  /**
   * `v1`: `/write?db=` (InfluxDB 1.x, and InfluxDB 3's compatibility endpoint); `v2`:
   * `/api/v2/write?org=&bucket=` (Timestream for InfluxDB v2 instances).
   */
  api: InfluxWriteApi;
  /** Database (v1) or bucket (v2). */
  database: string;
  /** Organisation (v2 only). */
  org: string;
  /** Sent as `Authorization: Token <token>`; empty sends no header (a local influxd). */
  token: string;
  /** Lines per write request: InfluxDB's documentation recommends batches of about 5,000 lines. */
  maxLinesPerWrite: number;
  /**
   * Bytes per write request. Events with long strings (error messages, attrs) make lines long, and
   * servers cap a request body (InfluxDB 1.x 25 MB, proxies often less); a smaller body also costs
   * less to resend after a 5xx.
   */
  maxBytesPerWrite: number;
  /** One request's deadline; a hung server counts as a transient failure and is retried. */
  requestTimeoutMs: number;
  /**
   * Time one write may spend retrying 429/5xx/network failures before the sink gives up with
   * SinkWriteError. Must stay well under the Lambda timeout so the handler can still answer.
   */
  retryBudgetMs: number;
  /** Full-jitter backoff between retries (common/backoff.ts). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /**
   * Most extra requests spent isolating the lines a 400/413/422 refuses (bisection). One bad line
   * in 5,000 costs about 26; past this cap the refusal is systematic (a wrong database, a field
   * whose type changed everywhere) and the batch fails with SinkWriteError instead.
   */
  maxIsolationWrites: number;
  /**
   * The SDK names kept as the `sdk_name` tag; any other is tagged `other` (the name sent stays the
   * field `sdk_name_sent`). Empty: every name of package-name shape is kept, so a client inventing
   * names mints series; a deployment that knows its SDKs lists them (`cmcd`, CMCD reports' name,
   * is kept with any list).
   */
  sdkNames: readonly string[];
}

/** Consumer Lambda settings. */
export interface LambdaConsumerConfig {
  /**
   * Kinesis records per invocation (the event source mapping's BatchSize, which the CDK app sets
   * from here): a batch is one or a few store writes, and 500 records of a few KiB stay far below
   * Lambda's 6 MB payload.
   */
  batchSize: number;
  /** Memory of the function: decoding and line-protocol encoding are CPU-bound, and CPU follows memory. */
  memoryMb: number;
  /**
   * Most rows (events + bad rows) per sink write. Equal to InfluxDB's recommended lines per
   * request, so a group is usually one HTTP write, and a failed group costs Lambda's retry only
   * the records from that group on.
   */
  maxRowsPerWrite: number;
}

/** Consumer Lambda defaults. */
export const DEFAULT_LAMBDA_CONSUMER_CONFIG: LambdaConsumerConfig = {
  batchSize: 500,
  memoryMb: 512,
  maxRowsPerWrite: 5000,
};

/** Secrets Manager token cache settings. */
export interface SecretConfig {
  /**
   * How long a container keeps the token before reading the secret again: long enough that a
   * warm container costs no API call per batch, short enough that a rotated token is picked up.
   */
  ttlMs: number;
}

const DEFAULT_INFLUXDB_CONFIG: Omit<InfluxDbConfig, 'url' | 'database'> = {
  api: 'v1',
  org: '',
  token: '',
  maxLinesPerWrite: 5000,
  maxBytesPerWrite: 4 * 1024 * 1024,
  requestTimeoutMs: 10_000,
  retryBudgetMs: 30_000,
  backoffBaseMs: 200,
  backoffMaxMs: 5000,
  maxIsolationWrites: 256,
  sdkNames: [],
};

const DEFAULT_SECRET_CONFIG: SecretConfig = { ttlMs: 5 * 60_000 };

/** Fills a partial InfluxDB config with the defaults (`url` and `database` are required). */
export function withInfluxDbDefaults(
  partial: Partial<InfluxDbConfig> & Pick<InfluxDbConfig, 'url' | 'database'>,
): InfluxDbConfig {
  return { ...DEFAULT_INFLUXDB_CONFIG, ...stripUndefined(partial) } as InfluxDbConfig;
}

/** Fills a partial secret-cache config with the defaults. */
export function withSecretDefaults(partial: Partial<SecretConfig> = {}): SecretConfig {
  return { ...DEFAULT_SECRET_CONFIG, ...stripUndefined(partial) };
}

/** DuckDB defaults (see DuckDbConfig for why each value). */
const DEFAULT_DUCKDB_CONFIG: DuckDbConfig = {
  memoryLimit: '96MB',
  memoryPerEventBytes: 64,
  memoryLimitMaxMb: 4096,
  threads: 2,
  checkpointThreshold: '32MB',
  allocatorFlushThreshold: '8MB',
  readConnections: 2,
  rollups: true,
  rollupHorizonMs: 6 * 3_600_000,
  rollupMaxSessions: 1_000_000,
  rollupMaintenanceMs: 60_000,
  rollupCompactAfterMs: 120_000,
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
