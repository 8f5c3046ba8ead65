/**
 * The deployed consumer Lambda: a Kinesis event source mapping (ReportBatchItemFailures on)
 * delivers a batch from one shard; processKinesisBatch (kinesis-handler.ts) decodes and writes it
 * to the store the environment names (env.ts); this file adds what Lambda needs around it with
 * Powertools for AWS Lambda: structured logs (Logger), EMF metrics (Metrics, namespace BeaconEdge:
 * RecordsIn, EventsWritten, BadRows, WriteLatency, WriteFailures) and the partial-batch response
 * (BatchProcessor for Kinesis).
 *
 * The Powertools batch processor runs a handler per record; here the record handler only answers
 * for a write that already happened (records are written in a few large groups, not one request
 * per record), so it fails exactly the records from the first unstored one on. Lambda retries
 * from the lowest sequence number reported. The handler never throws for a store failure: the
 * response reports it; a configuration error (env.ts) throws, so the invocation fails loudly.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { DEFAULT_LAMBDA_CONSUMER_CONFIG } from '../config.js';
import { InfluxDbSink } from '../sinks/influxdb.js';
import { secretToken } from '../sinks/secret-token.js';
import { createTimestreamSink } from '../sinks/timestream.js';
import type { EventSink } from '../sinks/sink.js';
import { type ConsumerEnv, readConsumerEnv } from './env.js';
import { processKinesisBatch } from './kinesis-handler.js';

/** What a consumer handler is built from. */
export interface ConsumerHandlerDeps {
  sink: EventSink;
  badRowStreams?: readonly string[];
  logger: Logger;
  metrics: Metrics;
  maxRowsPerWrite?: number;
  now?: () => number;
}

/** A Lambda handler for Kinesis batches. */
export type ConsumerHandler = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * A consumer handler over a sink (the deployed `handler` builds one from the environment; tests
 * and benchmarks pass their own sink).
 * @example const h = createConsumerHandler({ sink, logger: new Logger(), metrics: new Metrics() })
 */
export function createConsumerHandler(deps: ConsumerHandlerDeps): ConsumerHandler {
  const { logger, metrics } = deps;
  return async (event, context) => {
    if (context) logger.addContext(context);
    const records = event?.Records ?? [];
    if (records.length === 0) return { batchItemFailures: [] };
    const outcome = await processKinesisBatch(records, {
      sink: deps.sink,
      badRowStreams: deps.badRowStreams,
      maxRowsPerWrite: deps.maxRowsPerWrite ?? DEFAULT_LAMBDA_CONSUMER_CONFIG.maxRowsPerWrite,
      now: deps.now,
    });
    metrics.addMetric('RecordsIn', MetricUnit.Count, outcome.recordsIn);
    metrics.addMetric('EventsWritten', MetricUnit.Count, outcome.eventsWritten);
    metrics.addMetric('BadRows', MetricUnit.Count, outcome.badRowsWritten);
    metrics.addMetric('RolloutRefusals', MetricUnit.Count, outcome.refusalsWritten);
    for (const ms of outcome.writeMs)
      metrics.addMetric('WriteLatency', MetricUnit.Milliseconds, ms);
    metrics.addMetric('WriteFailures', MetricUnit.Count, outcome.failedFrom === null ? 0 : 1);
    metrics.publishStoredMetrics();

    const failedFrom = outcome.failedFrom;
    if (failedFrom === null) {
      logger.info('batch stored', {
        records: outcome.recordsIn,
        events: outcome.eventsWritten,
        badRows: outcome.badRowsWritten,
        refusals: outcome.refusalsWritten,
        writes: outcome.writes,
      });
      return { batchItemFailures: [] };
    }
    const firstFailed = records[failedFrom].kinesis.sequenceNumber;
    logger.error('store write failed; Lambda retries from the first unstored record', {
      records: outcome.recordsIn,
      storedRecords: failedFrom,
      firstFailedSequenceNumber: firstFailed,
      error: outcome.error as Error,
    });
    const unstored = new Set(records.slice(failedFrom).map((r) => r.kinesis.sequenceNumber));
    const processor = new BatchProcessor(EventType.KinesisDataStreams);
    const response = await processPartialResponse(
      event,
      (record: KinesisStreamEvent['Records'][number]) => {
        if (unstored.has(record.kinesis.sequenceNumber)) throw outcome.error;
      },
      processor,
      // Reporting every record is how a whole batch is retried; throwing instead would also
      // count as a function error, and the response already says everything Lambda needs.
      { context, throwOnFullBatchFailure: false },
    );
    return response as KinesisStreamBatchResponse;
  };
}

/** The sink the environment names: InfluxDB (token from Secrets Manager) or Timestream for LiveAnalytics. */
export function sinkFromEnv(env: ConsumerEnv, secrets = new SecretsManagerClient({})): EventSink {
  switch (env.store) {
    case 'influxdb': {
      const { url, database, org, api, tokenSecretArn, sdkNames } = env.influxdb;
      return new InfluxDbSink({
        config: { url, database, org, api, sdkNames },
        token: secretToken(secrets, tokenSecretArn),
      });
    }
    case 'timestream':
      // The SDK finds the Timestream endpoint itself; the region is the function's own.
      return createTimestreamSink({ ...env.timestream, region: process.env.AWS_REGION });
  }
}

let deployed: ConsumerHandler | undefined;

/**
 * The deployed entry point. Built on the first invocation (not at import) so a configuration
 * error fails that invocation with a clear message; one sink, token cache, logger and metrics
 * object per container after that.
 */
export const handler: ConsumerHandler = async (event, context) => {
  if (!deployed) {
    const env = readConsumerEnv();
    const logger = new Logger();
    const metrics = new Metrics();
    deployed = createConsumerHandler({
      sink: sinkFromEnv(env),
      badRowStreams: env.badRowStreams,
      logger,
      metrics,
    });
  }
  return deployed(event, context);
};
