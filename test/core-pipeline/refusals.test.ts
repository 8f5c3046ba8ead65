/**
 * The bad-rows stream carries bad rows and rollout refusals: decodeRecords routes each to its
 * own rows, and a record that is neither stays a bad row (never dropped, never a crash).
 */
import { describe, expect, it } from 'vitest';
import { decodeRecords, type SourceRecord } from '../../core-pipeline/record-decoder.js';
import { toStoredBadRow } from '../../core-pipeline/bad-rows.js';
import { toStoredRefusal } from '../../core-pipeline/refusals.js';
import { badRow, jsonBytes, rolloutRefusal, T0 } from '../helpers/records.js';

const NOW = T0 + 60000;
let seq = 500;

function fromBadRowStream(value: unknown): SourceRecord {
  seq += 1;
  return {
    kind: 'bad_rows',
    data: jsonBytes(value),
    stream: 'beacon-edge-bad-rows',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(seq),
    receivedAt: T0 + 1,
  };
}

describe('decodeRecords on the bad-rows stream', () => {
  it('routes rollout refusals to refusals and bad rows to bad rows, in order', () => {
    const r1 = rolloutRefusal({ reason: 'sdk_retired', rule: 'beacon-edge-web@0.1.0:retired' });
    const bad = badRow({ sdk_name: 'beacon-edge-web', sdk_version: '0.3.0' });
    const r2 = rolloutRefusal({ reason: 'session_not_sampled', pop: undefined });
    const out = decodeRecords(
      [fromBadRowStream(r1), fromBadRowStream(bad), fromBadRowStream(r2)],
      NOW,
    );
    expect(out.events).toStrictEqual([]);
    expect(out.badRows).toStrictEqual([toStoredBadRow(bad, NOW)]);
    expect(out.badRows[0]).toMatchObject({ sdk_name: 'beacon-edge-web', sdk_version: '0.3.0' });
    expect(out.refusals).toStrictEqual([toStoredRefusal(r1, NOW), toStoredRefusal(r2, NOW)]);
    expect(out.refusals[1].pop).toBeNull();
    expect(out.refusals[0]).toStrictEqual({
      request_id: r1.request_id,
      received_at: T0,
      ingested_at: NOW,
      status: 410,
      reason: 'sdk_retired',
      detail: r1.detail,
      rule: 'beacon-edge-web@0.1.0:retired',
      schema_version: '1-0-0',
      sdk_name: 'beacon-edge-web',
      sdk_version: '0.1.0',
      session_id: r1.session_id,
      events: 3,
      pop: 'FRA56-C1',
    });
  });

  it.each([
    ['a missing request_id', { request_id: undefined }, 'request_id'],
    ['events that are not a count', { events: -1 }, 'events'],
    ['events as a string', { events: '3' }, 'events'],
    ['no received_at', { received_at: undefined }, 'received_at'],
    ['a rule that is not a string', { rule: 7 }, 'rule'],
  ])(
    'keeps a refusal with %s as an unreadable_record bad row holding the record',
    (_, change, field) => {
      const malformed = { ...rolloutRefusal(), ...change };
      const rec = fromBadRowStream(malformed);
      const out = decodeRecords([rec], NOW);
      expect(out.refusals).toStrictEqual([]);
      expect(out.badRows).toHaveLength(1);
      expect(out.badRows[0]).toMatchObject({
        source: 'core',
        status: 0,
        reason: 'unreadable_record',
        request_id: `kinesis:${rec.stream}/${rec.shardId}/${rec.sequenceNumber}`,
        payload: JSON.stringify(malformed),
        payload_encoding: 'json',
      });
      expect(out.badRows[0].detail).toContain(field);
    },
  );

  it('keeps a record of a kind it does not know as a bad row, not as a refusal or a bad row of its own', () => {
    const later = { ...badRow(), kind: 'quota_refusal' };
    const out = decodeRecords([fromBadRowStream(later)], NOW);
    expect(out.refusals).toStrictEqual([]);
    expect(out.badRows.map((b) => [b.reason, b.source])).toStrictEqual([
      ['unreadable_record', 'core'],
    ]);
    expect(out.badRows[0].detail).toContain('kind');
  });

  it('repairs and cuts a refusal’s strings instead of losing it, and keeps a reason it does not know', () => {
    const r = rolloutRefusal({
      detail: `bad \uD800 ${'x'.repeat(5000)}`,
      reason: 'schema_sunset' as never,
    });
    const [stored] = decodeRecords([fromBadRowStream(r)], NOW).refusals;
    expect(stored.reason).toBe('schema_sunset');
    expect(stored.detail.startsWith('bad \uFFFD ')).toBe(true);
    expect([...stored.detail]).toHaveLength(1024);
  });

  it('stores the same refusal delivered twice as the same row (keyed on request_id)', () => {
    const r = rolloutRefusal();
    const out = decodeRecords([fromBadRowStream(r), fromBadRowStream(r)], NOW);
    expect(out.refusals.map((x) => x.request_id)).toStrictEqual([r.request_id, r.request_id]);
    expect(out.refusals[0]).toStrictEqual(out.refusals[1]);
  });
});
