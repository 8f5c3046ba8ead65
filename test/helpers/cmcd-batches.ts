/**
 * CmcdRecords as Kinesis records on the events stream, decoded by the real core decoder into the
 * batch a consumer writes.
 */
import { decodeRecords, type SourceRecord } from '../../core-pipeline/record-decoder.js';
import type { Checkpoint, WriteBatchInput } from '../../core-pipeline/sinks/sink.js';

let sequence = 1000;

/** A record (any JSON value, CmcdRecord or not) as the events stream delivers it. */
export function eventsSource(record: unknown, shardId = 'shardId-000000000000'): SourceRecord {
  sequence += 1;
  return {
    kind: 'events',
    data: new TextEncoder().encode(JSON.stringify(record)),
    stream: 'beacons-events',
    shardId,
    sequenceNumber: String(sequence),
    receivedAt: 1_767_225_700_000,
  };
}

/** The write batch a consumer makes of these records, decoded at `ingestedAt`. */
export function decodedBatch(
  records: readonly unknown[],
  ingestedAt: number,
  checkpoints: Checkpoint[] = [],
): WriteBatchInput {
  const rows = decodeRecords(
    records.map((r) => eventsSource(r)),
    ingestedAt,
  );
  return { ...rows, checkpoints };
}
