/**
 * The consumer Lambda's environment contract, read in one place. The CDK regional stack sets these
 * variables; nothing else in the core pipeline reads `process.env`.
 *
 * | variable                     | meaning                                                      |
 * |------------------------------|--------------------------------------------------------------|
 * | `BEACONS_STORE`              | `influxdb` or `timestream`                                   |
 * | `BEACONS_BAD_ROW_STREAMS`    | comma-separated names of streams that carry bad rows         |
 * | `INFLUXDB_URL`               | the InfluxDB endpoint, `https://host:8086`                   |
 * | `INFLUXDB_TOKEN_SECRET_ARN`  | the Secrets Manager secret holding the token                 |
 * | `INFLUXDB_DATABASE`          | database (v1 API) or bucket (v2 API)                         |
 * | `INFLUXDB_ORG`               | organisation; set, it selects the v2 API                     |
 * | `INFLUXDB_API`               | optional `v1`/`v2`, overrides the choice made from the org   |
 * | `INFLUXDB_SDK_NAMES`         | optional comma list: the SDK names kept as the `sdk_name` tag (others: `other`) |
 * | `TIMESTREAM_DATABASE`, `TIMESTREAM_EVENTS_TABLE`, `TIMESTREAM_BAD_ROWS_TABLE` | LiveAnalytics |
 * | `TIMESTREAM_REFUSALS_TABLE`  | optional: the rollout refusals' table (default `rollout_refusals`) |
 * | `TIMESTREAM_MEMORY_RETENTION_HOURS` | optional: the tables' memory-store retention (older events become bad rows) |
 * | `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE` | read by Powertools itself       |
 */
import type { InfluxWriteApi } from '../config.js';
import { ConsumerConfigError } from '../errors.js';

/** InfluxDB settings from the environment. */
export interface InfluxEnv {
  url: string;
  tokenSecretArn: string;
  database: string;
  org: string;
  api: InfluxWriteApi;
  /** SDK names kept as the `sdk_name` tag; empty: every name of the shape. */
  sdkNames: string[];
}

/** Timestream for LiveAnalytics settings from the environment. */
export interface TimestreamEnv {
  database: string;
  eventsTable: string;
  badRowsTable: string;
  /** `TIMESTREAM_REFUSALS_TABLE`; the sink's default (`rollout_refusals`) when absent. */
  refusalsTable?: string;
  /** The tables' memory-store retention, hours (`TIMESTREAM_MEMORY_RETENTION_HOURS`); the sink's default when absent. */
  memoryRetentionHours?: number;
}

/** The whole contract, checked. */
export type ConsumerEnv = { badRowStreams: string[] } & (
  | { store: 'influxdb'; influxdb: InfluxEnv }
  | { store: 'timestream'; timestream: TimestreamEnv }
);

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConsumerConfigError(name, 'is required and not set');
  return v;
}

/** `TIMESTREAM_MEMORY_RETENTION_HOURS` when set: a whole number of hours the service accepts (1..8766). */
function retentionHours(env: Env): { memoryRetentionHours?: number } {
  const raw = env.TIMESTREAM_MEMORY_RETENTION_HOURS?.trim();
  if (!raw) return {};
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > 8766) {
    throw new ConsumerConfigError(
      'TIMESTREAM_MEMORY_RETENTION_HOURS',
      `must be a whole number of hours from 1 to 8766, got ${JSON.stringify(raw)}`,
    );
  }
  return { memoryRetentionHours: hours };
}

/** A comma list variable's non-empty entries, trimmed; none when unset. */
function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Reads and checks the consumer's environment.
 * @throws ConsumerConfigError naming the first variable that is missing or wrong.
 */
export function readConsumerEnv(env: Env = process.env): ConsumerEnv {
  const badRowStreams = commaList(env.BEACONS_BAD_ROW_STREAMS);
  const store = required(env, 'BEACONS_STORE');
  if (store === 'influxdb') {
    const url = required(env, 'INFLUXDB_URL');
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      throw new ConsumerConfigError(
        'INFLUXDB_URL',
        `must be an http(s) URL, got ${JSON.stringify(url)}`,
      );
    }
    const org = env.INFLUXDB_ORG?.trim() ?? '';
    const apiVar = env.INFLUXDB_API?.trim();
    if (apiVar && apiVar !== 'v1' && apiVar !== 'v2') {
      throw new ConsumerConfigError(
        'INFLUXDB_API',
        `must be v1 or v2, got ${JSON.stringify(apiVar)}`,
      );
    }
    const api: InfluxWriteApi = (apiVar as InfluxWriteApi | undefined) ?? (org ? 'v2' : 'v1');
    if (api === 'v2' && !org) {
      throw new ConsumerConfigError('INFLUXDB_ORG', 'is required by the v2 write API');
    }
    return {
      store,
      badRowStreams,
      influxdb: {
        url,
        tokenSecretArn: required(env, 'INFLUXDB_TOKEN_SECRET_ARN'),
        database: required(env, 'INFLUXDB_DATABASE'),
        org,
        api,
        sdkNames: commaList(env.INFLUXDB_SDK_NAMES),
      },
    };
  }
  if (store === 'timestream') {
    return {
      store,
      badRowStreams,
      timestream: {
        database: required(env, 'TIMESTREAM_DATABASE'),
        eventsTable: required(env, 'TIMESTREAM_EVENTS_TABLE'),
        badRowsTable: required(env, 'TIMESTREAM_BAD_ROWS_TABLE'),
        ...(env.TIMESTREAM_REFUSALS_TABLE ? { refusalsTable: env.TIMESTREAM_REFUSALS_TABLE } : {}),
        ...retentionHours(env),
      },
    };
  }
  throw new ConsumerConfigError(
    'BEACONS_STORE',
    `must be influxdb or timestream, got ${JSON.stringify(store)}`,
  );
}
