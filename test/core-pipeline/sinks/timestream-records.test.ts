import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { cutUtf8, fitRecord, recordBytes } from '../../../core-pipeline/sinks/timestream-limits.js';
import {
  BAD_ROW_MEASURE,
  RECORD_VERSION,
  badRowRecord,
  eventRecord,
  recordTimeMs,
} from '../../../core-pipeline/sinks/timestream-records.js';
import { idNanos } from '../../../core-pipeline/sinks/influxdb-schema.js';
import { decodedRows, badRow, enrichedRecord, event, T0 } from '../../helpers/records.js';

function rowsOf(record: ReturnType<typeof enrichedRecord>) {
  return decodedRows([record], { ingestedAt: T0 + 500 }).events;
}

describe('eventRecord', () => {
  it('maps an event to one multi-measure record: type as measure name, slice and session as dimensions, typed measures', () => {
    const rec = enrichedRecord({
      session_id: 'sess_ts_records_1',
      events: [event('stall_end', { id: 'ev_ts_records_1', seq: 3, ts: T0 + 10, stall_ms: 250.5 })],
    });
    const [row] = rowsOf(rec);
    const r = eventRecord(row);
    expect(r.MeasureName).toBe('stall_end');
    expect(r.MeasureValueType).toBe('MULTI');
    expect(r.TimeUnit).toBe('NANOSECONDS');
    expect(r.Version).toBe(RECORD_VERSION);
    expect(r.Time).toBe(`${T0 + 10}${idNanos('ev_ts_records_1')}`);
    expect(recordTimeMs(r)).toBe(T0 + 10);
    expect(r.Dimensions).toStrictEqual([
      { Name: 'serving_region', Value: 'eu-central-1', DimensionValueType: 'VARCHAR' },
      { Name: 'pop', Value: 'FRA56-C1', DimensionValueType: 'VARCHAR' },
      { Name: 'country', Value: 'DE', DimensionValueType: 'VARCHAR' },
      { Name: 'asn', Value: '3320', DimensionValueType: 'VARCHAR' },
      { Name: 'device', Value: 'desktop', DimensionValueType: 'VARCHAR' },
      { Name: 'session_id', Value: 'sess_ts_records_1', DimensionValueType: 'VARCHAR' },
      { Name: 'source', Value: 'sdk', DimensionValueType: 'VARCHAR' },
    ]);
    const m = Object.fromEntries((r.MeasureValues ?? []).map((v) => [v.Name, [v.Type, v.Value]]));
    expect(m.event_id).toStrictEqual(['VARCHAR', 'ev_ts_records_1']);
    expect(m.seq).toStrictEqual(['BIGINT', '3']);
    expect(m.stall_ms).toStrictEqual(['DOUBLE', '250.5']);
    expect(m.received_at).toStrictEqual(['BIGINT', String(T0)]);
    expect(m.ingested_at).toStrictEqual(['BIGINT', String(T0 + 500)]);
    // Neither the time, the type nor a dimension is repeated as a measure; nulls are left out.
    for (const absent of ['time', 'type', 'pop', 'session_id', 'source', 'bitrate', 'attrs'])
      expect(m[absent]).toBeUndefined();
  });

  it('leaves out empty strings, which Timestream cannot store', () => {
    const [row] = rowsOf(
      enrichedRecord({
        events: [event('error', { code: 'E1', message: 'x', fatal: false } as never)],
      }),
    );
    const r = eventRecord({ ...row, error_message: '', asn: '' });
    expect((r.MeasureValues ?? []).some((m) => m.Name === 'error_message')).toBe(false);
    expect((r.Dimensions ?? []).some((d) => d.Name === 'asn')).toBe(false);
  });
});

describe('badRowRecord', () => {
  it('times a bad row where the sink says, with its id in the dimensions and the time digits', () => {
    const stored = toStoredBadRow(badRow({ reason: 'invalid_event', pop: 'SIN2-C1' }), T0 + 1);
    const r = badRowRecord(stored, T0 + 7);
    expect(r.MeasureName).toBe(BAD_ROW_MEASURE);
    expect(r.Time).toBe(`${T0 + 7}${idNanos(stored.bad_row_id)}`);
    expect(Object.fromEntries((r.Dimensions ?? []).map((d) => [d.Name, d.Value]))).toStrictEqual({
      source: 'edge',
      reason: 'invalid_event',
      pop: 'SIN2-C1',
      bad_row_id: stored.bad_row_id,
    });
    const m = Object.fromEntries((r.MeasureValues ?? []).map((v) => [v.Name, v.Value]));
    expect(m.payload_truncated).toBe('false');
    expect(m.status).toBe('200');
  });
});

describe('recordBytes', () => {
  it('meters the developer guide example at 83 bytes', () => {
    // "Metering and pricing: writes": time 8, four dimensions, measure name, a double.
    expect(
      recordBytes({
        Dimensions: [
          { Name: 'region', Value: 'us-east-1' },
          { Name: 'az', Value: '1d' },
          { Name: 'vpc', Value: 'vpc-1a2b3c4d' },
          { Name: 'hostname', Value: 'host-24Gju' },
        ],
        MeasureName: 'cpu_utilization',
        MeasureValue: '35.0',
        MeasureValueType: 'DOUBLE',
        Time: '1602983435238563000',
      }),
    ).toBe(83);
  });

  it('counts common attributes once per record, booleans as 1 byte and strings in UTF-8', () => {
    const r = {
      MeasureName: 'm',
      MeasureValues: [
        { Name: 'b', Type: 'BOOLEAN' as const, Value: 'true' },
        { Name: 's', Type: 'VARCHAR' as const, Value: 'é€' },
      ],
    };
    expect(recordBytes(r, { Dimensions: [{ Name: 'd', Value: 'xy' }] })).toBe(
      8 + 3 + 1 + 2 + 1 + 5,
    );
  });
});

describe('fitRecord', () => {
  const big = (n: number) => '😀'.repeat(n);
  const base = {
    MeasureName: 'error',
    Dimensions: [{ Name: 'session_id', Value: 's1' }],
    MeasureValues: [
      { Name: 'attrs', Type: 'VARCHAR' as const, Value: big(300) },
      { Name: 'error_message', Type: 'VARCHAR' as const, Value: big(300) },
      { Name: 'seq', Type: 'BIGINT' as const, Value: '1' },
    ],
  };

  it('returns a record that fits unchanged', () => {
    const small = { ...base, MeasureValues: base.MeasureValues.slice(2) };
    expect(fitRecord(small, ['attrs'], 'truncated')).toBe(small);
  });

  it('cuts free text in order, on code points, to exactly fit, and flags the record', () => {
    const fitted = fitRecord(base, ['attrs', 'error_message'], 'truncated');
    expect(fitted).not.toBeNull();
    const bytes = recordBytes(fitted ?? {});
    expect(bytes).toBeLessThanOrEqual(2048);
    expect(bytes).toBeGreaterThan(2048 - 4);
    const m = Object.fromEntries((fitted?.MeasureValues ?? []).map((v) => [v.Name, v.Value]));
    expect(m.truncated).toBe('true');
    expect(m.error_message).toBe(big(300));
    expect(m.attrs?.length).toBeLessThan(big(300).length);
    expect(m.attrs).toMatch(/^(😀)+$/u);
  });

  it('gives up (null) when ids and dimensions alone are over the limit', () => {
    const r = { ...base, Dimensions: [{ Name: 'content', Value: 'x'.repeat(2100) }] };
    expect(fitRecord(r, ['attrs', 'error_message'], 'truncated')).toBeNull();
  });

  it('cutUtf8 never splits a code point', () => {
    expect(cutUtf8('a😀b', 4)).toBe('a');
    expect(cutUtf8('a😀b', 5)).toBe('a😀');
  });
});

describe('fitRecord, for any free text', () => {
  it('returns null or a record within the limit, cutting only the free text, on code points', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 700 }),
        fc.string({ unit: 'grapheme', maxLength: 700 }),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 2100 }),
        (attrs, message, content) => {
          const fixed = [
            { Name: 'content_id', Type: 'VARCHAR' as const, Value: content },
            { Name: 'seq', Type: 'BIGINT' as const, Value: '1' },
          ];
          const free = [
            { Name: 'attrs', Type: 'VARCHAR' as const, Value: attrs },
            { Name: 'error_message', Type: 'VARCHAR' as const, Value: message },
          ].filter((m) => m.Value !== '');
          const r = { MeasureName: 'error', MeasureValues: [...fixed, ...free] };
          const fitted = fitRecord(r, ['attrs', 'error_message'], 'truncated');
          if (fitted === null) {
            expect(recordBytes({ ...r, MeasureValues: fixed })).toBeGreaterThan(
              2048 - 'truncated'.length - 1,
            );
            return;
          }
          expect(recordBytes(fitted)).toBeLessThanOrEqual(2048);
          const got = Object.fromEntries(
            (fitted.MeasureValues ?? []).map((m) => [m.Name, m.Value]),
          );
          expect(got.content_id).toBe(content);
          expect(got.seq).toBe('1');
          for (const m of free) {
            const kept = got[m.Name ?? ''];
            if (kept !== undefined) {
              expect(m.Value.startsWith(kept)).toBe(true);
              expect(kept.isWellFormed()).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
