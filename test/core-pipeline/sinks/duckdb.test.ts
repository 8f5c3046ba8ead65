import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { schemaDdl } from '../../../core-pipeline/sinks/duckdb-schema.js';
import { SinkWriteError, StoreClosedError } from '../../../core-pipeline/errors.js';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { badRow, enrichedRecord, event, T0 } from '../../helpers/records.js';
import { batchOf, tempDir } from '../../helpers/temp-store.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function count(store: DuckDbStore, table: string): Promise<number> {
  const [r] = await store.query(`SELECT count(*) AS n FROM ${table}`);
  return r.n as number;
}

describe('DuckDbStore', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await DuckDbStore.open(dir.file('store.duckdb'));
  });
  afterAll(() => store.close());

  it('stores every event once, ignoring duplicates across batches (first write wins)', async () => {
    const first = enrichedRecord({
      session_id: 'sess_idem_0001',
      events: [event('started', { id: 'evt_idem_0001', playhead: 1 })],
    });
    const again = enrichedRecord({
      session_id: 'sess_idem_0001',
      events: [event('started', { id: 'evt_idem_0001', playhead: 99 })],
    });
    await store.writeBatch(batchOf([first]));
    await store.writeBatch(
      batchOf([
        again,
        enrichedRecord({
          session_id: 'sess_idem_0001',
          events: [event('paused', { id: 'evt_idem_0002' })],
        }),
      ]),
    );
    const rows = await store.query(
      "SELECT event_id, playhead FROM events WHERE session_id = 'sess_idem_0001' ORDER BY event_id",
    );
    expect(rows).toStrictEqual([
      { event_id: 'evt_idem_0001', playhead: 1 },
      { event_id: 'evt_idem_0002', playhead: 0 },
    ]);
  });

  it('keeps the first of two duplicates inside one batch', async () => {
    const a = enrichedRecord({
      session_id: 'sess_dupe_0001',
      events: [event('paused', { id: 'evt_dupe_0001', playhead: 5 })],
    });
    const b = enrichedRecord({
      session_id: 'sess_dupe_0001',
      events: [event('paused', { id: 'evt_dupe_0001', playhead: 6 })],
    });
    await store.writeBatch(batchOf([a, b]));
    expect(
      await store.query("SELECT playhead FROM events WHERE event_id = 'evt_dupe_0001'"),
    ).toStrictEqual([{ playhead: 5 }]);
  });

  it('stores times as timestamps with millisecond precision', async () => {
    const rec = enrichedRecord({
      received_at: T0 + 1234,
      events: [event('muted', { id: 'evt_time_0001', ts: T0 + 7, time: T0 + 1007 })],
    });
    await store.writeBatch(batchOf([rec], { ingestedAt: T0 + 2001 }));
    const rows = await store.query(
      "SELECT epoch_ms(time) AS time, epoch_ms(received_at) AS received_at, epoch_ms(ingested_at) AS ingested_at, ts FROM events WHERE event_id = 'evt_time_0001'",
    );
    expect(rows).toStrictEqual([
      { time: T0 + 1007, received_at: T0 + 1234, ingested_at: T0 + 2001, ts: T0 + 7 },
    ]);
  });

  it('stores bad rows once, however often they are delivered', async () => {
    const bad = badRow({ reason: 'duplicate_event_id', request_id: 'req_bad_once' });
    await store.writeBatch(batchOf([], { badRows: [bad, bad] }));
    await store.writeBatch(batchOf([], { badRows: [bad] }));
    const rows = await store.query(
      "SELECT reason, status, payload FROM bad_rows WHERE request_id = 'req_bad_once'",
    );
    expect(rows).toStrictEqual([
      { reason: 'duplicate_event_id', status: 200, payload: bad.payload },
    ]);
  });

  it('stores a refused event that a client sent in three requests once, and a refused body per request', async () => {
    const attempt = (n: number) => ({ request_id: `req_resent_${n}`, received_at: T0 + n });
    const event = badRow({ event_id: 'evt_resent_01', session_id: 'sess_resent', ...attempt(0) });
    const { index: _i, ...body } = badRow({
      reason: 'invalid_envelope',
      status: 400,
      session_id: 'sess_resent',
      payload: '{"session_id":"sess_resent"}',
      ...attempt(0),
    });
    // Each attempt arrives in its own batch, as records of separate requests do.
    for (const n of [0, 1, 2]) {
      await store.writeBatch(
        batchOf([], {
          badRows: [
            { ...event, ...attempt(n) },
            { ...body, ...attempt(n) },
          ],
        }),
      );
    }
    const rows = await store.query(
      "SELECT reason, request_id FROM bad_rows WHERE session_id = 'sess_resent' ORDER BY reason, request_id",
    );
    expect(rows).toStrictEqual([
      { reason: 'invalid_envelope', request_id: 'req_resent_0' },
      { reason: 'invalid_envelope', request_id: 'req_resent_1' },
      { reason: 'invalid_envelope', request_id: 'req_resent_2' },
      { reason: 'invalid_event', request_id: 'req_resent_0' },
    ]);
  });

  it('keeps one checkpoint per shard, the latest', async () => {
    const stream = 'beacon-edge-events-us-east-1';
    await store.writeBatch(
      batchOf([], {
        checkpoints: [
          {
            stream,
            shardId: 'shardId-000000000000',
            sequenceNumber: '49650000000000000000000000000000000000000000000000000002',
          },
          {
            stream,
            shardId: 'shardId-000000000000',
            sequenceNumber: '49650000000000000000000000000000000000000000000000000010',
          },
          { stream, shardId: 'shardId-000000000001', sequenceNumber: '7' },
        ],
      }),
    );
    await store.writeBatch(
      batchOf([], {
        checkpoints: [{ stream, shardId: 'shardId-000000000001', sequenceNumber: '9' }],
      }),
    );
    expect(await store.loadCheckpoints()).toStrictEqual([
      {
        stream,
        shardId: 'shardId-000000000000',
        sequenceNumber: '49650000000000000000000000000000000000000000000000000010',
      },
      { stream, shardId: 'shardId-000000000001', sequenceNumber: '9' },
    ]);
  });

  it('writes nothing of a failed batch — no events, no bad rows, no checkpoint — and keeps working', async () => {
    const good = enrichedRecord({ session_id: 'sess_atomic_01' });
    const batch = batchOf([good], {
      checkpoints: [{ stream: 'atomic', shardId: 'shardId-000000000000', sequenceNumber: '1' }],
    });
    // A NULL in a NOT NULL column fails the bad-row insert, after the events were inserted.
    batch.badRows.push({ ...toStoredBadRow(badRow(), T0), reason: null as never });
    await expect(store.writeBatch(batch)).rejects.toThrow(SinkWriteError);
    await expect(store.writeBatch(batch)).rejects.toThrow(
      /NOT NULL constraint failed: bad_rows.reason/,
    );
    expect(
      await store.query("SELECT count(*) AS n FROM events WHERE session_id = 'sess_atomic_01'"),
    ).toStrictEqual([{ n: 0 }]);
    expect((await store.loadCheckpoints()).filter((c) => c.stream === 'atomic')).toStrictEqual([]);

    await store.writeBatch(
      batchOf([good], {
        checkpoints: [{ stream: 'atomic', shardId: 'shardId-000000000000', sequenceNumber: '1' }],
      }),
    );
    expect(
      await store.query("SELECT count(*) AS n FROM events WHERE session_id = 'sess_atomic_01'"),
    ).toStrictEqual([{ n: 1 }]);
  });

  it('runs concurrent writes one after the other without mixing them', async () => {
    const records = Array.from({ length: 20 }, (_, i) =>
      enrichedRecord({
        session_id: `sess_conc_${String(i).padStart(4, '0')}`,
        events: [event('started'), event('paused', { seq: 1 })],
      }),
    );
    await Promise.all(records.map((r) => store.writeBatch(batchOf([r]))));
    expect(
      await store.query("SELECT count(*) AS n FROM events WHERE session_id LIKE 'sess_conc_%'"),
    ).toStrictEqual([{ n: 40 }]);
  });

  it('never shows a reader half a batch while writes go on', async () => {
    const writes = Array.from({ length: 10 }, () =>
      store.writeBatch(
        batchOf([
          enrichedRecord({
            session_id: 'sess_snapshot1',
            events: Array.from({ length: 100 }, (_, i) =>
              event('heartbeat', { seq: i, played_ms: i, stall_ms: 0, stall_count: 0 }),
            ),
          }),
        ]),
      ),
    );
    const seen: number[] = [];
    const reading = (async () => {
      for (let i = 0; i < 30; i++) {
        const [r] = await store.query(
          "SELECT count(*) AS n FROM events WHERE session_id = 'sess_snapshot1'",
        );
        seen.push(r.n as number);
      }
    })();
    await Promise.all([...writes, reading]);
    expect(seen.filter((n) => n % 100 !== 0)).toStrictEqual([]);
    expect(
      await store.query("SELECT count(*) AS n FROM events WHERE session_id = 'sess_snapshot1'"),
    ).toStrictEqual([{ n: 1000 }]);
  });

  it('loads more rows than one DataChunk holds in a single batch', async () => {
    const events = Array.from({ length: 5000 }, (_, i) =>
      event('heartbeat', { seq: i, played_ms: i, stall_ms: 0, stall_count: 0 }),
    );
    await store.writeBatch(batchOf([enrichedRecord({ session_id: 'sess_big_batch1', events })]));
    expect(
      await store.query(
        "SELECT count(*) AS n, max(seq) AS m FROM events WHERE session_id = 'sess_big_batch1'",
      ),
    ).toStrictEqual([{ n: 5000, m: 4999 }]);
  });
});

describe('DuckDbStore durability', () => {
  it('opens a database created when attrs was NOT NULL and stores events without other fields in it', async () => {
    const path = dir.file('attrs-not-null.duckdb');
    const old = await DuckDBInstance.create(path);
    const con = await old.connect();
    const createEvents = schemaDdl()[0];
    expect(createEvents).toMatch(/"attrs" VARCHAR,/);
    await con.run(createEvents.replace('"attrs" VARCHAR,', '"attrs" VARCHAR NOT NULL,'));
    con.closeSync();
    old.closeSync();

    const store = await DuckDbStore.open(path);
    try {
      await store.writeBatch(
        batchOf([
          enrichedRecord({
            session_id: 'sess_migrated1',
            events: [event('paused', { id: 'evt_migrated01' })],
          }),
        ]),
      );
      expect(
        await store.query("SELECT attrs FROM events WHERE event_id = 'evt_migrated01'"),
      ).toStrictEqual([{ attrs: null }]);
    } finally {
      await store.close();
    }
  });

  it('writes a batch without duplicates once, and rewrites a batch with one skipping the duplicate (rows, bad rows and checkpoint all kept)', async () => {
    const store = await DuckDbStore.open(':memory:');
    const stream = 'dupe-retry';
    const before = store.duplicateRetries;
    // Another constraint (NOT NULL) fails the batch and is not taken for a duplicate key.
    const broken = batchOf([]);
    broken.badRows.push({ ...toStoredBadRow(badRow(), T0), reason: null as never });
    await expect(store.writeBatch(broken)).rejects.toThrow(/^DuckDB write failed: .*NOT NULL/);
    expect(store.duplicateRetries).toBe(before);
    const fresh = enrichedRecord({
      session_id: 'sess_retry_0001',
      events: [event('started', { id: 'evt_retry_0001' })],
    });
    await store.writeBatch(
      batchOf([fresh], {
        checkpoints: [{ stream, shardId: 'shardId-000000000000', sequenceNumber: '1' }],
      }),
    );
    expect(store.duplicateRetries).toBe(before);

    const replay = enrichedRecord({
      session_id: 'sess_retry_0001',
      events: [
        event('started', { id: 'evt_retry_0001', playhead: 42 }),
        event('paused', { id: 'evt_retry_0002', seq: 1 }),
      ],
    });
    const bad = badRow({ reason: 'invalid_event', request_id: 'req_retry_bad' });
    await store.writeBatch(
      batchOf([replay], {
        badRows: [bad],
        checkpoints: [{ stream, shardId: 'shardId-000000000000', sequenceNumber: '2' }],
      }),
    );
    expect(store.duplicateRetries).toBe(before + 1);
    expect(
      await store.query(
        "SELECT event_id, playhead FROM events WHERE session_id = 'sess_retry_0001' ORDER BY event_id",
      ),
    ).toStrictEqual([
      { event_id: 'evt_retry_0001', playhead: 0 },
      { event_id: 'evt_retry_0002', playhead: 0 },
    ]);
    expect(
      await store.query("SELECT count(*) AS n FROM bad_rows WHERE request_id = 'req_retry_bad'"),
    ).toStrictEqual([{ n: 1 }]);
    expect(await store.loadCheckpoints()).toStrictEqual([
      { stream, shardId: 'shardId-000000000000', sequenceNumber: '2' },
    ]);

    // Right after a hit the next batches skip duplicates at once: no second failed attempt.
    const replayAgain = enrichedRecord({
      session_id: 'sess_retry_0001',
      events: [
        event('paused', { id: 'evt_retry_0002', seq: 1 }),
        event('resumed', { id: 'evt_retry_0003', seq: 2 }),
      ],
    });
    await store.writeBatch(batchOf([replayAgain]));
    expect(store.duplicateRetries).toBe(before + 1);
    expect(
      await store.query("SELECT count(*) AS n FROM events WHERE session_id = 'sess_retry_0001'"),
    ).toStrictEqual([{ n: 3 }]);
    await store.close();
  });

  it('finishes a write started before close, and a reopened store sees data and checkpoints', async () => {
    const path = dir.file('durable.duckdb');
    const store = await DuckDbStore.open(path);
    const pending = store.writeBatch(
      batchOf([enrichedRecord({ session_id: 'sess_durable01' })], {
        checkpoints: [{ stream: 's', shardId: 'shardId-000000000000', sequenceNumber: '42' }],
      }),
    );
    await store.close();
    await pending;
    await expect(store.writeBatch(batchOf([]))).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.query('SELECT 1')).rejects.toBeInstanceOf(StoreClosedError);

    const reopened = await DuckDbStore.open(path);
    try {
      expect(await count(reopened, 'events')).toBe(1);
      expect(await reopened.loadCheckpoints()).toStrictEqual([
        { stream: 's', shardId: 'shardId-000000000000', sequenceNumber: '42' },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('opens an in-memory store', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.writeBatch(batchOf([enrichedRecord()]));
    expect(await count(store, 'events')).toBe(1);
    await store.close();
    await store.close();
  });
});
