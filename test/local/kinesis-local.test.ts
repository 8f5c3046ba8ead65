import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetRecordsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStreams, startKinesalite } from '../../local/kinesis-local.js';
import {
  readStream,
  shardIterators,
  startTestKinesis,
  type TestKinesis,
} from '../helpers/kinesis-streams.js';

/**
 * The one local Kinesis (kinesalite in a worker thread): start/stop, a held data folder, a
 * shutdown under an abandoned request, and the stream-metadata cache across puts and restarts
 * (sequence numbers keep growing, nothing stored is lost or overwritten).
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-kinesis-'));
const open: TestKinesis[] = [];

/** A kinesalite (on `dir`, or in memory) with a client, stopped after all tests if still open. */
async function start(dir?: string): Promise<TestKinesis> {
  const k = await startTestKinesis({ path: dir });
  open.push(k);
  return k;
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
  return (await readStream(client, stream)).map((r) => r.data);
}

const ascending = (seqs: string[]) =>
  seqs.every((s, i) => i === 0 || BigInt(s) > BigInt(seqs[i - 1]));

afterAll(async () => {
  for (const k of open) await k.stop().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('startKinesalite', () => {
  it('serves the Kinesis API in memory and closes idempotently', async () => {
    const k = await start();
    expect(k.kinesis.endpoint).toBe(`http://127.0.0.1:${k.kinesis.port}`);
    await ensureStreams(k.client, ['s-mem'], 1);
    expect(ascending(await put(k.client, 's-mem', 5, 'm'))).toBe(true);
    expect(await readAll(k.client, 's-mem')).toStrictEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    await k.stop();
    await expect(k.kinesis.close()).resolves.toBeUndefined();
  });

  it('shows new streams ACTIVE right after creation, many at once (metadata cache never goes stale)', async () => {
    const k = await start(path.join(tmp, 'many'));
    const names = Array.from({ length: 30 }, (_, i) => `s-many-${i}`);
    await ensureStreams(k.client, names, 2);
    const again = await Promise.all(names.map((n) => put(k.client, n, 2, n)));
    for (const seqs of again) expect(ascending(seqs)).toBe(true);
    await k.stop();
  });

  it('keeps sequence numbers growing and every record across a restart on the same folder', async () => {
    const dir = path.join(tmp, 'restart');
    const first = await start(dir);
    await ensureStreams(first.client, ['s-disk'], 2);
    const before = await put(first.client, 's-disk', 20, 'a');
    await first.stop();

    const second = await start(dir);
    const after = await put(second.client, 's-disk', 20, 'b');
    expect(ascending([...before, ...after])).toBe(true);
    const stored = await readAll(second.client, 's-disk');
    expect(stored).toStrictEqual([
      ...before.map((_, i) => `a-${i}`),
      ...after.map((_, i) => `b-${i}`),
    ]);
    await second.stop();
  });

  it('refuses a folder another kinesalite holds, without an unhandled error, and the holder keeps working', async () => {
    const dir = path.join(tmp, 'held');
    const holder = await start(dir);
    await ensureStreams(holder.client, ['s-held'], 1);
    await expect(startKinesalite({ path: dir })).rejects.toThrow(/lock/i);
    expect(await put(holder.client, 's-held', 2, 'h')).toHaveLength(2);
    await holder.stop();
  });

  it('closes safely while a request the client abandoned is still running', async () => {
    const k = await start(path.join(tmp, 'abandoned'));
    await ensureStreams(k.client, ['s-abort'], 1);
    await put(k.client, 's-abort', 50, 'x');
    const [iterator] = await shardIterators(k.client, 's-abort');
    const abort = new AbortController();
    const reading = k.client
      .send(new GetRecordsCommand({ ShardIterator: iterator }), {
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
    await again.stop();
  });
});
