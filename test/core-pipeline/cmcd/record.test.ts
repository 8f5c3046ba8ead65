import { describe, expect, it } from 'vitest';
import { readCmcdRecord } from '../../../core-pipeline/cmcd/record.js';
import { UnsupportedRecordVersionError } from '../../../core-pipeline/errors.js';
import { decodeRecords } from '../../../core-pipeline/record-decoder.js';
import { enrichedRecord } from '../../helpers/records.js';
import { cmcdContext, cmcdLines, cmcdRecord, sta } from '../../helpers/cmcd-records.js';
import { eventsSource } from '../../helpers/cmcd-batches.js';

const INGESTED = 1_767_225_661_000;
const lines = () =>
  cmcdLines([
    [0, 'ps', 0, sta('s')],
    [1, 'ps', 800, sta('p')],
  ]);

describe('readCmcdRecord', () => {
  it('reads the envelope into the shared columns of CMCD rows (source cmcd, no viewer or DRM)', () => {
    const { context, entries, invalidEntries } = readCmcdRecord(cmcdRecord(lines()), INGESTED);
    expect(context).toStrictEqual(cmcdContext({ ingested_at: INGESTED }));
    expect(entries).toStrictEqual(lines());
    expect(invalidEntries).toStrictEqual([]);
  });

  it('refuses an envelope that breaks the contract as a whole', () => {
    expect(() => readCmcdRecord(cmcdRecord(lines(), { record_version: 2 as 1 }), 0)).toThrow(
      UnsupportedRecordVersionError,
    );
    expect(() => readCmcdRecord({ ...cmcdRecord(lines()), reports: 'x' }, 0)).toThrow(/reports/);
    expect(() => readCmcdRecord({ ...cmcdRecord(lines()), session_id: 7 }, 0)).toThrow(
      /session_id/,
    );
    expect(() => readCmcdRecord({ ...cmcdRecord(lines()), edge: null }, 0)).toThrow(/edge/);
    expect(() => readCmcdRecord({ ...cmcdRecord(lines()), sdk_name: 'web' }, 0)).toThrow(
      /sdk_name/,
    );
  });

  it('keeps the readable lines and names each unreadable one with its index and field', () => {
    const good = lines();
    const reports = [
      good[0],
      { ...good[1], id: 'bad id with spaces and far too long'.repeat(3) },
      { id: 'cmcd-line-no-ts-1', seq: 2, report: { e: 't' } },
      { id: 'cmcd-line-obj-val', seq: 3, report: { e: 't', ts: good[0].report.ts, x: { a: 1 } } },
      { id: 'cmcd-line-neg-sn1', seq: 4, report: { e: 't', ts: good[0].report.ts, sn: -1 } },
      null,
      {
        id: 'cmcd-line-params1',
        seq: 6,
        report: { e: 't', ts: good[0].report.ts, br: [{ value: 1, params: { v: { x: 1 } } }] },
      },
      {
        id: 'cmcd-line-params2',
        seq: 7,
        report: { e: 't', ts: good[0].report.ts, br: [{ value: 1, params: { v: true }, x: 1 }] },
      },
    ];
    const withParams = {
      id: 'cmcd-line-params0',
      seq: 8,
      report: {
        e: 't',
        ts: good[0].report.ts,
        br: [{ value: 128, params: { v: true } }, { value: 16, params: { a: true } }, 4],
      },
    };
    const out = readCmcdRecord({ ...cmcdRecord([]), reports: [...reports, withParams] }, INGESTED);
    expect(out.entries).toStrictEqual([good[0], withParams]);
    expect(out.invalidEntries.map((e) => [e.index, e.field])).toStrictEqual([
      [1, 'id'],
      [2, 'report.ts'],
      [3, 'report.x'],
      [4, 'report.sn'],
      [5, ''],
      [6, 'report.br'],
      [7, 'report.br'],
    ]);
  });
});

describe('decodeRecords with CmcdRecords on the events stream', () => {
  it('hands readable CMCD records to the sink unmapped, beside beacon rows', () => {
    const beacon = enrichedRecord({ session_id: 'sess_beside_cmcd' });
    const out = decodeRecords([eventsSource(beacon), eventsSource(cmcdRecord(lines()))], INGESTED);
    expect(out.events.length).toBeGreaterThan(0);
    expect(out.events.every((e) => e.source === 'sdk')).toBe(true);
    expect(out.cmcd).toHaveLength(1);
    expect(out.cmcd[0].entries).toStrictEqual(lines());
    expect(out.badRows).toStrictEqual([]);
  });

  it('an unreadable line is one core bad row with its reason; its neighbours are kept', () => {
    const [a, b] = lines();
    const rec = { ...cmcdRecord([]), reports: [a, { ...b, report: { ...b.report, ts: 'soon' } }] };
    const out = decodeRecords([eventsSource(rec)], INGESTED);
    expect(out.cmcd[0].entries).toStrictEqual([a]);
    expect(out.badRows).toHaveLength(1);
    expect(out.badRows[0]).toMatchObject({
      source: 'core',
      reason: 'invalid_record_event',
      index: 1,
      session_id: 'cmcd-session-1',
      event_id: b.id,
      request_id: 'req-cmcd-1',
    });
    expect(JSON.parse(out.badRows[0].payload)).toStrictEqual({
      ...b,
      report: { ...b.report, ts: 'soon' },
    });
  });

  it('an unreadable CMCD envelope is one bad row of the whole record, never a throw', () => {
    const out = decodeRecords(
      [eventsSource({ ...cmcdRecord(lines()), received_at: 'yesterday' })],
      INGESTED,
    );
    expect(out.cmcd).toStrictEqual([]);
    expect(out.badRows).toHaveLength(1);
    expect(out.badRows[0]).toMatchObject({
      reason: 'unreadable_record',
      session_id: 'cmcd-session-1',
    });
  });
});
