import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKinesisHandler,
  handleKinesisEvent,
  streamNameFromArn,
} from '../../../core-pipeline/lambda/kinesis-handler.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import { badRow, enrichedRecord, event, jsonBytes, T0 } from '../../helpers/records.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';

let store: DuckDbStore;
beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
});
afterAll(() => store.close());

const ids = async (sql: string) => (await store.query(sql)).map((r) => Object.values(r)[0]);

/** A sink whose store is down: every write fails as a real one would. */
const downSink: EventSink = {
  writeBatch: async () => {
    throw new SinkWriteError('store unavailable');
  },
  loadCheckpoints: async () => [],
  close: async () => undefined,
};

describe('handleKinesisEvent', () => {
  it('stores the events of every record and reports no failures', async () => {
    const a = enrichedRecord({
      session_id: 'sess_lambda_a1',
      events: [event('started'), event('paused', { seq: 1 })],
    });
    const b = enrichedRecord({
      session_id: 'sess_lambda_b1',
      events: [event('volume_changed', { volume: 0.5, muted: false })],
    });
    const handler = createKinesisHandler({ sink: store });
    const result = await handler(
      kinesisStreamEvent([kinesisStreamRecord(jsonBytes(a)), kinesisStreamRecord(jsonBytes(b))]),
    );
    expect(result).toStrictEqual({ batchItemFailures: [] });
    expect(
      await ids(
        "SELECT event_id FROM events WHERE session_id LIKE 'sess_lambda_%' ORDER BY seq, session_id",
      ),
    ).toStrictEqual([a.events[0].id, b.events[0].id, a.events[1].id]);
  });

  it('keeps an unreadable record as a bad row instead of failing the batch', async () => {
    const rec = kinesisStreamRecord(new TextEncoder().encode('{"record_version":'), {
      stream: 'beacon-edge-events',
      shardId: 'shardId-000000000007',
      arrivalMs: T0 + 9000,
    });
    expect(await handleKinesisEvent(kinesisStreamEvent([rec]), { sink: store })).toStrictEqual({
      batchItemFailures: [],
    });
    const rows = await store.query(
      'SELECT reason, source, payload, payload_encoding, epoch_ms(received_at) AS received_at FROM bad_rows WHERE request_id = $1',
      [`kinesis:beacon-edge-events/shardId-000000000007/${rec.kinesis.sequenceNumber}`],
    );
    expect(rows).toStrictEqual([
      {
        reason: 'unreadable_record',
        source: 'core',
        payload: '{"record_version":',
        payload_encoding: 'text',
        received_at: T0 + 9000,
      },
    ]);
  });

  it('reads BadRows from the streams named as bad-row streams', async () => {
    const bad = badRow({ request_id: 'req_lambda_bad1' });
    const rec = kinesisStreamRecord(jsonBytes(bad), { stream: 'beacon-edge-bad-rows' });
    await handleKinesisEvent(kinesisStreamEvent([rec]), {
      sink: store,
      badRowStreams: ['beacon-edge-bad-rows'],
    });
    expect(
      await ids("SELECT reason FROM bad_rows WHERE request_id = 'req_lambda_bad1'"),
    ).toStrictEqual([bad.reason]);
  });

  it('stores a re-delivered batch once', async () => {
    const r = enrichedRecord({ session_id: 'sess_lambda_re1' });
    const batch = kinesisStreamEvent([kinesisStreamRecord(jsonBytes(r))]);
    await handleKinesisEvent(batch, { sink: store });
    await handleKinesisEvent(batch, { sink: store });
    expect(
      await ids("SELECT count(*) FROM events WHERE session_id = 'sess_lambda_re1'"),
    ).toStrictEqual([1]);
  });

  it('reports every record as failed when the sink cannot write, so Lambda retries the batch', async () => {
    const records = [
      kinesisStreamRecord(jsonBytes(enrichedRecord())),
      kinesisStreamRecord(jsonBytes(enrichedRecord())),
    ];
    const lines: string[] = [];
    const result = await handleKinesisEvent(kinesisStreamEvent(records), {
      sink: downSink,
      log: (l) => lines.push(l),
    });
    expect(result).toStrictEqual({
      batchItemFailures: records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    });
    expect(lines).toStrictEqual(['[kinesis-handler] write of 2 records failed: store unavailable']);
  });

  it('answers an empty event without writing', async () => {
    expect(await handleKinesisEvent(kinesisStreamEvent([]), { sink: downSink })).toStrictEqual({
      batchItemFailures: [],
    });
  });
});

describe('streamNameFromArn', () => {
  it('takes the name after stream/', () => {
    expect(
      streamNameFromArn('arn:aws:kinesis:eu-central-1:123456789012:stream/beacon-edge-events'),
    ).toBe('beacon-edge-events');
  });
});
