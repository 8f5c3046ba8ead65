/**
 * The Timestream sink with CMCD records, against the fake service: one record per line with the
 * `source` dimension, a failed write retried from the same in-memory state, a replay stored once.
 */
import { describe, expect, it } from 'vitest';
import { cmcdLines, cmcdRecord, sta, T0 } from '../../helpers/cmcd-records.js';
import { decodedBatch } from '../../helpers/cmcd-batches.js';
import { timestreamSinkEachTest } from '../../helpers/timestream-fake.js';

const NOW = T0 + 120_000;
const ts = timestreamSinkEachTest(NOW);

const first = () =>
  decodedBatch(
    [
      cmcdRecord(
        cmcdLines([
          [0, 'ps', 0, sta('s')],
          [1, 'ps', 900, sta('p')],
        ]),
      ),
    ],
    NOW,
  );
const second = () =>
  decodedBatch(
    [
      cmcdRecord(
        cmcdLines([
          [2, 'ps', 3_000, sta('r')],
          [3, 'ps', 3_700, sta('p')],
        ]),
      ),
    ],
    NOW,
  );

describe('TimestreamSink with CMCD records', () => {
  it('writes one record per line, the type as measure name and source as a dimension', async () => {
    await ts.sink.writeBatch(first());
    await ts.sink.writeBatch(second());
    const stored = ts.fake.records('ev');
    expect(stored.map((r) => r.measureName)).toEqual([
      'requested',
      'first_frame',
      'stall_start',
      'stall_end',
    ]);
    expect(new Set(stored.map((r) => r.dimensions.source))).toEqual(new Set(['cmcd']));
    expect(stored[3].measures.stall_ms.value).toBe('700');
  });

  it('maps a failed write again from the same state, and stores a replay once', async () => {
    await ts.sink.writeBatch(first());
    ts.fake.failNext(10, () =>
      Object.assign(new Error('boom'), { name: 'InternalServerException' }),
    );
    await expect(ts.sink.writeBatch(second())).rejects.toThrow();
    await ts.sink.writeBatch(second());
    await ts.sink.writeBatch(second());
    await ts.sink.writeBatch(first());
    const stored = ts.fake.records('ev');
    expect(stored.map((r) => r.measureName)).toEqual([
      'requested',
      'first_frame',
      'stall_start',
      'stall_end',
    ]);
  });
});
