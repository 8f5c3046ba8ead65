/**
 * The Timestream sink's own decisions, against the fake service: the windows it checks before
 * writing, how it times bad rows, in-batch duplicates, its life cycle and its environment contract.
 */
import { describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { StoreClosedError } from '../../../core-pipeline/errors.js';
import { decodedRows, badRow, enrichedRecord, event } from '../../helpers/records.js';
import { timestreamSinkEachTest } from '../../helpers/timestream-fake.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const ts = timestreamSinkEachTest(NOW);

const rows = (...events: ReturnType<typeof event>[]) =>
  decodedRows([enrichedRecord({ received_at: NOW - 1000, events })], {
    receivedAt: NOW,
    ingestedAt: NOW,
  }).events;

describe('TimestreamSink', () => {
  it('uses the configured retention: 1 h 59 min old is stored, 2 h 1 min old is a bad row', async () => {
    const events = rows(
      event('started', { id: 'ev_inside_0001', ts: NOW - 119 * 60_000 }),
      event('paused', { id: 'ev_outside_001', seq: 1, ts: NOW - 121 * 60_000 }),
    );
    // The refused event is reported, so the consumer counts it as a bad row, not as written.
    expect(await ts.sink.writeBatch({ events, badRows: [], checkpoints: [] })).toStrictEqual({
      rejectedEvents: 1,
    });
    expect(ts.fake.records('ev').map((r) => r.measures.event_id.value)).toStrictEqual([
      'ev_inside_0001',
    ]);
    const [bad] = ts.fake.records('bad');
    expect(bad.dimensions.reason).toBe('store_time_too_old');
    expect(bad.measures.detail.value).toContain("before the memory store's retention (2 h");
    // Timed at receipt (inside the window), not at the event's own time.
    expect(bad.timeNs / 1_000_000n).toBe(BigInt(NOW - 1000));
  });

  it('times a bad row received before the window at its ingest time, so the store takes it', async () => {
    const old = toStoredBadRow(badRow({ received_at: NOW - 3 * 3_600_000 }), NOW - 5);
    // Incoming bad rows are not events the store refused.
    expect(await ts.sink.writeBatch({ events: [], badRows: [old], checkpoints: [] })).toStrictEqual(
      {
        rejectedEvents: 0,
      },
    );
    const [stored] = ts.fake.records('bad');
    expect(stored.timeNs / 1_000_000n).toBe(BigInt(NOW - 5));
    expect(stored.measures.received_at.value).toBe(String(NOW - 3 * 3_600_000));
  });

  it('cuts a bad row payload to the record limit and says so', async () => {
    const big = toStoredBadRow(badRow({ received_at: NOW, payload: 'x'.repeat(60_000) }), NOW);
    await ts.sink.writeBatch({ events: [], badRows: [big, big], checkpoints: [] });
    const stored = ts.fake.records('bad');
    expect(stored).toHaveLength(1);
    expect(stored[0].measures.payload_truncated.value).toBe('true');
    expect(stored[0].measures.payload.value.length).toBeLessThan(2048);
  });

  it('writes one event id once per batch (first wins)', async () => {
    const [a] = rows(event('started', { id: 'ev_dup_000001', ts: NOW - 5000 }));
    const b = { ...a, time: a.time + 7, seq: 9 };
    await ts.sink.writeBatch({ events: [a, b], badRows: [], checkpoints: [] });
    expect(ts.fake.records('ev').map((r) => r.measures.seq.value)).toStrictEqual(['0']);
  });

  it('keeps no checkpoints, closes once and refuses writes after close', async () => {
    expect(await ts.sink.loadCheckpoints()).toStrictEqual([]);
    await ts.sink.close();
    await ts.sink.close();
    await expect(
      ts.sink.writeBatch({ events: [], badRows: [], checkpoints: [] }),
    ).rejects.toBeInstanceOf(StoreClosedError);
  });
});
