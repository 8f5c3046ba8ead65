/**
 * The Timestream sink with CMCD records, against the fake service: one record per line with the
 * `source` dimension, a failed write retried from the same in-memory state, a replay stored once.
 */
import { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import { createTimestreamSink } from '../../../core-pipeline/sinks/timestream.js';
import { cmcdLines, cmcdRecord, sta, T0 } from '../../helpers/cmcd-records.js';
import { decodedBatch } from '../../helpers/cmcd-batches.js';
import { TimestreamFake } from '../../helpers/timestream-fake.js';

const NOW = T0 + 120_000;
let fake: TimestreamFake;
let mock: ReturnType<TimestreamFake['install']>;
let sink: EventSink;

beforeEach(() => {
  fake = new TimestreamFake('db').createTable('ev', 2).createTable('bad', 2);
  fake.now = NOW;
  mock = fake.install();
  sink = createTimestreamSink({
    database: 'db',
    eventsTable: 'ev',
    badRowsTable: 'bad',
    memoryRetentionHours: 2,
    client: new TimestreamWriteClient({ region: 'us-east-1' }),
    now: () => NOW,
    sleep: async () => undefined,
  });
});
afterEach(async () => {
  await sink.close();
  mock.restore();
});

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
    await sink.writeBatch(first());
    await sink.writeBatch(second());
    const stored = fake.records('ev');
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
    await sink.writeBatch(first());
    fake.failNext(10, () => Object.assign(new Error('boom'), { name: 'InternalServerException' }));
    await expect(sink.writeBatch(second())).rejects.toThrow();
    await sink.writeBatch(second());
    await sink.writeBatch(second());
    await sink.writeBatch(first());
    const stored = fake.records('ev');
    expect(stored.map((r) => r.measureName)).toEqual([
      'requested',
      'first_frame',
      'stall_start',
      'stall_end',
    ]);
  });
});
