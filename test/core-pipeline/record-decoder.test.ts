import { describe, expect, it } from 'vitest';
import { decodeRecords, type SourceRecord } from '../../core-pipeline/record-decoder.js';
import { toStoredBadRow } from '../../core-pipeline/bad-rows.js';
import { LIMITS } from '../../schemas/limits.js';
import { badRow, enrichedRecord, event, jsonBytes, T0 } from '../helpers/records.js';

const NOW = T0 + 60000;
let seq = 100;

function source(data: Uint8Array, kind: SourceRecord['kind'] = 'events'): SourceRecord {
  seq += 1;
  return {
    kind,
    data,
    stream: 'beacon-edge-events-eu-central-1',
    shardId: 'shardId-000000000001',
    sequenceNumber: String(seq),
    receivedAt: T0 + 1,
  };
}

describe('decodeRecords', () => {
  it('turns event records into rows and bad-row records into stored bad rows, in order', () => {
    const a = enrichedRecord({
      events: [event('started', { seq: 0 }), event('paused', { seq: 1 })],
    });
    const b = enrichedRecord({ events: [event('volume_changed', { volume: 1, muted: false })] });
    const bad = badRow();
    const out = decodeRecords(
      [source(jsonBytes(a)), source(jsonBytes(bad), 'bad_rows'), source(jsonBytes(b))],
      NOW,
    );
    expect(out.events.map((e) => e.type)).toStrictEqual(['started', 'paused', 'volume_changed']);
    expect(out.badRows).toStrictEqual([toStoredBadRow(bad, NOW)]);
    expect(out.badRows[0].source).toBe('edge');
  });

  it('keeps garbage bytes as a base64 bad row with reason unreadable_record', () => {
    const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
    const rec = source(garbage);
    const { events, badRows } = decodeRecords([rec], NOW);
    expect(events).toStrictEqual([]);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]).toMatchObject({
      source: 'core',
      status: 0,
      reason: 'unreadable_record',
      request_id: `kinesis:${rec.stream}/${rec.shardId}/${rec.sequenceNumber}`,
      payload: Buffer.from(garbage).toString('base64'),
      payload_encoding: 'base64',
      payload_truncated: false,
      received_at: T0 + 1,
      ingested_at: NOW,
    });
    expect(badRows[0].detail).toContain('not valid UTF-8');
  });

  it('keeps a record of an unknown version whole, under the edge request id', () => {
    const record = { ...enrichedRecord({ received_at: T0 + 42 }), record_version: 9 };
    const { events, badRows } = decodeRecords([source(jsonBytes(record))], NOW);
    expect(events).toStrictEqual([]);
    expect(badRows[0]).toMatchObject({
      reason: 'unreadable_record',
      request_id: record.edge.request_id,
      session_id: record.session_id,
      received_at: T0 + 42,
      payload: JSON.stringify(record),
      payload_encoding: 'json',
    });
    expect(badRows[0].detail).toContain('unsupported record_version 9');
  });

  it('stores the good events of a record and one bad row per bad event', () => {
    const badEvent = { ...event('paused', { id: 'evt_bad_pause1' }), playhead: 'x' };
    const record = enrichedRecord({ events: [event('started'), badEvent as never] });
    const { events, badRows } = decodeRecords([source(jsonBytes(record))], NOW);
    expect(events.map((e) => e.type)).toStrictEqual(['started']);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]).toMatchObject({
      reason: 'invalid_record_event',
      index: 1,
      event_id: 'evt_bad_pause1',
      request_id: record.edge.request_id,
      payload: JSON.stringify(badEvent),
    });
  });

  it('stores every event of a record whose shared strings needed repair, with no bad row', () => {
    const record = enrichedRecord({
      sdk_version: '1.0\uDC00',
      events: [event('started'), event('paused'), event('muted')],
    });
    const { events, badRows } = decodeRecords([source(jsonBytes(record))], NOW);
    expect(events.map((e) => e.sdk_version)).toStrictEqual(Array(3).fill('1.0\uFFFD'));
    expect(badRows).toStrictEqual([]);
  });

  it('stores every event of a record with a 1,000,000-character content_id, cut to its maximum', () => {
    const record = enrichedRecord({
      content_id: 'x'.repeat(1_000_000),
      events: [event('started'), event('paused')],
    });
    const { events, badRows } = decodeRecords([source(jsonBytes(record))], NOW);
    expect(badRows).toStrictEqual([]);
    expect(events.map((e) => e.content_id)).toStrictEqual(
      Array(2).fill('x'.repeat(LIMITS.maxLength.content_id)),
    );
  });

  it('keeps an event with a 1,000-character error code as one bad row, its neighbours stored', () => {
    const long = event('error', { id: 'evt_long_code', code: 'E'.repeat(1000), fatal: false });
    const record = enrichedRecord({ events: [event('started'), long, event('paused')] });
    const { events, badRows } = decodeRecords([source(jsonBytes(record))], NOW);
    expect(events.map((e) => e.type)).toStrictEqual(['started', 'paused']);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]).toMatchObject({
      source: 'core',
      reason: 'invalid_record_event',
      index: 1,
      event_id: 'evt_long_code',
      payload: JSON.stringify(long),
    });
    expect(badRows[0].detail).toContain(
      `events[1].code: must be at most ${LIMITS.maxLength.error_code} characters (kinesis `,
    );
  });

  it.each([
    ['not an object', [1, 2]],
    ['without its edge context', { ...enrichedRecord(), edge: undefined }],
    ['with events that are not an array', { ...enrichedRecord(), events: {} }],
    ['without a required envelope string', { ...enrichedRecord(), content_id: '' }],
  ])('keeps a record %s as one bad row and reads the next record', (_what, value) => {
    const next = enrichedRecord({ events: [event('started'), event('paused')] });
    const { events, badRows } = decodeRecords(
      [source(jsonBytes(value)), source(jsonBytes(next))],
      NOW,
    );
    expect(badRows.map((b) => [b.reason, b.source])).toStrictEqual([['unreadable_record', 'core']]);
    expect(events.map((e) => e.event_id)).toStrictEqual(next.events.map((e) => e.id));
  });

  it('turns an unreadable bad-row record into a bad row about that record', () => {
    const { badRows } = decodeRecords([source(jsonBytes({ hello: 'world' }), 'bad_rows')], NOW);
    expect(badRows[0]).toMatchObject({
      source: 'core',
      reason: 'unreadable_record',
      payload: '{"hello":"world"}',
    });
  });

  it('gives a re-delivered bad row the same id and a distinct one a different id', () => {
    const bad = badRow();
    const [first] = decodeRecords([source(jsonBytes(bad), 'bad_rows')], NOW).badRows;
    const [again] = decodeRecords([source(jsonBytes(bad), 'bad_rows')], NOW + 1).badRows;
    const [other] = decodeRecords(
      [source(jsonBytes({ ...bad, index: 1 }), 'bad_rows')],
      NOW,
    ).badRows;
    expect(again.bad_row_id).toBe(first.bad_row_id);
    expect(other.bad_row_id).not.toBe(first.bad_row_id);
  });

  it('stores a refused event once, whichever request carried it (a client resent its batch)', () => {
    const refused = badRow({ event_id: 'e-refused-1' });
    const resent = { ...refused, request_id: 'req-retry', status: 400 };
    const [first] = decodeRecords([source(jsonBytes(refused), 'bad_rows')], NOW).badRows;
    const [again] = decodeRecords([source(jsonBytes(resent), 'bad_rows')], NOW).badRows;
    const [otherReason] = decodeRecords(
      [source(jsonBytes({ ...refused, reason: 'duplicate_event_id' }), 'bad_rows')],
      NOW,
    ).badRows;
    expect(again.bad_row_id).toBe(first.bad_row_id);
    expect(otherReason.bad_row_id).not.toBe(first.bad_row_id);
    // A body without an event id stays one row per request.
    const body = badRow({ reason: 'invalid_json', index: undefined, payload: '{' });
    const [a] = decodeRecords([source(jsonBytes(body), 'bad_rows')], NOW).badRows;
    const [b] = decodeRecords(
      [source(jsonBytes({ ...body, request_id: 'req-other' }), 'bad_rows')],
      NOW,
    ).badRows;
    expect(b.bad_row_id).not.toBe(a.bad_row_id);
  });

  it('cuts a huge unreadable payload at 64 KiB without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(65535)}😀${'b'.repeat(10)}`;
    const [bad] = decodeRecords([source(new TextEncoder().encode(text))], NOW).badRows;
    expect(bad.payload).toBe('a'.repeat(65535));
    expect(bad).toMatchObject({ payload_encoding: 'text', payload_truncated: true });
  });
});
