/**
 * Fault: poison records in the stream. While clients send through the whole local stack
 * (`beacons dev` in-process), records that are not valid records are put straight into the
 * streams with the Kinesis API: bytes that are not JSON, an unknown record_version, a record of
 * almost a mebibyte, a record whose events are not objects, and garbage in the bad-row stream.
 * Each is exactly one bad row, the shards keep moving, and every acknowledged event is stored once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { LOCAL_BAD_ROW_STREAM, localStreamName } from '../../../local/config.js';
import { startDev, type DevStack } from '../../../local/dev.js';
import { localKinesisClient } from '../../../local/kinesis-local.js';
import { LIMITS } from '../../../schemas/limits.js';
import { makeBatch } from '../../helpers/batch-factory.js';
import { storedBadRows, storedEventIds } from '../../helpers/fault-stack.js';
import { putRaw, waitFor } from '../../helpers/kinesis-streams.js';
import { enrichedRecord } from '../../helpers/records.js';
import { deliver } from '../../helpers/retrying-client.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-poison-'));
let dev: DevStack | undefined;

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Hash keys of the first and second half of the key space: shard 0 and shard 1 of two. */
const SHARD = ['1', '300000000000000000000000000000000000000'];
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const withRequest = (id: string) => ({ ...enrichedRecord().edge, request_id: id });
/** A record as the edge would stamp it now (the bad-rows API counts by receive time). */
const recordNow = (id: string) =>
  enrichedRecord({ edge: withRequest(id), received_at: Date.now() });

/** The poison records, by the request id they carry where they carry one. */
const POISON = [
  { name: 'not JSON', data: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]) },
  {
    name: 'unknown record_version',
    data: json({ ...recordNow('poison-version'), record_version: 99 }),
  },
  {
    name: 'huge',
    // Almost the largest record Kinesis takes (1 MiB): its bad row keeps a capped payload.
    data: json({
      ...recordNow('poison-huge'),
      events: 'x'.repeat(1_000_000),
    }),
  },
  {
    name: 'events not objects',
    data: json({ ...recordNow('poison-events'), events: [42] }),
  },
];

describe('poison records in the stream', () => {
  it('makes one bad row each while the shards keep storing the events after them', async () => {
    dev = await startDev({ port: 0, dataDir, pollIntervalMs: 100 });
    const stream = localStreamName('eu-central-1');
    const client = localKinesisClient(dev.kinesisEndpoint);
    const batches = Array.from({ length: 160 }, () =>
      makeBatch({ count: 10, types: ['heartbeat'] }),
    );
    const sent = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    let ok = 0;
    let okAfterPoison = 0;
    let poisoned = false;
    let unavailable = 0;
    const delivery = deliver({
      url: `${dev.url}/v1/events`,
      batches,
      concurrency: 8,
      headers: { 'x-beacon-pop': 'FRA56-C1' },
      deadline: Date.now() + 100_000,
      onAnswer: (status) => {
        if (status !== 204) return;
        ok += 1;
        if (poisoned) okAfterPoison += 1;
      },
    });
    try {
      await waitFor('a first share acknowledged', () => ok >= 60, 30_000);
      for (const [i, p] of POISON.entries())
        await putRaw(client, stream, [
          { data: p.data, partitionKey: `poison-${i}`, hashKey: SHARD[i % 2] },
        ]);
      await putRaw(client, LOCAL_BAD_ROW_STREAM, [
        { data: Buffer.from('not a bad row'), partitionKey: 'poison-bad-row' },
      ]);
      poisoned = true;
      const report = await delivery;
      expect(report.undelivered).toHaveLength(0);
      expect(report.acked).toStrictEqual(sent);
      // Load went on after the poison, on both shards of the poisoned stream.
      expect(okAfterPoison).toBeGreaterThan(50);

      await waitFor(
        'the consumer to store every acknowledged event and the poison bad rows',
        async () => {
          const health = (await (await fetch(`${dev!.url}/api/v1/health`)).json()) as {
            consumer: { events: number };
          };
          const bad = (await (await fetch(`${dev!.url}/api/v1/bad-rows?range=15m`)).json()) as {
            counts: Record<string, number>;
          };
          return (
            health.consumer.events >= sent.size &&
            (bad.counts.unreadable_record ?? 0) >= 4 &&
            (bad.counts.invalid_record_event ?? 0) >= 1
          );
        },
        60_000,
      );
      unavailable = report.statuses[503] ?? 0;
    } finally {
      client.destroy();
      await delivery;
      await dev.stop();
      dev = undefined;
    }

    // Read the store directly, as an operator would after stopping the stack.
    const store = await DuckDbStore.open(path.join(dataDir, 'beacons.duckdb'));
    try {
      const stored = await storedEventIds(store);
      expect(new Set(stored.keys())).toStrictEqual(sent);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
      // A 503 on a loaded machine leaves a stream_unavailable row with its body; the client's
      // retry was stored. Every other bad row is a poison record's.
      const all = await storedBadRows(store);
      const bad = all.filter((b) => b.reason !== 'stream_unavailable');
      expect(all.length - bad.length).toBeLessThanOrEqual(unavailable);
      // Records without a readable request id are named by their place in the stream.
      const place = (stream: string) =>
        expect.stringMatching(new RegExp(`^kinesis:${stream}/shardId-`));
      expect(bad.map((b) => [b.request_id, b.reason])).toEqual(
        expect.arrayContaining([
          [place(stream), 'unreadable_record'],
          ['poison-version', 'unreadable_record'],
          ['poison-huge', 'unreadable_record'],
          ['poison-events', 'invalid_record_event'],
          [place(LOCAL_BAD_ROW_STREAM), 'unreadable_record'],
        ]),
      );
      expect(bad).toHaveLength(POISON.length + 1);
      const huge = bad.find((b) => b.request_id === 'poison-huge');
      expect(huge?.payload.length).toBeLessThanOrEqual(LIMITS.badRowPayloadBytes);
      console.info(
        `poison records: ${POISON.length + 1} poison records, ${batches.length} batches, ${sent.size} events acknowledged, ${stored.size} stored, ${bad.length} bad rows`,
      );
    } finally {
      await store.close();
    }
  }, 180_000);
});
