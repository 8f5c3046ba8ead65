/**
 * Rows and checkpoints commit together (the EventSink contract), checked against real DuckDB
 * failures: a checkpoint the table refuses after the rows went in must leave neither, and a reader
 * on another connection must never see a batch's rows without its checkpoint. A sink that commits
 * the rows first and the checkpoint in a second transaction fails both tests; one that commits the
 * checkpoint first fails the bad-row case in duckdb.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import type { Checkpoint } from '../../../core-pipeline/sinks/sink.js';
import { badRow, enrichedRecord, event } from '../../helpers/records.js';
import { batchOf, tempDir } from '../../helpers/temp-store.js';

const dir = tempDir();
afterAll(() => dir.remove());

/** A checkpoint the table refuses for real: `stream` is NOT NULL in the checkpoints table. */
function refusedCheckpoint(sequenceNumber: string): Checkpoint {
  return { stream: null as never, shardId: 'shardId-000000000000', sequenceNumber };
}

async function sessionEvents(store: DuckDbStore, sessionId: string): Promise<number> {
  const [r] = await store.query('SELECT count(*) AS n FROM events WHERE session_id = $1', [
    sessionId,
  ]);
  return r.n as number;
}

describe('DuckDbStore: rows and checkpoints commit together', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await DuckDbStore.open(dir.file('atomic.duckdb'));
  });
  afterAll(() => store.close());

  it('stores neither rows nor bad rows when the checkpoint, written after them, is refused', async () => {
    const batch = batchOf([enrichedRecord({ session_id: 'sess_cp_refused1' })], {
      badRows: [badRow({ request_id: 'req_cp_refused1' })],
      checkpoints: [refusedCheckpoint('5')],
    });
    await expect(store.writeBatch(batch)).rejects.toThrow(SinkWriteError);
    await expect(store.writeBatch(batch)).rejects.toThrow(
      /NOT NULL constraint failed: checkpoints.stream/,
    );
    expect(await sessionEvents(store, 'sess_cp_refused1')).toBe(0);
    expect(
      await store.query("SELECT count(*) AS n FROM bad_rows WHERE request_id = 'req_cp_refused1'"),
    ).toStrictEqual([{ n: 0 }]);
    expect(await store.loadCheckpoints()).toStrictEqual([]);
  });

  it('stores nothing either when the batch is rewritten skipping a duplicate and the checkpoint is refused', async () => {
    const first = enrichedRecord({
      session_id: 'sess_cp_dupe_001',
      events: [event('started', { id: 'evt_cp_dupe_0001' })],
    });
    await store.writeBatch(batchOf([first]));
    const retriesBefore = store.duplicateRetries;
    // The duplicate sends the write down the second-attempt path (ON CONFLICT DO NOTHING).
    const replay = enrichedRecord({
      session_id: 'sess_cp_dupe_001',
      events: [
        event('started', { id: 'evt_cp_dupe_0001' }),
        event('paused', { id: 'evt_cp_dupe_0002', seq: 1 }),
      ],
    });
    await expect(
      store.writeBatch(batchOf([replay], { checkpoints: [refusedCheckpoint('6')] })),
    ).rejects.toThrow(/second attempt.*NOT NULL constraint failed: checkpoints.stream/);
    expect(store.duplicateRetries).toBe(retriesBefore + 1);
    expect(await sessionEvents(store, 'sess_cp_dupe_001')).toBe(1);
    expect(await store.loadCheckpoints()).toStrictEqual([]);
  });

  it('never shows a reader on another connection rows without their checkpoint, or the reverse', async () => {
    const stream = 'atomic-reader';
    const session = 'sess_cp_reader01';
    const perBatch = 50;
    const batches = 60;
    let writing = true;
    const writes = (async () => {
      try {
        for (let k = 1; k <= batches; k++) {
          const events = Array.from({ length: perBatch }, (_, i) =>
            event('heartbeat', {
              seq: k * perBatch + i,
              played_ms: i,
              stall_ms: 0,
              stall_count: 0,
            }),
          );
          await store.writeBatch(
            batchOf([enrichedRecord({ session_id: session, events })], {
              checkpoints: [{ stream, shardId: 'shardId-000000000000', sequenceNumber: `${k}` }],
            }),
          );
        }
      } finally {
        writing = false;
      }
    })();
    // One statement reads both, so both come from the same snapshot.
    const seen: { events: number; checkpoint: number }[] = [];
    const reading = (async () => {
      while (writing) {
        const [r] = await store.query(
          `SELECT (SELECT count(*) FROM events WHERE session_id = $1) AS events,
                  (SELECT coalesce(max(CAST(sequence_number AS BIGINT)), 0) FROM checkpoints WHERE stream = $2) AS checkpoint`,
          [session, stream],
        );
        seen.push({ events: r.events as number, checkpoint: r.checkpoint as number });
      }
    })();
    await Promise.all([writes, reading]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.events !== s.checkpoint * perBatch)).toStrictEqual([]);
    expect(await sessionEvents(store, session)).toBe(batches * perBatch);
    // 60 commits against a reader that never pauses: bounded by count, but on a loaded machine the
    // default 30 s is not enough for them.
  }, 120_000);
});
