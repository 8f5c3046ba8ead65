/**
 * The consumer against the real kinesalite and a real DuckDB file: every shard read, rows and
 * checkpoints stored, restart without loss or duplicates, garbage kept as bad rows, resharding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExpiredIteratorException,
  ProvisionedThroughputExceededException,
  SplitShardCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import { ensureStreams } from '../../../local/kinesis-local.js';
import {
  startKinesisConsumer,
  type KinesisConsumer,
} from '../../../core-pipeline/consumer/index.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { badRow, enrichedRecord, event } from '../../helpers/records.js';
import {
  putBadRows,
  putEnriched,
  putRaw,
  startTestKinesis,
  waitFor,
  type TestKinesis,
} from '../../helpers/kinesis-streams.js';
import { tempDir } from '../../helpers/temp-store.js';

const STREAMS = ['core-test-events-a', 'core-test-events-b'];
const BAD_STREAM = 'core-test-bad-rows';
const dir = tempDir();
let kinesis: TestKinesis;
let client: KinesisClient;

beforeAll(async () => {
  kinesis = await startTestKinesis({ streams: STREAMS, shards: 2 });
  client = kinesis.client;
  await ensureStreams(client, [BAD_STREAM], 1);
});
afterAll(async () => {
  await kinesis.stop();
  dir.remove();
});

/** n records of 2 events each for one stream. */
function records(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) =>
    enrichedRecord({
      session_id: `sess_${tag}_${i}`,
      events: [event('started'), event('paused', { seq: 1 })],
    }),
  );
}

async function eventIds(store: DuckDbStore): Promise<string[]> {
  return (await store.query('SELECT event_id FROM events ORDER BY event_id')).map((r) =>
    String(r.event_id),
  );
}

const count = async (store: DuckDbStore, sql: string) => Number((await store.query(sql))[0].n);

describe('startKinesisConsumer', () => {
  it('reads every shard, survives garbage, and resumes after a restart without loss or duplicates', async () => {
    const path = dir.file('consumer.duckdb');
    const first = { a: records(6, 'a1'), b: records(6, 'b1') };
    const shardsA = await putEnriched(client, STREAMS[0], first.a);
    const shardsB = await putEnriched(client, STREAMS[1], first.b);
    // The test is only meaningful if both shards of both streams hold records.
    expect(new Set(shardsA).size).toBe(2);
    expect(new Set(shardsB).size).toBe(2);
    await putRaw(client, STREAMS[0], [
      { data: new Uint8Array([0xff, 0x00, 0x7b]), partitionKey: 'garbage' },
    ]);
    const edgeBad = badRow({ request_id: 'req_consumer_bad' });
    await putBadRows(client, BAD_STREAM, [edgeBad]);

    let store = await DuckDbStore.open(path);
    let consumer: KinesisConsumer = await startKinesisConsumer({
      client,
      streams: STREAMS,
      badRowStream: BAD_STREAM,
      sink: store,
      pollIntervalMs: 20,
    });
    const expectedFirst = [...first.a, ...first.b].flatMap((r) => r.events.map((e) => e.id)).sort();
    await waitFor(
      'first round',
      async () =>
        (await count(store, 'SELECT count(*) AS n FROM events')) >= expectedFirst.length &&
        (await count(store, 'SELECT count(*) AS n FROM bad_rows')) >= 2,
    );
    await consumer.stop();

    expect(await eventIds(store)).toStrictEqual(expectedFirst);
    expect(
      await store.query(
        'SELECT source, reason, request_id, payload_encoding FROM bad_rows ORDER BY source',
      ),
    ).toStrictEqual([
      {
        source: 'core',
        reason: 'unreadable_record',
        request_id: expect.stringMatching(/^kinesis:core-test-events-a\/shardId-/),
        payload_encoding: 'base64',
      },
      {
        source: 'edge',
        reason: edgeBad.reason,
        request_id: 'req_consumer_bad',
        payload_encoding: 'json',
      },
    ]);
    const cps = await store.loadCheckpoints();
    expect(cps.map((c) => `${c.stream}/${c.shardId}`)).toStrictEqual([
      `${BAD_STREAM}/shardId-000000000000`,
      `${STREAMS[0]}/shardId-000000000000`,
      `${STREAMS[0]}/shardId-000000000001`,
      `${STREAMS[1]}/shardId-000000000000`,
      `${STREAMS[1]}/shardId-000000000001`,
    ]);
    const firstStats = consumer.stats();
    expect(firstStats.records).toBe(12 + 1 + 1);
    expect(firstStats.shards).toHaveLength(5);

    // While stopped: more records, one of them re-sending an already stored event id.
    const second = records(4, 'a2');
    const resent = enrichedRecord({
      session_id: first.a[0].session_id,
      events: [{ ...first.a[0].events[0], playhead: 99 }],
    });
    await putEnriched(client, STREAMS[0], [...second, resent]);
    await store.close();

    store = await DuckDbStore.open(path);
    consumer = await startKinesisConsumer({
      client,
      streams: STREAMS,
      badRowStream: BAD_STREAM,
      sink: store,
      pollIntervalMs: 20,
    });
    const expectedAll = [
      ...expectedFirst,
      ...second.flatMap((r) => r.events.map((e) => e.id)),
    ].sort();
    await waitFor('second round', () => consumer.stats().records >= 5);
    await consumer.stop();
    try {
      // Resumed from the checkpoints: only the 5 new records were read, nothing twice.
      expect(consumer.stats().records).toBe(5);
      expect(await eventIds(store)).toStrictEqual(expectedAll);
      // The re-sent event did not overwrite the first write.
      expect(
        await store.query('SELECT playhead FROM events WHERE event_id = $1', [
          first.a[0].events[0].id,
        ]),
      ).toStrictEqual([{ playhead: 0 }]);
      expect(await count(store, 'SELECT count(*) AS n FROM bad_rows')).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('reads a split parent to its end, then its children', async () => {
    const stream = 'core-test-reshard';
    await ensureStreams(client, [stream], 1);
    const store = await DuckDbStore.open(':memory:');
    const consumer = await startKinesisConsumer({
      client,
      streams: [stream],
      sink: store,
      pollIntervalMs: 20,
      shardRefreshMs: 100,
    });
    try {
      const before = records(3, 'split1');
      await putEnriched(client, stream, before);
      await waitFor(
        'parent records',
        async () => (await count(store, 'SELECT count(*) AS n FROM events')) >= 6,
      );

      await client.send(
        new SplitShardCommand({
          StreamName: stream,
          ShardToSplit: 'shardId-000000000000',
          NewStartingHashKey: '170141183460469231731687303715884105728',
        }),
      );
      await ensureStreams(client, [stream], 1); // waits for ACTIVE again
      const after = records(4, 'split2');
      const landed = await putEnriched(client, stream, after);
      expect(new Set(landed)).toStrictEqual(
        new Set(['shardId-000000000001', 'shardId-000000000002']),
      );

      await waitFor(
        'child records',
        async () => (await count(store, 'SELECT count(*) AS n FROM events')) >= 14,
      );
      const shards = Object.fromEntries(consumer.stats().shards.map((s) => [s.shardId, s.state]));
      expect(shards).toStrictEqual({
        'shardId-000000000000': 'finished',
        'shardId-000000000001': 'reading',
        'shardId-000000000002': 'reading',
      });
      expect(await count(store, 'SELECT count(DISTINCT event_id) AS n FROM events')).toBe(14);
    } finally {
      await consumer.stop();
      await store.close();
    }
  });

  it('recovers from an expired iterator, throttling and a failed write without loss or duplicates', async () => {
    const stream = 'core-test-faults';
    await ensureStreams(client, [stream], 1);
    const store = await DuckDbStore.open(':memory:');
    // The real kinesalite client, with errors injected in front of chosen calls.
    const faults: Record<string, Error[]> = {
      GetRecordsCommand: [
        new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }),
        new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }),
      ],
    };
    const calls: string[] = [];
    const faulty = {
      send: (cmd: { constructor: { name: string } }, opts?: unknown) => {
        calls.push(cmd.constructor.name);
        const err = faults[cmd.constructor.name]?.shift();
        return err ? Promise.reject(err) : client.send(cmd as never, opts as never);
      },
    } as unknown as KinesisClient;
    let failNextWrite = true;
    const flakySink: EventSink = {
      writeBatch: (input) => {
        if (failNextWrite && input.events.length > 0) {
          failNextWrite = false;
          return Promise.reject(new SinkWriteError('disk full'));
        }
        return store.writeBatch(input);
      },
      loadCheckpoints: () => store.loadCheckpoints(),
      close: () => store.close(),
    };
    const lines: string[] = [];
    const recs = records(5, 'faults');
    await putEnriched(client, stream, recs);
    const consumer = await startKinesisConsumer({
      client: faulty,
      streams: [stream],
      sink: flakySink,
      pollIntervalMs: 20,
      backoffMs: 5,
      log: (l) => lines.push(l),
    });
    try {
      await waitFor(
        'records after faults',
        async () => (await count(store, 'SELECT count(*) AS n FROM events')) >= 10,
      );
      await consumer.stop();
      expect(await eventIds(store)).toStrictEqual(
        recs.flatMap((r) => r.events.map((e) => e.id)).sort(),
      );
      expect(failNextWrite).toBe(false);
      expect(consumer.stats().errors).toBe(3);
      // Expired → a new iterator; throttled → same iterator; failed write → a new iterator from the checkpoint.
      expect(calls.filter((c) => c === 'GetShardIteratorCommand')).toHaveLength(3);
      expect(
        lines.filter((l) => l.includes('core-test-faults')).map((l) => l.split(': ')[1]),
      ).toStrictEqual([
        'GetRecords failed',
        'GetRecords failed',
        'write failed, re-reading from checkpoint',
      ]);
    } finally {
      await consumer.stop();
      await store.close();
    }
  });

  it('lets a write in flight finish on stop, checkpoint included', async () => {
    const stream = 'core-test-inflight';
    await ensureStreams(client, [stream], 1);
    const store = await DuckDbStore.open(':memory:');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let writeStarted = false;
    const slowSink: EventSink = {
      writeBatch: async (input) => {
        writeStarted = true;
        await gate;
        return store.writeBatch(input);
      },
      loadCheckpoints: () => store.loadCheckpoints(),
      close: () => store.close(),
    };
    const recs = records(2, 'inflight');
    await putEnriched(client, stream, recs);
    const consumer = await startKinesisConsumer({
      client,
      streams: [stream],
      sink: slowSink,
      pollIntervalMs: 20,
    });
    await waitFor('write to start', () => writeStarted);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false); // still waiting for the write
    release();
    await stopping;
    expect(await count(store, 'SELECT count(*) AS n FROM events')).toBe(4);
    expect((await store.loadCheckpoints()).map((c) => c.stream)).toStrictEqual([stream]);
    await store.close();
  });

  it('stops promptly while idle and can be stopped twice', async () => {
    const store = await DuckDbStore.open(':memory:');
    const consumer = await startKinesisConsumer({
      client,
      streams: ['core-test-missing-stream'],
      sink: store,
      pollIntervalMs: 20,
    });
    expect(consumer.stats().shards).toStrictEqual([]);
    expect(consumer.stats().errors).toBe(1); // ListShards on a stream that does not exist
    await Promise.all([consumer.stop(), consumer.stop()]);
    await store.close();
  });
});
