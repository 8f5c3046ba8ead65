/**
 * KinesisStreamEvent factories in the shape Lambda's Kinesis event source mapping delivers
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html), for the tests and the consumer
 * benchmark.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

let sequence = 49590338271490256608559692538361571095921575989136588800n;

/** One record of a Lambda Kinesis event; `data` is the record's raw bytes. */
export function kinesisStreamRecord(
  data: Uint8Array,
  opts: {
    stream?: string;
    shardId?: string;
    partitionKey?: string;
    arrivalMs?: number;
    region?: string;
  } = {},
): KinesisStreamRecord {
  sequence += 1n;
  const region = opts.region ?? 'us-east-1';
  const stream = opts.stream ?? 'beacon-edge-events';
  const shardId = opts.shardId ?? 'shardId-000000000000';
  return {
    awsRegion: region,
    eventID: `${shardId}:${sequence}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: `arn:aws:kinesis:${region}:123456789012:stream/${stream}`,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/beacon-edge-core',
    kinesis: {
      approximateArrivalTimestamp: (opts.arrivalMs ?? Date.UTC(2026, 0, 1)) / 1000,
      data: Buffer.from(data).toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey: opts.partitionKey ?? 'pk',
      sequenceNumber: sequence.toString(),
    },
  };
}

/** A Lambda Kinesis event with the given records. */
export function kinesisStreamEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}
