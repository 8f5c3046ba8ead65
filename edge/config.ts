/**
 * Edge configuration. Lambda@Edge has no environment variables, so this object is compiled into
 * the origin-request bundle at build time (esbuild `define` of `__BEACON_EDGE_CONFIG__`); the
 * CloudFront Function gets the subset it needs the same way. Defaults live here and only here.
 */

import { CMCD_PATH } from '../schemas/cmcd.js';
import { LIMITS } from '../schemas/limits.js';

/** A regional Kinesis stream the edge may write to. */
export interface StreamTarget {
  region: string;
  streamName: string;
  /** Only for local/kinesalite; absent on AWS. */
  endpoint?: string;
}

/**
 * What the edge writes to Kinesis: `beacon-record` is our record (one per request, read by the
 * core pipeline); `timestream-flink` is one flat JSON object per event, the input of the AWS
 * demo's Flink job (edge/writers/timestream-flink.ts).
 */
export type WireFormat = 'beacon-record' | 'timestream-flink';

/** Where rejected events and bodies go. */
export type BadRowTarget =
  | { kind: 'firehose'; region: string; deliveryStreamName: string; endpoint?: string }
  | { kind: 'kinesis'; region: string; streamName: string; endpoint?: string };

export interface EdgeConfig {
  /** Ingest paths (POST). Avoid "beacon"/"collect"/"ping": ad blockers block them. */
  ingestPaths: string[];
  /** Origins allowed for CORS; `*` allows any. */
  allowedOrigins: string[];
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /** Largest accepted number of events in one batch. */
  maxEvents: number;
  /** Events whose client time is further than this from the batch's sent_at are rejected. */
  maxEventAgeMs: number;
  /** Regional streams; the nearest to the edge location is used, the others are fallbacks. */
  streams: StreamTarget[];
  badRows: BadRowTarget;
  /** What each accepted request becomes on the stream (bad rows are the same in both). */
  wireFormat: WireFormat;
  /** Total time the handler may spend writing (including retries) before answering 503. */
  writeBudgetMs: number;
  /**
   * Rollout rules compiled in (edge/rollout.ts format, one value per scope): what applies when the
   * KeyValueStore cannot be read (no store associated, key missing, read failed). Also the seed of
   * the store's rollout keys. Absent: no rules, everything live.
   */
  rollout?: { schemas: string; sdks: string };
  /** Static credentials for a local Kinesis emulator only (kinesalite accepts anything). Never set on AWS. */
  localCredentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Memory of the deployed Lambda@Edge function (the CDK app sets it; `beacons cost` prices it).
 * Lambda gives CPU in proportion to memory, and a cold start happens on a viewer's request path
 * with no provisioned concurrency at the edge to hide it, so the function gets more than its few
 * MB of working memory need.
 */
export const LAMBDA_EDGE_MEMORY_MB = 512;

/** Name of the header the viewer-request function stamps: `pop=FRA56-C1;region=eu-central-1;t=<ms>`. */
export const EDGE_HEADER = 'x-beacon-edge';

/** Regions of the default deployment: one stream per region. */
export const DEFAULT_REGIONS = ['us-east-1', 'eu-central-1', 'ap-southeast-1'] as const;

/** Stream name used in every region. */
const DEFAULT_STREAM_NAME = 'beacon-edge-events';

export const DEFAULT_CONFIG: EdgeConfig = {
  ingestPaths: ['/v1/events', CMCD_PATH],
  allowedOrigins: ['*'],
  maxBodyBytes: LIMITS.maxBodyBytes,
  maxEvents: LIMITS.maxEventsPerBatch,
  maxEventAgeMs: 24 * 60 * 60 * 1000,
  streams: DEFAULT_REGIONS.map((region) => ({ region, streamName: DEFAULT_STREAM_NAME })),
  badRows: { kind: 'firehose', region: 'us-east-1', deliveryStreamName: 'beacon-edge-bad-rows' },
  wireFormat: 'beacon-record',
  writeBudgetMs: 3000,
};
