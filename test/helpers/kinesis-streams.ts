/**
 * Test records in a real (kinesalite) stream: a kinesalite of a test file's own, writing records,
 * reading a stream back, and waiting for the consumer to catch up.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  ensureStreams,
  localKinesisClient,
  startKinesalite,
  type LocalKinesis,
} from '../../local/kinesis-local.js';
import type { BadRow, EnrichedRecord } from '../../schemas/record.js';
import { jsonBytes } from './records.js';

/** A kinesalite with a client on it. */
export interface TestKinesis {
  kinesis: LocalKinesis;
  client: KinesisClient;
  /** The kinesalite's endpoint, for the code under test to connect its own clients to. */
  endpoint: string;
  /** Destroys the client and closes kinesalite; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts kinesalite (in memory, or on the LevelDB folder `path`) with a client on it, and creates
 * `streams` with `shards` shards each.
 * @example const k = await startTestKinesis({ streams: ['events'], shards: 2 })
 */
export async function startTestKinesis(
  options: { streams?: string[]; shards?: number; path?: string } = {},
): Promise<TestKinesis> {
  const kinesis = await startKinesalite({ path: options.path });
  const client = localKinesisClient(kinesis.endpoint);
  const stop = async () => {
    client.destroy();
    await kinesis.close();
  };
  try {
    if (options.streams?.length) await ensureStreams(client, options.streams, options.shards ?? 1);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kinesis, client, endpoint: kinesis.endpoint, stop };
}

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

/** A TRIM_HORIZON iterator (the oldest record on) for every shard of a stream, in shard order. */
export async function shardIterators(
  client: KinesisClient,
  streamName: string,
): Promise<(string | undefined)[]> {
  const shards =
    (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: (string | undefined)[] = [];
  for (const shard of shards) {
    const it = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    out.push(it.ShardIterator);
  }
  return out;
}

/** Every record in a stream, oldest first per shard: its partition key and its data as text. */
export async function readStream(
  client: KinesisClient,
  streamName: string,
): Promise<{ key: string; data: string }[]> {
  const out: { key: string; data: string }[] = [];
  for (let iterator of await shardIterators(client, streamName)) {
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
