/**
 * The product's promise through the Timestream sink: records as the edge writes them → Lambda's
 * Kinesis event → the real handler and decoder → the sink → the SDK client → the fake service
 * (which keeps LiveAnalytics' documented limits). Every accepted event is stored exactly once
 * across a throttled retry, a failed invocation and a replay; every event the store cannot take
 * is exactly one bad row with its reason.
 */
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsumerHandler } from '../../../core-pipeline/lambda/main.js';
import { decodeRecords } from '../../../core-pipeline/record-decoder.js';
import { createTimestreamSink } from '../../../core-pipeline/sinks/timestream.js';
import { eventRecord } from '../../../core-pipeline/sinks/timestream-records.js';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';
import { badRow, enrichedRecord, event, jsonBytes } from '../../helpers/records.js';
import { TimestreamFake } from '../../helpers/timestream-fake.js';
import { capturedPowertools } from '../../helpers/powertools.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const RECEIVED = NOW - 10 * 60_000;
let fake: TimestreamFake;
let mock: ReturnType<TimestreamFake['install']>;
let clock = NOW;
let sink: EventSink;

beforeEach(() => {
  fake = new TimestreamFake('beacons').createTable('events', 1).createTable('bad_rows', 1);
  fake.now = NOW;
  clock = NOW;
  mock = fake.install();
  sink = createTimestreamSink({
    database: 'beacons',
    eventsTable: 'events',
    badRowsTable: 'bad_rows',
    memoryRetentionHours: 1,
    client: new TimestreamWriteClient({ region: 'us-east-1' }),
    now: () => clock,
    sleep: async () => undefined,
    random: () => 0.5,
    retry: { maxAttempts: 4 },
  });
});
afterEach(async () => {
  await sink.close();
  mock.restore();
});

/** Three sessions of 40 heartbeats, plus the events the store cannot take as they are. */
function traffic() {
  const sessions = [0, 1, 2].map((s) =>
    enrichedRecord({
      received_at: RECEIVED,
      session_id: `sess_ts_int_${s}`,
      events: Array.from({ length: 40 }, (_, i) =>
        event('heartbeat', {
          id: `ev_ts_${s}_${i}`,
          seq: i,
          ts: RECEIVED - 40_000 + i * 1000,
          played_ms: i * 1000,
        } as never),
      ),
    }),
  );
  const odd = enrichedRecord({
    received_at: RECEIVED,
    session_id: 'sess_ts_int_odd',
    events: [
      event('started', { id: 'ev_ts_too_old', seq: 0, ts: NOW - 2 * 3_600_000 }),
      event('paused', { id: 'ev_ts_future', seq: 1, ts: NOW + 20 * 60_000 }),
      event('error', {
        id: 'ev_ts_long_msg',
        seq: 2,
        ts: RECEIVED,
        code: 'E_NET',
        message: '😀'.repeat(512),
        fatal: false,
      } as never),
    ],
  });
  const huge = enrichedRecord({
    received_at: RECEIVED,
    session_id: 'sess_ts_int_huge',
    content_id: '😀'.repeat(256),
    geo: {
      country: 'DE',
      city: '😀'.repeat(128),
      region: '😀'.repeat(128),
      time_zone: 'Europe/Berlin',
      asn: '3320',
    },
    events: [event('started', { id: 'ev_ts_huge', seq: 0, ts: RECEIVED })],
  });
  const edgeBad = badRow({
    received_at: RECEIVED,
    reason: 'invalid_event',
    event_id: 'ev_ts_edge_bad',
  });
  return kinesisStreamEvent([
    ...sessions.map((r) => kinesisStreamRecord(jsonBytes(r), { stream: 'beacon-edge-events' })),
    kinesisStreamRecord(jsonBytes(odd), { stream: 'beacon-edge-events' }),
    kinesisStreamRecord(jsonBytes(huge), { stream: 'beacon-edge-events' }),
    kinesisStreamRecord(new TextEncoder().encode('not json'), {
      stream: 'beacon-edge-events',
      arrivalMs: RECEIVED,
    }),
    kinesisStreamRecord(jsonBytes(edgeBad), { stream: 'beacon-edge-bad-rows' }),
  ]);
}

// The deployed handler's core, with Powertools' output captured instead of printed.
const handle = (ev: ReturnType<typeof traffic>) =>
  createConsumerHandler({
    sink,
    badRowStreams: ['beacon-edge-bad-rows'],
    now: () => clock,
    ...capturedPowertools(),
  })(ev);

const storedEventIds = () =>
  fake
    .records('events')
    .map((r) => r.measures.event_id.value)
    .sort();
const badRowsByReason = () =>
  fake
    .records('bad_rows')
    .map(
      (r) =>
        [r.dimensions.reason, r.measures.event_id?.value ?? r.measures.request_id.value] as const,
    )
    .sort();

const GOOD = [0, 1, 2].flatMap((s) => Array.from({ length: 40 }, (_, i) => `ev_ts_${s}_${i}`));

function expectStoredExactlyOnce() {
  expect(storedEventIds()).toStrictEqual([...GOOD, 'ev_ts_long_msg'].sort());
  const bad = badRowsByReason();
  expect(bad.filter(([reason]) => reason !== 'unreadable_record')).toStrictEqual(
    [
      ['invalid_event', 'ev_ts_edge_bad'],
      ['store_record_too_large', 'ev_ts_huge'],
      ['store_time_in_future', 'ev_ts_future'],
      ['store_time_too_old', 'ev_ts_too_old'],
    ].sort(),
  );
  expect(bad.filter(([reason]) => reason === 'unreadable_record')).toHaveLength(1);
}

describe('Timestream sink, end to end through the Lambda handler', () => {
  it('stores every event once across a throttled retry and a replay, and every refusal as one bad row', async () => {
    const batch = traffic();
    fake.failNext(2);
    expect(await handle(batch)).toStrictEqual({ batchItemFailures: [] });
    expectStoredExactlyOnce();
    const requests = fake.requests.length;

    // The same Kinesis records delivered again, a minute later (new ingest time on every row).
    clock += 60_000;
    fake.now = clock;
    expect(await handle(batch)).toStrictEqual({ batchItemFailures: [] });
    expectStoredExactlyOnce();
    expect(fake.requests.length).toBeGreaterThan(requests);

    const long = fake.records('events').find((r) => r.measures.event_id.value === 'ev_ts_long_msg');
    expect(long?.measures.truncated?.value).toBe('true');
    expect(long?.measures.error_message.value.length).toBeLessThan('😀'.repeat(512).length);
    expect(long?.measures.error_code.value).toBe('E_NET');
  });

  it('fails the whole invocation when throttling outlasts the budget, and the retry stores everything once', async () => {
    const batch = traffic();
    fake.failNext(4);
    const failed = await handle(batch);
    expect(failed.batchItemFailures).toHaveLength(batch.Records.length);
    expect(fake.records('events')).toHaveLength(0);

    expect(await handle(batch)).toStrictEqual({ batchItemFailures: [] });
    expectStoredExactlyOnce();
  });

  it('turns a record the service rejects into one bad row with the service reason', async () => {
    const rec = enrichedRecord({
      received_at: RECEIVED,
      session_id: 'sess_ts_taken',
      events: [event('started', { id: 'ev_ts_taken', seq: 0, ts: RECEIVED })],
    });
    // Someone else's writer put a different record with a higher version at that identity.
    const [row] = decodeRecords(
      [
        {
          kind: 'events',
          data: jsonBytes(rec),
          stream: 's',
          shardId: 'sh',
          sequenceNumber: '1',
          receivedAt: RECEIVED,
        },
      ],
      NOW,
    ).events;
    const other = eventRecord({ ...row, seq: 99 });
    await new TimestreamWriteClient({ region: 'us-east-1' }).send(
      new WriteRecordsCommand({
        DatabaseName: 'beacons',
        TableName: 'events',
        Records: [{ ...other, Version: 5 }],
      }),
    );

    const batch = kinesisStreamEvent([
      kinesisStreamRecord(jsonBytes(rec), { stream: 'beacon-edge-events' }),
    ]);
    expect(await handle(batch)).toStrictEqual({ batchItemFailures: [] });
    expect(await handle(batch)).toStrictEqual({ batchItemFailures: [] });
    const bad = fake.records('bad_rows');
    expect(bad).toHaveLength(1);
    expect(bad[0].dimensions.reason).toBe('store_rejected');
    expect(bad[0].measures.detail.value).toContain('lower than the existing version 5');
    expect(fake.records('events').map((r) => r.measures.seq.value)).toStrictEqual(['99']);
  });
});
