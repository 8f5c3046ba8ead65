/**
 * Rollout refusals in the DuckDB store: in the batch's transaction, once per refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { badRow, enrichedRecord, event, rolloutRefusal, T0 } from '../../helpers/records.js';
import { batchOf } from '../../helpers/temp-store.js';

describe('DuckDbStore rollout refusals', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
  });
  afterAll(() => store.close());

  const count = async (requestId: string) =>
    (
      await store.query('SELECT count(*) AS n FROM rollout_refusals WHERE request_id = $1', [
        requestId,
      ])
    )[0].n;

  it('stores a refusal once, whether re-delivered in the same batch or a later one (first write wins)', async () => {
    const r = rolloutRefusal({ request_id: 'req_refusal_once' });
    await store.writeBatch(batchOf([], { refusals: [r, r], ingestedAt: T0 + 1 }));
    await store.writeBatch(
      batchOf([], { refusals: [{ ...r, detail: 'changed' }], ingestedAt: T0 + 2 }),
    );
    expect(
      await store.query(
        "SELECT detail, ingested_at FROM rollout_refusals WHERE request_id = 'req_refusal_once'",
      ),
    ).toStrictEqual([{ detail: r.detail, ingested_at: new Date(T0 + 1) }]);
  });

  it('stores refusals beside events, bad rows and checkpoints, and none of a batch that fails', async () => {
    const ok = rolloutRefusal({ request_id: 'req_refusal_ok' });
    await store.writeBatch(
      batchOf([enrichedRecord({ session_id: 'sess_refusal_ok1', events: [event('started')] })], {
        badRows: [badRow({ request_id: 'req_refusal_bad' })],
        refusals: [ok],
        checkpoints: [{ stream: 'bad-rows', shardId: 'shardId-0', sequenceNumber: '7' }],
      }),
    );
    expect(await count('req_refusal_ok')).toBe(1);

    const failing = batchOf([], { refusals: [rolloutRefusal({ request_id: 'req_refusal_rb' })] });
    // A NOT NULL column refuses the bad row: the refusal of the same batch is rolled back.
    failing.badRows.push({ ...toStoredBadRow(badRow(), T0), reason: null as never });
    await expect(store.writeBatch(failing)).rejects.toThrow(/NOT NULL/);
    expect(await count('req_refusal_rb')).toBe(0);
  });

  it('writes a duplicate refusal beside new events without losing them (the duplicate-key retry)', async () => {
    // A store of its own: after a duplicate the store skips duplicates for a while at once.
    const fresh = await DuckDbStore.open(':memory:');
    try {
      const r = rolloutRefusal({ request_id: 'req_refusal_dup' });
      await fresh.writeBatch(batchOf([], { refusals: [r] }));
      expect(fresh.duplicateRetries).toBe(0);
      await fresh.writeBatch(
        batchOf([enrichedRecord({ session_id: 'sess_refusal_dup1', events: [event('paused')] })], {
          refusals: [r, rolloutRefusal({ request_id: 'req_refusal_new' })],
        }),
      );
      expect(fresh.duplicateRetries).toBe(1);
      expect(
        await fresh.query(
          "SELECT count(*) AS n FROM events WHERE session_id = 'sess_refusal_dup1'",
        ),
      ).toStrictEqual([{ n: 1 }]);
      expect(
        await fresh.query('SELECT request_id FROM rollout_refusals ORDER BY request_id'),
      ).toStrictEqual([{ request_id: 'req_refusal_dup' }, { request_id: 'req_refusal_new' }]);
    } finally {
      await fresh.close();
    }
  });
});
