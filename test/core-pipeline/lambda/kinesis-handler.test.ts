import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  processKinesisBatch,
  streamNameFromArn,
} from '../../../core-pipeline/lambda/kinesis-handler.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import type { EventSink } from '../../../core-pipeline/sinks/sink.js';
import {
  badRow,
  enrichedRecord,
  event,
  jsonBytes,
  rolloutRefusal,
  T0,
} from '../../helpers/records.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';
import { recordingSink } from '../../helpers/recording-sink.js';

let store: DuckDbStore;
beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
});
afterAll(() => store.close());

const ids = async (sql: string) => (await store.query(sql)).map((r) => Object.values(r)[0]);
const opts = (
  sink: EventSink,
  extra: { badRowStreams?: string[]; maxRowsPerWrite?: number } = {},
) => ({
  sink,
  maxRowsPerWrite: 5000,
  ...extra,
});

describe('processKinesisBatch', () => {
  it('stores the events of every record in one write', async () => {
    const a = enrichedRecord({
      session_id: 'sess_lambda_a1',
      events: [event('started'), event('paused', { seq: 1 })],
    });
    const b = enrichedRecord({
      session_id: 'sess_lambda_b1',
      events: [event('volume_changed', { volume: 0.5, muted: false })],
    });
    const out = await processKinesisBatch(
      kinesisStreamEvent([kinesisStreamRecord(jsonBytes(a)), kinesisStreamRecord(jsonBytes(b))])
        .Records,
      opts(store),
    );
    expect({ ...out, writeMs: out.writeMs.length }).toStrictEqual({
      recordsIn: 2,
      eventsWritten: 3,
      badRowsWritten: 0,
      refusalsWritten: 0,
      writes: 1,
      writeMs: 1,
      failedFrom: null,
    });
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
    const out = await processKinesisBatch([rec], opts(store));
    expect([out.failedFrom, out.badRowsWritten]).toStrictEqual([null, 1]);
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
    await processKinesisBatch([rec], opts(store, { badRowStreams: ['beacon-edge-bad-rows'] }));
    expect(
      await ids("SELECT reason FROM bad_rows WHERE request_id = 'req_lambda_bad1'"),
    ).toStrictEqual([bad.reason]);
  });

  it('stores rollout refusals from the bad-row stream apart from bad rows, once when re-delivered', async () => {
    const refusal = rolloutRefusal({ request_id: 'req_lambda_refused1' });
    const stream = { stream: 'beacon-edge-bad-rows' };
    const batch = [
      kinesisStreamRecord(jsonBytes(refusal), stream),
      kinesisStreamRecord(jsonBytes(refusal), stream),
    ];
    const o = opts(store, { badRowStreams: ['beacon-edge-bad-rows'] });
    const first = await processKinesisBatch(batch, o);
    await processKinesisBatch(batch, o);
    expect([first.refusalsWritten, first.badRowsWritten, first.failedFrom]).toStrictEqual([
      2,
      0,
      null,
    ]);
    expect(
      await ids("SELECT reason FROM rollout_refusals WHERE request_id = 'req_lambda_refused1'"),
    ).toStrictEqual(['schema_retired']);
    expect(
      await ids("SELECT count(*) FROM bad_rows WHERE request_id = 'req_lambda_refused1'"),
    ).toStrictEqual([0]);
  });

  it('stores a re-delivered batch once', async () => {
    const r = enrichedRecord({ session_id: 'sess_lambda_re1' });
    const batch = [kinesisStreamRecord(jsonBytes(r))];
    await processKinesisBatch(batch, opts(store));
    await processKinesisBatch(batch, opts(store));
    expect(
      await ids("SELECT count(*) FROM events WHERE session_id = 'sess_lambda_re1'"),
    ).toStrictEqual([1]);
  });

  it('writes groups of whole records and stops at the first failed group', async () => {
    // Three records of two events each, at most four rows per write: groups [0], [1], [2].
    const records = [0, 1, 2].map(() =>
      kinesisStreamRecord(
        jsonBytes(enrichedRecord({ events: [event('started'), event('paused', { seq: 1 })] })),
      ),
    );
    const sink = recordingSink([2]);
    const out = await processKinesisBatch(records, opts(sink, { maxRowsPerWrite: 3 }));
    expect(sink.writes.map((w) => w.events.length)).toStrictEqual([2, 2]);
    expect([out.failedFrom, out.eventsWritten, out.writes]).toStrictEqual([1, 2, 2]);
    expect(out.error).toBeInstanceOf(SinkWriteError);
  });

  it('never splits a record larger than a write', async () => {
    const big = enrichedRecord({
      events: [0, 1, 2, 3, 4].map((seq) =>
        event('heartbeat', { seq, played_ms: seq * 1000, stall_ms: 0, stall_count: 0 }),
      ),
    });
    const sink = recordingSink();
    const out = await processKinesisBatch(
      [kinesisStreamRecord(jsonBytes(big)), kinesisStreamRecord(jsonBytes(enrichedRecord()))],
      opts(sink, { maxRowsPerWrite: 2 }),
    );
    expect(sink.writes.map((w) => w.events.length)).toStrictEqual([5, 1]);
    expect(out.failedFrom).toBe(null);
  });

  it('reports the first record when the first write fails', async () => {
    const records = [kinesisStreamRecord(jsonBytes(enrichedRecord()))];
    const out = await processKinesisBatch(records, opts(recordingSink([1])));
    expect([out.failedFrom, out.eventsWritten]).toStrictEqual([0, 0]);
  });

  it('counts events the store refused as bad rows', async () => {
    const sink: EventSink = {
      writeBatch: async () => ({ rejectedEvents: 1 }),
      loadCheckpoints: async () => [],
      close: async () => undefined,
    };
    const r = enrichedRecord({ events: [event('started'), event('paused', { seq: 1 })] });
    const out = await processKinesisBatch([kinesisStreamRecord(jsonBytes(r))], opts(sink));
    expect([out.eventsWritten, out.badRowsWritten]).toStrictEqual([1, 1]);
  });
});

describe('streamNameFromArn', () => {
  it('takes the name after stream/', () => {
    expect(
      streamNameFromArn('arn:aws:kinesis:eu-central-1:123456789012:stream/beacon-edge-events'),
    ).toBe('beacon-edge-events');
  });
});
