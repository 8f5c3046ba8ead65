import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConsumerConfigError } from '../../../core-pipeline/errors.js';
import { readConsumerEnv } from '../../../core-pipeline/lambda/env.js';
import { createConsumerHandler, handler, sinkFromEnv } from '../../../core-pipeline/lambda/main.js';
import { InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import { TimestreamSink } from '../../../core-pipeline/sinks/timestream.js';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import { capturedPowertools, emfValues } from '../../helpers/powertools.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';
import { badRow, enrichedRecord, event, jsonBytes, rolloutRefusal } from '../../helpers/records.js';
import { recordingSink } from '../../helpers/recording-sink.js';

function setup(
  sink: EventSink,
  extra: { maxRowsPerWrite?: number; badRowStreams?: string[] } = {},
) {
  const { logger, metrics, logs, emf } = capturedPowertools();
  const h = createConsumerHandler({ sink, logger, metrics, ...extra });
  return { h, logs, emf };
}

const context = { functionName: 'beacon-consumer', awsRequestId: 'req-1' } as Context;
const twoEvents = () =>
  kinesisStreamRecord(
    jsonBytes(enrichedRecord({ events: [event('started'), event('paused', { seq: 1 })] })),
  );

describe('createConsumerHandler', () => {
  it('answers a stored batch with no failures, one EMF document and one log line', async () => {
    const bad = kinesisStreamRecord(jsonBytes(badRow()), { stream: 'beacon-edge-bad-rows' });
    const refused = kinesisStreamRecord(jsonBytes(rolloutRefusal()), {
      stream: 'beacon-edge-bad-rows',
    });
    const { h, logs, emf } = setup(recordingSink(), { badRowStreams: ['beacon-edge-bad-rows'] });
    const res = await h(kinesisStreamEvent([twoEvents(), twoEvents(), bad, refused]), context);
    expect(res).toStrictEqual({ batchItemFailures: [] });
    expect(emf).toHaveLength(1);
    expect(
      (emf[0]._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]
        .Namespace,
    ).toBe('BeaconEdge');
    expect(emf[0].service).toBe('beacon-consumer');
    const values = emfValues(emf[0]);
    expect({ ...values, WriteLatency: typeof values.WriteLatency }).toStrictEqual({
      RecordsIn: 4,
      EventsWritten: 4,
      BadRows: 1,
      RolloutRefusals: 1,
      WriteLatency: 'number',
      WriteFailures: 0,
    });
    expect(logs.map((l) => [l.level, l.message, l.events, l.function_name])).toStrictEqual([
      ['INFO', 'batch stored', 4, 'beacon-consumer'],
    ]);
  });

  it('reports the records from the first unstored one on, and logs the failure', async () => {
    const records = [twoEvents(), twoEvents(), twoEvents()];
    const { h, logs, emf } = setup(recordingSink([2]), { maxRowsPerWrite: 2 });
    const res = await h(kinesisStreamEvent(records), context);
    expect(res).toStrictEqual({
      batchItemFailures: records
        .slice(1)
        .map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    });
    expect(emfValues(emf[0]).WriteFailures).toBe(1);
    expect(emfValues(emf[0]).EventsWritten).toBe(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      storedRecords: 1,
      firstFailedSequenceNumber: records[1].kinesis.sequenceNumber,
      error: { name: 'SinkWriteError', message: 'store unavailable' },
    });
  });

  it('reports every record when nothing could be stored, without throwing', async () => {
    const records = [twoEvents(), twoEvents()];
    const { h } = setup(recordingSink([1]));
    expect(await h(kinesisStreamEvent(records), context)).toStrictEqual({
      batchItemFailures: records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    });
  });

  it('answers an empty event without writing or publishing', async () => {
    const sink = recordingSink();
    const { h, emf } = setup(sink);
    expect(await h(kinesisStreamEvent([]))).toStrictEqual({ batchItemFailures: [] });
    expect([sink.writes.length, emf.length]).toStrictEqual([0, 0]);
  });
});

describe('sinkFromEnv', () => {
  it('builds the InfluxDB sink with the v1 or v2 API the environment chooses', () => {
    const base = {
      BEACONS_STORE: 'influxdb',
      INFLUXDB_URL: 'https://influx.example:8086',
      INFLUXDB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:tok',
      INFLUXDB_DATABASE: 'beacons',
    };
    const client = new SecretsManagerClient({ region: 'eu-central-1' });
    const v1 = sinkFromEnv(readConsumerEnv(base), client) as InfluxDbSink;
    const v2 = sinkFromEnv(
      readConsumerEnv({ ...base, INFLUXDB_ORG: 'beacon' }),
      client,
    ) as InfluxDbSink;
    expect(v1).toBeInstanceOf(InfluxDbSink);
    expect([v1.config.api, v2.config.api, v2.config.org]).toStrictEqual(['v1', 'v2', 'beacon']);
    const listed = sinkFromEnv(
      readConsumerEnv({ ...base, INFLUXDB_SDK_NAMES: 'beacon-edge-js,@acme/tv' }),
      client,
    ) as InfluxDbSink;
    expect([v1.config.sdkNames, listed.config.sdkNames]).toStrictEqual([
      [],
      ['beacon-edge-js', '@acme/tv'],
    ]);
  });

  it('builds the Timestream sink for BEACONS_STORE=timestream', () => {
    const env = readConsumerEnv({
      BEACONS_STORE: 'timestream',
      TIMESTREAM_DATABASE: 'd',
      TIMESTREAM_EVENTS_TABLE: 'e',
      TIMESTREAM_BAD_ROWS_TABLE: 'b',
    });
    expect(sinkFromEnv(env)).toBeInstanceOf(TimestreamSink);
  });
});

describe('handler (the deployed entry)', () => {
  it('fails the invocation with a configuration error naming the variable', async () => {
    const saved = process.env.BEACONS_STORE;
    delete process.env.BEACONS_STORE;
    try {
      await expect(handler(kinesisStreamEvent([twoEvents()]))).rejects.toThrow(
        new ConsumerConfigError('BEACONS_STORE', 'is required and not set'),
      );
    } finally {
      if (saved !== undefined) process.env.BEACONS_STORE = saved;
    }
  });
});
