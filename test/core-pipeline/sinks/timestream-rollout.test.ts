/**
 * The Timestream sink and the rollout: 1-1-0/2-0-0 events as measures, bad rows with their SDK,
 * and rollout refusals in their own table (`rollout_refusals` by default), once per request,
 * against the fake service (its limits and its "already exists" answer).
 */
import { describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { toStoredRefusal } from '../../../core-pipeline/refusals.js';
import {
  badRow,
  decodedRows,
  enrichedRecord,
  event,
  eventV2,
  rolloutRefusal,
} from '../../helpers/records.js';
import { timestreamSinkEachTest } from '../../helpers/timestream-fake.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const ts = timestreamSinkEachTest(NOW, ['rollout_refusals']);

describe('TimestreamSink and schema versions', () => {
  it('writes 1-1-0 fields and 2-0-0 counters as typed measures of the stored shape', async () => {
    const { events } = decodedRows(
      [
        enrichedRecord({
          received_at: NOW - 1000,
          schema_version: '1-1-0',
          drm_system: 'playready',
          subtitle_language: 'de',
          events: [event('variant_loaded', { ts: NOW - 2000, bitrate: 1_000_000, frame_rate: 50 })],
        }),
        enrichedRecord({
          received_at: NOW - 1000,
          schema_version: '2-0-0',
          events: [
            eventV2('heartbeat', {
              ts: NOW - 2000,
              played_ms: 1,
              stall_total_ms: 2,
              stall_count: 0,
              avg_bitrate: 3,
            }),
          ],
        }),
      ],
      { ingestedAt: NOW },
    );
    await ts.sink.writeBatch({ events, badRows: [], checkpoints: [] });
    const byType = Object.fromEntries(
      ts.fake.records('ev').map((r) => [r.measureName, r.measures]),
    );
    expect(byType.variant_loaded.drm_system).toStrictEqual({ type: 'VARCHAR', value: 'playready' });
    expect(byType.variant_loaded.subtitle_language.value).toBe('de');
    expect(byType.variant_loaded.frame_rate).toStrictEqual({ type: 'DOUBLE', value: '50' });
    expect(byType.heartbeat.stall_ms).toStrictEqual({ type: 'DOUBLE', value: '2' });
    expect(byType.heartbeat.bitrate).toStrictEqual({ type: 'BIGINT', value: '3' });
    expect(byType.heartbeat.schema_version.value).toBe('2-0-0');
    expect(byType.heartbeat.attrs).toBeUndefined();
  });

  it('keeps a bad row’s SDK as measures', async () => {
    const bad = toStoredBadRow(
      badRow({ received_at: NOW, sdk_name: 'beacon-edge-web', sdk_version: '0.3.0' }),
      NOW,
    );
    await ts.sink.writeBatch({ events: [], badRows: [bad], checkpoints: [] });
    const [stored] = ts.fake.records('bad');
    expect([stored.measures.sdk_name.value, stored.measures.sdk_version.value]).toStrictEqual([
      'beacon-edge-web',
      '0.3.0',
    ]);
  });

  it('writes rollout refusals to their own table, once per request across deliveries', async () => {
    const r = rolloutRefusal({ received_at: NOW - 500, request_id: 'req-ts-refused' });
    const other = rolloutRefusal({ received_at: NOW - 400, pop: undefined });
    const batch = {
      events: [],
      badRows: [],
      refusals: [toStoredRefusal(r, NOW), toStoredRefusal(r, NOW), toStoredRefusal(other, NOW)],
      checkpoints: [],
    };
    expect(await ts.sink.writeBatch(batch)).toStrictEqual({ rejectedEvents: 0 });
    // A re-delivery (a later ingest time) is the same record: the service says it exists.
    await ts.sink.writeBatch({ ...batch, refusals: [toStoredRefusal(r, NOW + 5)] });
    const stored = ts.fake.records('rollout_refusals');
    expect(stored).toHaveLength(2);
    const mine = stored.find((s) => s.dimensions.request_id === 'req-ts-refused');
    expect(mine?.measureName).toBe('rollout_refusal');
    expect(mine?.dimensions).toStrictEqual({
      reason: 'schema_retired',
      schema_version: '1-0-0',
      sdk_name: 'beacon-edge-web',
      sdk_version: '0.1.0',
      pop: 'FRA56-C1',
      request_id: 'req-ts-refused',
    });
    expect(mine?.measures.events).toStrictEqual({ type: 'BIGINT', value: '3' });
    expect(mine?.measures.ingested_at.value).toBe(String(NOW));
    expect((mine?.timeNs ?? 0n) / 1_000_000n).toBe(BigInt(NOW - 500));
    expect(ts.fake.records('bad')).toStrictEqual([]);
  });
});
