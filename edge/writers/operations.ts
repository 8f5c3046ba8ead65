/**
 * The two AWS operations the edge calls, PutRecords (Kinesis) and PutRecordBatch (Firehose), over
 * the JSON client, with the SDK commands' input and output shapes so the writers read as before.
 * The only encoding step is the one the SDK does for these inputs: `Data` blobs as base64.
 */
import type { AwsJsonClient } from './aws-json-client.js';

/** PutRecords input (Kinesis API reference); only the members the edge sets. */
export interface PutRecordsInput {
  StreamName: string;
  Records: { PartitionKey: string; Data: Uint8Array }[];
}

/** PutRecords output: one result per record, in order; `ErrorCode` set on failed ones. */
export interface PutRecordsOutput {
  FailedRecordCount?: number;
  Records?: {
    SequenceNumber?: string;
    ShardId?: string;
    ErrorCode?: string;
    ErrorMessage?: string;
  }[];
  EncryptionType?: string;
}

/** PutRecordBatch input (Firehose API reference). */
export interface PutRecordBatchInput {
  DeliveryStreamName: string;
  Records: { Data: Uint8Array }[];
}

/** PutRecordBatch output: one response per record, in order; `ErrorCode` set on failed ones. */
export interface PutRecordBatchOutput {
  FailedPutCount?: number;
  Encrypted?: boolean;
  RequestResponses?: { RecordId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

const base64 = (data: Uint8Array) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/** Kinesis PutRecords: up to 500 records / 5 MiB (the caller chunks). */
export function putRecords(
  client: AwsJsonClient,
  input: PutRecordsInput,
  signal?: AbortSignal,
): Promise<PutRecordsOutput> {
  return client.call<PutRecordsOutput>(
    'PutRecords',
    {
      StreamName: input.StreamName,
      Records: input.Records.map((r) => ({ Data: base64(r.Data), PartitionKey: r.PartitionKey })),
    },
    signal,
  );
}

/** Firehose PutRecordBatch: up to 500 records / 4 MiB (the caller chunks). */
export function putRecordBatch(
  client: AwsJsonClient,
  input: PutRecordBatchInput,
  signal?: AbortSignal,
): Promise<PutRecordBatchOutput> {
  return client.call<PutRecordBatchOutput>(
    'PutRecordBatch',
    {
      DeliveryStreamName: input.DeliveryStreamName,
      Records: input.Records.map((r) => ({ Data: base64(r.Data) })),
    },
    signal,
  );
}
