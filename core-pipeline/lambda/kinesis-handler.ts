/**
 * The AWS Lambda adapter: a Kinesis event source mapping delivers a batch of records from one
 * shard; this decodes them with the same code as the local consumer and writes one batch to the
 * sink. Lambda keeps the checkpoints (the event source mapping), so none are written here.
 *
 * The sink is a parameter because the store on AWS (a Timestream/InfluxDB sink) does not exist
 * yet; the deployed entry point will be `createKinesisHandler({ sink: thatSink })`.
 *
 * Requires `FunctionResponseTypes: ['ReportBatchItemFailures']` on the mapping: an unreadable
 * record never fails (it becomes a bad row); a sink failure reports every record of the batch,
 * so Lambda retries the batch (harmless: event writes are idempotent on event_id).
 */
import type {
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { decodeRecords, type SourceRecord } from '../record-decoder.js';
import type { EventSink } from '../sinks/sink.js';

/** Options of the Lambda handler. */
export interface KinesisHandlerOptions {
  sink: EventSink;
  /** Names of streams that carry BadRows rather than EnrichedRecords (none on AWS: bad rows go to Firehose). */
  badRowStreams?: readonly string[];
  now?: () => number;
  /** Error lines (CloudWatch); console.error when absent. */
  log?: (line: string) => void;
}

/**
 * Handles one Kinesis batch. Never throws: a failure is reported as `batchItemFailures`.
 * @example
 *   export const handler = createKinesisHandler({ sink: timestreamSink });
 */
export async function handleKinesisEvent(
  event: KinesisStreamEvent,
  opts: KinesisHandlerOptions,
): Promise<KinesisStreamBatchResponse> {
  const records = event?.Records ?? [];
  if (records.length === 0) return { batchItemFailures: [] };
  const now = opts.now ?? Date.now;
  const rows = decodeRecords(
    records.map((r) => toSourceRecord(r, opts.badRowStreams ?? [], now)),
    now(),
  );
  try {
    await opts.sink.writeBatch({ ...rows, checkpoints: [] });
    return { batchItemFailures: [] };
  } catch (err) {
    (opts.log ?? console.error)(
      `[kinesis-handler] write of ${records.length} records failed: ${(err as Error)?.message ?? String(err)}`,
    );
    return {
      batchItemFailures: records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    };
  }
}

/** A Lambda handler bound to a sink. */
export function createKinesisHandler(
  opts: KinesisHandlerOptions,
): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  return (event) => handleKinesisEvent(event, opts);
}

/** Stream name from `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
export function streamNameFromArn(arn: string): string {
  const at = arn.indexOf(':stream/');
  return at >= 0 ? arn.slice(at + ':stream/'.length) : arn;
}

/** One Lambda Kinesis record → the source record the decoder takes. */
function toSourceRecord(
  r: KinesisStreamRecord,
  badRowStreams: readonly string[],
  now: () => number,
): SourceRecord {
  const stream = streamNameFromArn(r.eventSourceARN ?? '');
  // eventID is `<shardId>:<sequenceNumber>`.
  const shardId = (r.eventID ?? '').split(':')[0] || 'unknown-shard';
  const arrivalMs = Math.round((r.kinesis?.approximateArrivalTimestamp ?? 0) * 1000);
  return {
    kind: badRowStreams.includes(stream) ? 'bad_rows' : 'events',
    data: Buffer.from(r.kinesis?.data ?? '', 'base64'),
    stream,
    shardId,
    sequenceNumber: r.kinesis?.sequenceNumber ?? '',
    receivedAt: arrivalMs > 0 ? arrivalMs : now(),
  };
}
