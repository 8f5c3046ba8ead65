/**
 * The dated price table `beacons cost` computes from: on-demand list prices in us-east-1, each with
 * the page it was read from. Prices change; the date says when they were read, and `note` says
 * where a price could not be confirmed from the page itself (check those before relying on them).
 * Free tiers are left out: at the traffic this tool is for, they are rounding errors.
 */

/** When the prices were read. */
export const PRICES_DATE = '2026-11-30';
/** The region every price is for. */
export const PRICES_REGION = 'us-east-1';

/** One price. */
export interface Price {
  /** What is charged, e.g. "per 1M requests". */
  unit: string;
  usd: number;
  source: string;
  /** Set when the number could not be confirmed on the source page. */
  note?: string;
}

const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const KINESIS = 'https://aws.amazon.com/kinesis/data-streams/pricing/';
const FIREHOSE = 'https://aws.amazon.com/firehose/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const TIMESTREAM = 'https://aws.amazon.com/timestream/pricing/';
const APIGW = 'https://aws.amazon.com/api-gateway/pricing/';
const FLINK = 'https://aws.amazon.com/managed-service-apache-flink/pricing/';
const GRAFANA = 'https://aws.amazon.com/grafana/pricing/';
const UNCONFIRMED =
  'not shown in the stored copy of the page: the figure is the last known list price';

/** Every price the model uses. */
export const PRICES = {
  cloudfrontHttpsRequests: { unit: 'per 1M HTTPS requests (US)', usd: 1.0, source: CLOUDFRONT },
  cloudfrontDataOut: {
    unit: 'per GB out to the internet (US, first 10 TB)',
    usd: 0.085,
    source: CLOUDFRONT,
  },
  cloudfrontDataToOrigin: {
    unit: 'per GB to the origin or edge function (US)',
    usd: 0.02,
    source: CLOUDFRONT,
    note: UNCONFIRMED,
  },
  cloudfrontFunctions: { unit: 'per 1M invocations', usd: 0.1, source: CLOUDFRONT },
  lambdaEdgeRequests: { unit: 'per 1M requests', usd: 0.6, source: CLOUDFRONT },
  lambdaEdgeGbSecond: { unit: 'per GB-second', usd: 0.00005001, source: CLOUDFRONT },
  lambdaRequests: { unit: 'per 1M requests', usd: 0.2, source: LAMBDA },
  lambdaGbSecond: { unit: 'per GB-second (x86)', usd: 0.0000166667, source: LAMBDA },
  kinesisStreamHour: {
    unit: 'per on-demand stream-hour',
    usd: 0.04,
    source: KINESIS,
    note: UNCONFIRMED,
  },
  kinesisDataIn: {
    unit: 'per GB written (on-demand; each record rounded up to 1 KB)',
    usd: 0.08,
    source: KINESIS,
    note: UNCONFIRMED,
  },
  kinesisDataOut: {
    unit: 'per GB read (on-demand)',
    usd: 0.04,
    source: KINESIS,
    note: UNCONFIRMED,
  },
  firehoseIngest: {
    unit: 'per GB from a Kinesis stream (each record rounded up to 5 KB; first 500 TB)',
    usd: 0.029,
    source: FIREHOSE,
    note: UNCONFIRMED,
  },
  s3Storage: {
    unit: 'per GB-month (Standard, first 50 TB)',
    usd: 0.023,
    source: S3,
    note: UNCONFIRMED,
  },
  s3Put: { unit: 'per 1,000 PUT requests', usd: 0.005, source: S3, note: UNCONFIRMED },
  influxdbInstanceHour: {
    unit: 'per db.influx.medium instance-hour (Single-AZ)',
    usd: 0.21,
    source: TIMESTREAM,
    note: `${UNCONFIRMED}; check the instance table`,
  },
  influxdbStorage: {
    unit: 'per GB-month (Influx IOPS Included 3K)',
    usd: 0.2,
    source: TIMESTREAM,
    note: `${UNCONFIRMED}; check the storage table`,
  },
  timestreamWrites: { unit: 'per 1M writes of 1 KB', usd: 0.5, source: TIMESTREAM },
  timestreamMemory: { unit: 'per GB-hour in the memory store', usd: 0.036, source: TIMESTREAM },
  timestreamMagnetic: { unit: 'per GB-month in the magnetic store', usd: 0.03, source: TIMESTREAM },
  timestreamQueryTcuHour: {
    unit: 'per TCU-hour of queries',
    usd: 0.5,
    source: TIMESTREAM,
    note: UNCONFIRMED,
  },
  apiGatewayRest: { unit: 'per 1M REST API requests (first 333M)', usd: 3.5, source: APIGW },
  flinkKpuHour: { unit: 'per KPU-hour', usd: 0.11, source: FLINK, note: UNCONFIRMED },
  flinkStorage: {
    unit: 'per GB-month of running application storage (50 GB per KPU)',
    usd: 0.1,
    source: FLINK,
    note: UNCONFIRMED,
  },
  grafanaEditor: { unit: 'per active editor per workspace-month', usd: 9, source: GRAFANA },
  grafanaViewer: { unit: 'per active viewer per workspace-month', usd: 5, source: GRAFANA },
} as const satisfies Record<string, Price>;

/** A price by its key, typed as the general shape (so `note` reads as optional). */
export function price(id: PriceId): Price {
  return PRICES[id];
}

/** The key of a price. */
export type PriceId = keyof typeof PRICES;
