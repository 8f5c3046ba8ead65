/**
 * Test records in a real (kinesalite) stream: writing them, reading a stream back, and waiting
 * for the consumer to catch up.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { BadRow, EnrichedRecord } from '../../schemas/record.js';
import { jsonBytes } from './records.js';

/** Hash keys that land in the first and the second half of the key space (shard 0 / shard 1 of 2). */
const LOW_HASH = '1';
const HIGH_HASH = '300000000000000000000000000000000000000';

/** Puts raw records; returns the shard each landed on. Throws if any entry failed. */
export async function putRaw(
  client: KinesisClient,
  stream: string,
  entries: { data: Uint8Array; partitionKey: string; hashKey?: string }[],
): Promise<string[]> {
  const out = await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: entries.map((e) => ({
        Data: e.data,
        PartitionKey: e.partitionKey,
        ExplicitHashKey: e.hashKey,
      })),
    }),
  );
  if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
  return (out.Records ?? []).map((r) => r.ShardId ?? '');
}

/** Puts EnrichedRecords as the edge does (partition key = session id), alternating halves of the key space. */
export function putEnriched(
  client: KinesisClient,
  stream: string,
  records: EnrichedRecord[],
): Promise<string[]> {
  return putRaw(
    client,
    stream,
    records.map((r, i) => ({
      data: jsonBytes(r),
      partitionKey: r.session_id,
      hashKey: i % 2 === 0 ? LOW_HASH : HIGH_HASH,
    })),
  );
}

/** Puts BadRows as the local edge does (partition key = request id). */
export function putBadRows(
  client: KinesisClient,
  stream: string,
  rows: BadRow[],
): Promise<string[]> {
  return putRaw(
    client,
    stream,
    rows.map((b) => ({ data: jsonBytes(b), partitionKey: b.request_id })),
  );
}

/** Every record in a stream, oldest first per shard: its partition key and its data as text. */
export async function readStream(
  client: KinesisClient,
  streamName: string,
): Promise<{ key: string; data: string }[]> {
  const shards =
    (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: { key: string; data: string }[] = [];
  for (const shard of shards) {
    const it = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = it.ShardIterator;
    while (iterator) {
      const res = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of res.Records ?? [])
        out.push({ key: r.PartitionKey ?? '', data: new TextDecoder().decode(r.Data) });
      if (!res.Records?.length) break;
      iterator = res.NextShardIterator;
    }
  }
  return out;
}

/**
 * Polls `probe` until it returns true; fails with `what` after `timeoutMs`. A wait, not a timing
 * assertion: the timeout only turns a hang into a readable failure.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 20000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
