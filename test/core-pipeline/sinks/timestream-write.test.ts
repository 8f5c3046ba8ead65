/**
 * WriteRecords through the real SDK client against the fake service (test/helpers/timestream-fake.ts):
 * first that the fake keeps the documented rules, then that writeRecords batches, retries and
 * reports rejections by index.
 */
import {
  type _Record,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import { type WriteTarget, writeRecords } from '../../../core-pipeline/sinks/timestream-write.js';
import { TimestreamFake, internalError } from '../../helpers/timestream-fake.js';

/** What a promise rejects with; fails the test when it resolves. */
const catchError = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );

const NOW = Date.UTC(2026, 5, 1, 12);
let fake: TimestreamFake;
let mock: ReturnType<TimestreamFake['install']>;
const client = new TimestreamWriteClient({ region: 'us-east-1' });
const sleeps: number[] = [];

beforeEach(() => {
  fake = new TimestreamFake('db').createTable('events', 1);
  fake.now = NOW;
  mock = fake.install();
  sleeps.length = 0;
});
afterEach(() => mock.restore());

const target = (over: Partial<WriteTarget['retry']> = {}): WriteTarget => ({
  client,
  database: 'db',
  table: 'events',
  retry: { backoffMs: 100, maxBackoffMs: 1000, maxAttempts: 4, budgetMs: 10_000, ...over },
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
});

function rec(i: number, over: Partial<_Record> = {}): _Record {
  return {
    Dimensions: [
      { Name: 'pop', Value: 'FRA56-C1' },
      { Name: 'session_id', Value: `s${i % 3}` },
    ],
    MeasureName: 'heartbeat',
    MeasureValueType: 'MULTI',
    MeasureValues: [{ Name: 'seq', Type: 'BIGINT', Value: String(i) }],
    Time: String(BigInt(NOW - 1000 + i) * 1_000_000n),
    TimeUnit: 'NANOSECONDS',
    Version: 1,
    ...over,
  };
}

const send = (records: _Record[]) =>
  client.send(
    new WriteRecordsCommand({ DatabaseName: 'db', TableName: 'events', Records: records }),
  );

describe('the fake keeps the service rules', () => {
  it('refuses more than 100 records with a ValidationException', async () => {
    const err = await catchError(send(Array.from({ length: 101 }, (_, i) => rec(i))));
    expect((err as Error).name).toBe('ValidationException');
    expect(fake.records('events')).toHaveLength(0);
  });

  it('rejects a record over 2 KB by index and stores the others', async () => {
    const big = rec(1, {
      MeasureValues: [{ Name: 'm', Type: 'VARCHAR', Value: 'x'.repeat(2048) }],
    });
    const err = (await catchError(send([rec(0), big, rec(2)]))) as {
      name: string;
      RejectedRecords: unknown[];
    };
    expect(err.name).toBe('RejectedRecordsException');
    expect(err.RejectedRecords).toStrictEqual([
      { RecordIndex: 1, Reason: expect.stringContaining('exceeds the maximum of 2048 bytes') },
    ]);
    expect(fake.records('events')).toHaveLength(2);
  });

  it('rejects records outside the memory-store window or over 15 min ahead', async () => {
    const old = rec(0, { Time: String(BigInt(NOW - 3_600_001) * 1_000_000n) });
    const ahead = rec(1, { Time: String(NOW + 15 * 60_000), TimeUnit: 'MILLISECONDS' });
    const err = (await catchError(send([old, ahead, rec(2)]))) as {
      RejectedRecords: { RecordIndex: number; Reason: string }[];
    };
    expect(err.RejectedRecords.map((r) => r.RecordIndex)).toStrictEqual([0, 1]);
    expect(err.RejectedRecords[0].Reason).toBe(
      'The record timestamp is outside the time range [2026-06-01T11:00:00.000Z, 2026-06-01T12:15:00.000Z) of the data ingestion window.',
    );
  });

  it('rejects the 129th dimension name and the 8,193rd measure name of a table', async () => {
    const dims = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => ({ Name: `d${from + k}`, Value: 'v' }));
    await send([rec(0, { Dimensions: dims(0, 100) })]);
    const err = (await catchError(send([rec(1, { Dimensions: dims(100, 29) })]))) as {
      RejectedRecords: { Reason: string }[];
    };
    expect(err.RejectedRecords[0].Reason).toContain('more than 128 dimensions');
    await send([rec(2, { Dimensions: dims(100, 28) })]);

    const measures = (from: number) =>
      Array.from({ length: 200 }, (_, k) => ({
        Name: `m${from + k}`,
        Type: 'BOOLEAN' as const,
        Value: 'true',
      }));
    let i = 10;
    for (let from = 0; from < 8000; from += 200)
      await send([rec(i++, { Dimensions: dims(0, 1), MeasureValues: measures(from) })]);
    // 8,000 value names + 'heartbeat' are taken; 200 more would pass 8,192.
    const over = (await catchError(
      send([rec(i++, { Dimensions: dims(0, 1), MeasureValues: measures(8000) })]),
    )) as { RejectedRecords: { Reason: string }[] };
    expect(over.RejectedRecords[0].Reason).toContain('more than 8192 measure names');
  });

  it('versions: identical is accepted, different values with an equal or lower version are rejected with ExistingVersion, higher overwrites', async () => {
    await send([rec(0)]);
    await send([rec(0)]); // identical
    const changed = rec(0, { MeasureValues: [{ Name: 'seq', Type: 'BIGINT', Value: '99' }] });
    const equal = (await catchError(send([changed]))) as { RejectedRecords: unknown[] };
    expect(equal.RejectedRecords).toStrictEqual([
      {
        RecordIndex: 0,
        Reason: expect.stringContaining('same time, dimensions, measure name, and record version'),
        ExistingVersion: 1,
      },
    ]);
    await send([{ ...changed, Version: 3 }]);
    expect(fake.records('events')[0].measures.seq.value).toBe('99');
    const lower = (await catchError(send([{ ...rec(0), Version: 2 }]))) as {
      RejectedRecords: unknown[];
    };
    expect(lower.RejectedRecords).toStrictEqual([
      {
        RecordIndex: 0,
        Reason:
          'The record version 2 is lower than the existing version 3. A higher version is required to update the measure value.',
        ExistingVersion: 3,
      },
    ]);
    expect(fake.records('events')).toHaveLength(1);
  });

  it('throttles when told to', async () => {
    fake.failNext(1);
    expect(((await catchError(send([rec(0)]))) as Error).name).toBe('ThrottlingException');
    await send([rec(0)]);
    expect(fake.records('events')).toHaveLength(1);
  });
});

describe('writeRecords', () => {
  it('sends at most 100 records per request with the shared attributes in CommonAttributes', async () => {
    const records = Array.from({ length: 250 }, (_, i) => rec(i));
    expect(await writeRecords(records, target())).toStrictEqual([]);
    expect(fake.requests.map((r) => r.Records?.length)).toStrictEqual([100, 100, 50]);
    const first = fake.requests[0];
    expect(first.CommonAttributes).toStrictEqual({
      Dimensions: [{ Name: 'pop', Value: 'FRA56-C1' }],
      MeasureValueType: 'MULTI',
      TimeUnit: 'NANOSECONDS',
      Version: 1,
    });
    expect(first.Records?.[0].Dimensions).toStrictEqual([{ Name: 'session_id', Value: 's0' }]);
    expect(fake.records('events')).toHaveLength(250);
  });

  it('retries throttling and 500s with backoff, then stores everything once', async () => {
    fake.failNext(2).failNext(1, internalError);
    expect(await writeRecords([rec(0), rec(1)], target())).toStrictEqual([]);
    expect(sleeps).toStrictEqual([50, 100, 200]);
    expect(fake.records('events')).toHaveLength(2);
  });

  it('gives up with SinkWriteError when the attempts run out', async () => {
    fake.failNext(10);
    const err = await catchError(writeRecords([rec(0)], target({ maxAttempts: 3 })));
    expect(err).toBeInstanceOf(SinkWriteError);
    expect((err as Error).message).toBe(
      'Timestream WriteRecords to events still failing after 3 attempts: ThrottlingException',
    );
    expect(((err as Error).cause as Error).name).toBe('ThrottlingException');
  });

  it('gives up when the next wait would pass the time budget', async () => {
    fake.failNext(10);
    await catchError(writeRecords([rec(0)], target({ budgetMs: 120, maxAttempts: 100 })));
    expect(sleeps).toStrictEqual([50]);
  });

  it('reports rejections by their index in the caller list, across requests', async () => {
    const records = Array.from({ length: 150 }, (_, i) => rec(i));
    records[120] = rec(120, { Time: '1' });
    expect(await writeRecords(records, target())).toStrictEqual([
      { index: 120, reason: expect.stringContaining('outside the time range') },
    ]);
    expect(fake.records('events')).toHaveLength(149);
  });

  it('counts "already stored with our version" as stored', async () => {
    await send([rec(0)]);
    const later = rec(0, {
      MeasureValues: [
        { Name: 'seq', Type: 'BIGINT', Value: '0' },
        { Name: 'ingested_at', Type: 'BIGINT', Value: '5' },
      ],
    });
    expect(await writeRecords([later], target())).toStrictEqual([]);
    expect(fake.records('events')[0].measures.ingested_at).toBeUndefined();
  });

  it('reports a record stored by someone else with a higher version', async () => {
    await send([{ ...rec(0), Version: 7 }]);
    const mine = rec(0, { MeasureValues: [{ Name: 'seq', Type: 'BIGINT', Value: '1' }] });
    expect(await writeRecords([mine], target())).toStrictEqual([
      {
        index: 0,
        reason: expect.stringContaining('lower than the existing version 7'),
        existingVersion: 7,
      },
    ]);
  });

  it('splits a request the service refuses as a whole down to the one record at fault', async () => {
    const records = Array.from({ length: 8 }, (_, i) => rec(i));
    records[5] = rec(5, { MeasureValues: [{ Name: 'seq', Type: 'BIGINT', Value: '' }] });
    expect(await writeRecords(records, target())).toStrictEqual([
      { index: 5, reason: expect.stringMatching(/^ValidationException: Measure seq has an empty/) },
    ]);
    expect(fake.records('events')).toHaveLength(7);
  });

  it('fails at once on a missing table', async () => {
    const err = await catchError(writeRecords([rec(0)], { ...target(), table: 'nope' }));
    expect(err).toBeInstanceOf(SinkWriteError);
    expect(((err as Error).cause as Error).name).toBe('ResourceNotFoundException');
    expect(sleeps).toStrictEqual([]);
  });
});
