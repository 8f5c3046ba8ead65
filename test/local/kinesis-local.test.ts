import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureStreams,
  localKinesisClient,
  startKinesalite,
  type LocalKinesis,
} from '../../local/kinesis-local.js';

/**
 * The one local Kinesis (kinesalite in a worker thread): start/stop, a held data folder, a
 * shutdown under an abandoned request, and the stream-metadata cache across puts and restarts
 * (sequence numbers keep growing, nothing stored is lost or overwritten).
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-kinesis-'));
const open: { kinesis: LocalKinesis; client: KinesisClient }[] = [];

async function start(dir?: string): Promise<{ kinesis: LocalKinesis; client: KinesisClient }> {
  const kinesis = await startKinesalite({ path: dir });
  const client = localKinesisClient(kinesis.endpoint);
  const k = { kinesis, client };
  open.push(k);
  return k;
}

async function stop(k: { kinesis: LocalKinesis; client: KinesisClient }): Promise<void> {
  k.client.destroy();
  await k.kinesis.close();
}

/** Puts `n` one-record calls to `stream` (same partition key: one shard, one sequence). */
async function put(
  client: KinesisClient,
  stream: string,
  n: number,
  tag: string,
): Promise<string[]> {
  const seqs: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [{ PartitionKey: 'session-1', Data: Buffer.from(`${tag}-${i}`) }],
      }),
    );
    expect(res.FailedRecordCount).toBe(0);
    seqs.push(res.Records![0].SequenceNumber!);
  }
  return seqs;
}

/** Every record's data of a stream, in sequence order per shard. */
async function readAll(client: KinesisClient, stream: string): Promise<string[]> {
  const out: string[] = [];
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
  for (const shard of Shards) {
    const it = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const res = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of res.Records ?? []) out.push(Buffer.from(r.Data ?? []).toString());
  }
  return out;
}

const ascending = (seqs: string[]) =>
  seqs.every((s, i) => i === 0 || BigInt(s) > BigInt(seqs[i - 1]));

afterAll(async () => {
  for (const k of open) await stop(k).catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('startKinesalite', () => {
  it('serves the Kinesis API in memory and closes idempotently', async () => {
    const k = await start();
    expect(k.kinesis.endpoint).toBe(`http://127.0.0.1:${k.kinesis.port}`);
    await ensureStreams(k.client, ['s-mem'], 1);
    expect(ascending(await put(k.client, 's-mem', 5, 'm'))).toBe(true);
    expect(await readAll(k.client, 's-mem')).toStrictEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    await stop(k);
    await expect(k.kinesis.close()).resolves.toBeUndefined();
  });

  it('shows new streams ACTIVE right after creation, many at once (metadata cache never goes stale)', async () => {
    const k = await start(path.join(tmp, 'many'));
    const names = Array.from({ length: 30 }, (_, i) => `s-many-${i}`);
    await ensureStreams(k.client, names, 2);
    const again = await Promise.all(names.map((n) => put(k.client, n, 2, n)));
    for (const seqs of again) expect(ascending(seqs)).toBe(true);
    await stop(k);
  });

  it('keeps sequence numbers growing and every record across a restart on the same folder', async () => {
    const dir = path.join(tmp, 'restart');
    const first = await start(dir);
    await ensureStreams(first.client, ['s-disk'], 2);
    const before = await put(first.client, 's-disk', 20, 'a');
    await stop(first);

    const second = await start(dir);
    const after = await put(second.client, 's-disk', 20, 'b');
    expect(ascending([...before, ...after])).toBe(true);
    const stored = await readAll(second.client, 's-disk');
    expect(stored).toStrictEqual([
      ...before.map((_, i) => `a-${i}`),
      ...after.map((_, i) => `b-${i}`),
    ]);
    await stop(second);
  });

  it('refuses a folder another kinesalite holds, without an unhandled error, and the holder keeps working', async () => {
    const dir = path.join(tmp, 'held');
    const holder = await start(dir);
    await ensureStreams(holder.client, ['s-held'], 1);
    await expect(startKinesalite({ path: dir })).rejects.toThrow(/lock/i);
    expect(await put(holder.client, 's-held', 2, 'h')).toHaveLength(2);
    await stop(holder);
  });

  it('closes safely while a request the client abandoned is still running', async () => {
    const k = await start(path.join(tmp, 'abandoned'));
    await ensureStreams(k.client, ['s-abort'], 1);
    await put(k.client, 's-abort', 50, 'x');
    const { Shards = [] } = await k.client.send(new ListShardsCommand({ StreamName: 's-abort' }));
    const it = await k.client.send(
      new GetShardIteratorCommand({
        StreamName: 's-abort',
        ShardId: Shards[0].ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const abort = new AbortController();
    const reading = k.client
      .send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }), {
        abortSignal: abort.signal,
      })
      .catch((e: unknown) => e);
    abort.abort();
    await k.kinesis.close();
    await reading;
    k.client.destroy();
    // Still here: the process did not crash, and the folder opens again with everything in it.
    const again = await start(path.join(tmp, 'abandoned'));
    expect(await readAll(again.client, 's-abort')).toHaveLength(50);
    await stop(again);
  });
});
