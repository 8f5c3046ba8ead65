/**
 * The regional stack's named defaults: every number the stack sets, with why, in one place. The
 * deployment's choices (regions, store, retention of the archive) live in `infra/config.ts`; these
 * are the engineering settings an operator rarely changes.
 */
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_LAMBDA_CONSUMER_CONFIG } from '../../core-pipeline/config.js';
import { badRowsStreamName, eventsStreamName } from '../names.js';

/** Physical names derived from the app name (the edge writes to the streams by name: infra/names.ts). */
export const names = {
  eventsStream: (appName: string) => eventsStreamName({ appName }),
  badRowsStream: (appName: string) => badRowsStreamName({ appName }),
  consumerFunction: (appName: string) => `${appName}-consumer`,
  /** Powertools' `service` dimension on every EMF metric the consumer emits. */
  consumerService: (appName: string) => `${appName}-consumer`,
  timestreamDatabase: (appName: string) => `${appName}`,
  timestreamEventsTable: 'events',
  timestreamBadRowsTable: 'bad_rows',
  timestreamRefusalsTable: 'rollout_refusals',
  influxInstance: (appName: string) => `${appName}-influxdb`,
} as const;

/** Where the edge stack lives (CloudFront, Lambda@Edge): it alarms on the edge replicas there itself. */
export const EDGE_REGION = 'us-east-1';

/** CloudWatch namespace of the consumer's EMF metrics (the consumer's environment contract). */
export const METRICS_NAMESPACE = 'BeaconEdge';

export const streamDefaults = {
  /** The record format promises readers 24 h of every version still in a stream (schemas/record.ts). */
  retention: Duration.hours(24),
} as const;

export const archiveDefaults = {
  /** Five minutes of data per object keeps the archive within minutes of the stream and objects large enough for Athena. */
  bufferingInterval: Duration.minutes(5),
  bufferingSize: Size.mebibytes(64),
  /** Hive-style partitions so Athena prunes by hour. */
  rawPrefix:
    'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
  badRowsPrefix:
    'bad-rows/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
  /** Firehose substitutes the failure type, so a failed delivery is never mistaken for data. */
  rawErrorPrefix:
    'errors/raw/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
  badRowsErrorPrefix:
    'errors/bad-rows/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
  /** Access logs are for audits, not replay: a quarter is enough. */
  accessLogRetentionDays: 90,
} as const;

export const consumerDefaults = {
  /** The bundle targets node20 (esbuild) and runs on the newest Lambda runtime (Node 20's support has ended); the handler is async, as Node 24 requires. */
  runtime: Runtime.NODEJS_24_X,
  /** Graviton: the same price per GB-second buys more compute; the bundle has no native code. */
  architecture: Architecture.ARM_64,
  memorySize: DEFAULT_LAMBDA_CONSUMER_CONFIG.memoryMb,
  /**
   * A batch is one or a few store writes, each of which may retry a failing store for the InfluxDB
   * sink's retry budget before the handler reports the batch; a timeout cut shorter would end the
   * invocation before it can answer. Nothing is lost either way (Lambda retries from the first
   * unstored record, writes are idempotent), but a clean answer keeps bisecting and alarms honest.
   */
  timeout: Duration.seconds(120),
  logRetentionDays: 30,
} as const;

export const eventSourceDefaults = {
  batchSize: DEFAULT_LAMBDA_CONSUMER_CONFIG.batchSize,
  /** Dashboards are near-real-time: wait at most 5 s to fill a batch. */
  maxBatchingWindow: Duration.seconds(5),
  /**
   * Writes are idempotent (same point identity on replay), so a retry is harmless: retry through
   * a store outage of hours rather than hand records to the on-failure queue early.
   */
  retryAttempts: 10_000,
  /** Half the stream's 24 h: a record that ages out can still be replayed from the stream for 12 h. */
  maxRecordAge: Duration.hours(12),
  /** One batch per shard at a time: an on-demand stream scales shards with traffic already. */
  parallelizationFactor: 1,
  /** The on-failure queue keeps a failed batch's shard and sequence range for the maximum 14 days. */
  onFailureRetention: Duration.days(14),
} as const;

/** Alarm thresholds, each with what crossing it means to an on-call. */
export const alarmDefaults = {
  /** Five minutes behind the stream makes the dashboards visibly stale. */
  iteratorAgeMs: 5 * 60 * 1000,
  /** The handler never throws by design (bad input becomes a bad row): any error is a crash or timeout. */
  consumerErrors: 1,
  /** A throttled consumer falls behind; the account's concurrency is exhausted. */
  consumerThrottles: 1,
  /** A failed write is retried; failures in three consecutive 5-minute periods mean the store is down. */
  writeFailures: 1,
  writeFailurePeriods: 3,
  /** Timestream system errors are the service's own; rejected records (user errors) also become bad rows. */
  timestreamSystemErrors: 1,
  timestreamUserErrors: 10,
  /** More than 5 % bad rows means a broken player release or a schema rollout gone wrong. */
  badRowRatePercent: 5,
  /** Three times the 5-minute buffer: the archive (the replay source) has stopped delivering. */
  firehoseFreshnessSeconds: 15 * 60,
  /** Any message is a batch that was not stored and awaits replay. */
  onFailureMessages: 1,
  period: Duration.minutes(5),
} as const;

export const influxDefaults = {
  /** The Timestream for InfluxDB engine's port. */
  port: 8086,
  dbStorageType: 'InfluxIOIncludedT1',
  adminUsername: 'admin',
  /** Two AZs: the instance's subnet group and a multi-AZ standby need two. */
  maxAzs: 2,
} as const;

/**
 * Data is kept when the stack is deleted: the archive is the replay source and the time series are
 * the product. DEPLOY.md says how to delete them by hand.
 */
export const DATA_REMOVAL_POLICY = RemovalPolicy.RETAIN;
