/**
 * The cost model behind `beacons cost`: a traffic shape → monthly cost lines for this architecture
 * (edge functions batching events into one Kinesis record per request, a consumer Lambda, the
 * chosen store) and for the original AWS demo (API Gateway REST with one event per request,
 * Kinesis, Kinesis Data Analytics / Managed Flink, Timestream for LiveAnalytics). Pure arithmetic
 * over prices.ts and the stated assumptions below; no AWS calls.
 */
import { DEFAULT_LAMBDA_CONSUMER_CONFIG } from '../../core-pipeline/config.js';
import { LAMBDA_EDGE_MEMORY_MB } from '../../edge/config.js';
import { type PriceId, price } from './prices.js';

/** The traffic shape. */
export interface Traffic {
  /** Viewers watching at the same time, during the viewing hours. */
  viewers: number;
  /** Hours per day during which that many viewers watch (0..24); a month is 30 days. */
  hoursPerDay: number;
  /** Events one viewer's player sends per minute (heartbeats included). */
  eventsPerMinute: number;
  /** Events per beacon request; default: what the SDK's 10 s flush collects (see defaultBatchSize). */
  batchSize?: number;
  /** Regions with a regional stack (stream, consumer, store). */
  regions: number;
  store: 'influxdb' | 'timestream';
}

/** What the model assumes where the flags say nothing; printed with every result. */
export const ASSUMPTIONS = {
  daysPerMonth: 30,
  /** The SDK's flush period (player/config/defaults.ts flushMs): a batch holds what 10 s collect. */
  sdkFlushSeconds: 10,
  /** Most events in one batch (schemas/limits.ts maxEventsPerBatch). */
  maxBatchSize: 200,
  /** JSON bytes of one event in a beacon body. */
  eventBytes: 180,
  /** Bytes of a beacon body around its events (envelope). */
  envelopeBytes: 300,
  /** Bytes the edge adds to each Kinesis record (geo, edge context). */
  recordOverheadBytes: 400,
  /** Bytes of the edge's answer, headers included. */
  responseBytes: 300,
  /** Lambda@Edge: memory and billed time per request (parse, validate, PutRecords). */
  edgeMemoryMb: LAMBDA_EDGE_MEMORY_MB,
  edgeMs: 25,
  /** Consumer Lambda: memory, Kinesis records per invocation, time per invocation and per event. */
  consumerMemoryMb: DEFAULT_LAMBDA_CONSUMER_CONFIG.memoryMb,
  consumerRecordsPerInvocation: DEFAULT_LAMBDA_CONSUMER_CONFIG.batchSize,
  consumerBaseMs: 40,
  consumerMsPerEvent: 0.1,
  /** S3 archive: gzip ratio and months kept (the deployment keeps 90 days). */
  archiveCompression: 0.15,
  archiveMonthsKept: 3,
  /** Firehose objects per region per hour (a 5-minute buffer). */
  archiveObjectsPerHour: 12,
  /** Timestream for InfluxDB: one db.influx.medium with 20 GB per region (infra/config.ts). */
  influxStorageGb: 20,
  /** Timestream LiveAnalytics: metered bytes of one of our multi-measure records and of one of the demo's single-measure records. */
  timestreamRecordBytes: 450,
  demoRecordBytes: 250,
  /** Memory and magnetic retention (the demo's defaults: 1 h, 1 day). */
  memoryHours: 1,
  magneticDays: 1,
  /** Query compute for the dashboards: TCU-hours per month per region. */
  queryTcuHours: 120,
  /** Flink: events per second one KPU handles, plus one orchestration KPU per application. */
  flinkEventsPerKpuSecond: 5000,
  /** Grafana users (the same for both architectures). */
  grafanaEditors: 1,
  grafanaViewers: 2,
} as const;

/** One line of the bill. */
export interface CostLine {
  component: string;
  quantity: number;
  /** The unit of `quantity`, e.g. "M requests". */
  unit: string;
  price: PriceId;
  usd: number;
}

/** A whole estimate. */
export interface Estimate {
  name: string;
  lines: CostLine[];
  monthlyUsd: number;
  /** Events (beacons) per month. */
  events: number;
  usdPerMillionEvents: number;
}

const A = ASSUMPTIONS;
const HOURS = 24 * A.daysPerMonth;
const GB = 1e9;

/**
 * Events per request the SDK sends by default, on average: what one flush period collects (a
 * fraction when it is not a whole number), at least one, at most a full batch.
 */
export function defaultBatchSize(eventsPerMinute: number): number {
  return Math.min(A.maxBatchSize, Math.max(1, (eventsPerMinute * A.sdkFlushSeconds) / 60));
}

/** Events per month. */
export function eventsPerMonth(t: Traffic): number {
  return t.viewers * t.hoursPerDay * 60 * A.daysPerMonth * t.eventsPerMinute;
}

/** A line from a quantity in the price's unit. `per` is how many units the price is for (1e6 for "per 1M"). */
function line(
  component: string,
  quantity: number,
  unit: string,
  priceId: PriceId,
  per = 1,
): CostLine {
  return { component, quantity, unit, price: priceId, usd: (quantity / per) * price(priceId).usd };
}

function estimate(name: string, lines: CostLine[], events: number): Estimate {
  const monthlyUsd = lines.reduce((s, l) => s + l.usd, 0);
  return {
    name,
    lines,
    monthlyUsd,
    events,
    usdPerMillionEvents: events > 0 ? monthlyUsd / (events / 1e6) : 0,
  };
}

/** Timestream for LiveAnalytics lines for `events` records of `recordBytes` in `regions` regions. */
function liveAnalytics(events: number, recordBytes: number, regions: number): CostLine[] {
  // Batched writes are metered per KiB of the request, so small records share write units.
  const writes = (events * recordBytes) / 1024;
  const perHourGb = ((events / HOURS) * recordBytes) / GB;
  return [
    line('Timestream writes (1 KB units)', writes, 'writes', 'timestreamWrites', 1e6),
    line(
      'Timestream memory store',
      perHourGb * A.memoryHours * HOURS,
      'GB-hours',
      'timestreamMemory',
    ),
    line(
      'Timestream magnetic store',
      perHourGb * 24 * A.magneticDays,
      'GB-months',
      'timestreamMagnetic',
    ),
    line('Timestream queries', A.queryTcuHours * regions, 'TCU-hours', 'timestreamQueryTcuHour'),
  ];
}

function grafana(): CostLine[] {
  return [
    line('Managed Grafana editors', A.grafanaEditors, 'seats', 'grafanaEditor'),
    line('Managed Grafana viewers', A.grafanaViewers, 'seats', 'grafanaViewer'),
  ];
}

/** This architecture: one request (and one Kinesis record) per batch of events. */
export function thisArchitecture(t: Traffic): Estimate {
  const events = eventsPerMonth(t);
  const batch = t.batchSize ?? defaultBatchSize(t.eventsPerMinute);
  const requests = events / batch;
  const bodyBytes = A.envelopeBytes + batch * A.eventBytes;
  const recordBytes = bodyBytes + A.recordOverheadBytes;
  const recordKb = Math.ceil(recordBytes / 1024);
  const invocations = requests / A.consumerRecordsPerInvocation;
  const consumerSeconds = (invocations * A.consumerBaseMs + events * A.consumerMsPerEvent) / 1000;
  const archivedGb = (requests * recordBytes) / GB;
  const lines: CostLine[] = [
    line('CloudFront HTTPS requests', requests, 'requests', 'cloudfrontHttpsRequests', 1e6),
    line(
      'CloudFront Functions (viewer request)',
      requests,
      'invocations',
      'cloudfrontFunctions',
      1e6,
    ),
    line(
      'CloudFront bodies to the edge function',
      (requests * bodyBytes) / GB,
      'GB',
      'cloudfrontDataToOrigin',
    ),
    line(
      'CloudFront answers to viewers',
      (requests * A.responseBytes) / GB,
      'GB',
      'cloudfrontDataOut',
    ),
    line('Lambda@Edge requests', requests, 'requests', 'lambdaEdgeRequests', 1e6),
    line(
      'Lambda@Edge duration',
      requests * (A.edgeMs / 1000) * (A.edgeMemoryMb / 1024),
      'GB-s',
      'lambdaEdgeGbSecond',
    ),
    // One events stream per region plus the bad-rows stream in the home region.
    line('Kinesis on-demand streams', (t.regions + 1) * HOURS, 'stream-hours', 'kinesisStreamHour'),
    line(
      'Kinesis data in (1 KB per record)',
      (requests * recordKb * 1024) / GB,
      'GB',
      'kinesisDataIn',
    ),
    // Two readers: the consumer Lambda and the Firehose archive.
    line(
      'Kinesis data out (consumer + archive)',
      (2 * requests * recordBytes) / GB,
      'GB',
      'kinesisDataOut',
    ),
    line(
      'Firehose to S3 (5 KB per record)',
      (requests * Math.ceil(recordBytes / 5120) * 5120) / GB,
      'GB',
      'firehoseIngest',
    ),
    line(
      'S3 archive storage',
      archivedGb * A.archiveCompression * A.archiveMonthsKept,
      'GB-months',
      's3Storage',
    ),
    line('S3 archive PUTs', t.regions * HOURS * A.archiveObjectsPerHour, 'PUTs', 's3Put', 1000),
    line('Consumer Lambda requests', invocations, 'invocations', 'lambdaRequests', 1e6),
    line(
      'Consumer Lambda duration',
      consumerSeconds * (A.consumerMemoryMb / 1024),
      'GB-s',
      'lambdaGbSecond',
    ),
    ...(t.store === 'influxdb'
      ? [
          line(
            'Timestream for InfluxDB instances',
            t.regions * HOURS,
            'instance-hours',
            'influxdbInstanceHour',
          ),
          line(
            'Timestream for InfluxDB storage',
            t.regions * A.influxStorageGb,
            'GB-months',
            'influxdbStorage',
          ),
        ]
      : liveAnalytics(events, A.timestreamRecordBytes, t.regions)),
    ...grafana(),
  ];
  return estimate(`beacon-edge (${t.store}, batch of ${round(batch)})`, lines, events);
}

/** The original AWS demo: API Gateway REST, one event per request and record, Flink, Timestream. */
export function originalDemo(t: Traffic): Estimate {
  const events = eventsPerMonth(t);
  const eventBytes = A.envelopeBytes + A.eventBytes;
  const eventsPerSecond = events / (t.hoursPerDay * 3600 * A.daysPerMonth || 1);
  const kpus = Math.max(1, Math.ceil(eventsPerSecond / A.flinkEventsPerKpuSecond)) + 1;
  const lines: CostLine[] = [
    line('API Gateway REST requests', events, 'requests', 'apiGatewayRest', 1e6),
    line('Kinesis on-demand stream', HOURS, 'stream-hours', 'kinesisStreamHour'),
    line(
      'Kinesis data in (1 KB per record)',
      (events * Math.ceil(eventBytes / 1024) * 1024) / GB,
      'GB',
      'kinesisDataIn',
    ),
    line('Kinesis data out (Flink)', (events * eventBytes) / GB, 'GB', 'kinesisDataOut'),
    // Sized for the viewing hours' rate and left running all month, as a streaming job is.
    line('Managed Flink KPUs (incl. orchestration)', kpus * HOURS, 'KPU-hours', 'flinkKpuHour'),
    line('Managed Flink running storage', kpus * 50, 'GB-months', 'flinkStorage'),
    ...liveAnalytics(events, A.demoRecordBytes, 1),
    ...grafana(),
  ];
  return estimate('original AWS demo (API Gateway, Flink, Timestream)', lines, events);
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
