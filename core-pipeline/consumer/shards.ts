/**
 * Shard discovery: list every shard of a stream (paginated) and decide which may be read now.
 * After a reshard, a child shard is read only once its parents are read to the end, so the
 * events of one session (one partition key) are still stored in order.
 */
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

/** A shard as the consumer tracks it. */
export interface ShardInfo {
  stream: string;
  shardId: string;
  parents: string[];
}

/** Every shard of `stream`, following NextToken. */
export async function listAllShards(
  client: KinesisClient,
  stream: string,
  signal?: AbortSignal,
): Promise<ShardInfo[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // With NextToken, StreamName must be absent (Kinesis rejects both together).
    const out = await client.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }),
      { abortSignal: signal },
    );
    shards.push(...(out.Shards ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return shards
    .map((s) => ({
      stream,
      shardId: s.ShardId ?? '',
      parents: [s.ParentShardId, s.AdjacentParentShardId].filter(
        (p): p is string => typeof p === 'string' && p.length > 0,
      ),
    }))
    .filter((s) => s.shardId !== '');
}

/** Key of a shard across streams. */
export const shardKey = (stream: string, shardId: string): string => `${stream}/${shardId}`;

/**
 * The listed shards that may start now: not already started or finished, and each parent either
 * finished or no longer listed (aged out of retention, so nothing of it is left to read).
 */
export function readyShards(
  listed: readonly ShardInfo[],
  started: ReadonlySet<string>,
  finished: ReadonlySet<string>,
): ShardInfo[] {
  const present = new Set(listed.map((s) => shardKey(s.stream, s.shardId)));
  return listed.filter((s) => {
    const key = shardKey(s.stream, s.shardId);
    if (started.has(key) || finished.has(key)) return false;
    return s.parents.every((p) => {
      const parent = shardKey(s.stream, p);
      return finished.has(parent) || !present.has(parent);
    });
  });
}
