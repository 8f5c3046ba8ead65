// The InfluxDB sink and schema 1-1-0/2-0-0 and rollout refusals, against Debian's real influxd:
// the new event fields are typed fields, the versions are tags (the rollout panels group by them),
// bad rows keep their SDK, and refusals are points of beacon_rollout_refusals, once per request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import { toStoredRefusal } from '../../../core-pipeline/refusals.js';
import { InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import {
  badRow,
  decodedRows,
  enrichedRecord,
  event,
  eventV2,
  rolloutRefusal,
  T0,
} from '../../helpers/records.js';
import { type Influxd, startInfluxd } from '../../helpers/influxd.js';

let influx: Influxd;
beforeAll(async () => {
  influx = await startInfluxd();
}, 30_000);
afterAll(() => influx?.stop());

async function select(db: string, q: string): Promise<Record<string, unknown>[]> {
  const [r] = await influx.query(q, db);
  return (r.series ?? []).flatMap((s) =>
    (s.values ?? []).map((v) => ({
      ...s.tags,
      ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])),
    })),
  );
}

describe('InfluxDbSink on influxd: schema versions and rollout refusals', () => {
  it('writes 1-1-0 fields typed, 2-0-0 counters in stall_ms/bitrate, and the versions as tags', async () => {
    const database = 'rollout_fields';
    await influx.createDatabase(database);
    const sink = new InfluxDbSink({ config: { url: influx.url, database } });
    const v11 = enrichedRecord({
      schema_version: '1-1-0',
      sdk_version: '0.2.0',
      drm_system: 'widevine',
      audio_language: 'pt-BR',
      events: [
        event('heartbeat', {
          played_ms: 10_000,
          stall_ms: 0,
          stall_count: 0,
          throughput_kbps: 8500,
          buffer_ms: 12_000.5,
        }),
        event('variant_loaded', { seq: 1, ts: T0 + 1, bitrate: 2_500_000, frame_rate: 25 }),
      ],
    });
    const v2 = enrichedRecord({
      schema_version: '2-0-0',
      sdk_version: '0.3.0',
      events: [
        eventV2('heartbeat', {
          played_ms: 20_000,
          stall_total_ms: 1200,
          stall_count: 1,
          avg_bitrate: 2_400_000,
        }),
      ],
    });
    const rows = decodedRows([v11, v2], { ingestedAt: T0 + 60_000 });
    expect(rows.badRows).toStrictEqual([]);
    await sink.writeBatch({ ...rows, checkpoints: [] });
    const points = await select(
      database,
      'SELECT "type", drm_system, audio_language, frame_rate, throughput_kbps, buffer_ms, stall_ms, bitrate, attrs FROM beacon_events GROUP BY schema_version, sdk_version',
    );
    const tidy = points
      .map(({ time, ...p }) => p)
      .sort(
        (a, b) =>
          String(a.type).localeCompare(String(b.type)) ||
          String(a.schema_version).localeCompare(String(b.schema_version)),
      );
    expect(tidy).toStrictEqual([
      {
        schema_version: '1-1-0',
        sdk_version: '0.2.0',
        type: 'heartbeat',
        drm_system: 'widevine',
        audio_language: 'pt-BR',
        frame_rate: null,
        throughput_kbps: 8500,
        buffer_ms: 12_000.5,
        stall_ms: 0,
        bitrate: null,
        attrs: null,
      },
      {
        schema_version: '2-0-0',
        sdk_version: '0.3.0',
        type: 'heartbeat',
        drm_system: null,
        audio_language: null,
        frame_rate: null,
        throughput_kbps: null,
        buffer_ms: null,
        stall_ms: 1200,
        bitrate: 2_400_000,
        attrs: null,
      },
      {
        schema_version: '1-1-0',
        sdk_version: '0.2.0',
        type: 'variant_loaded',
        drm_system: 'widevine',
        audio_language: 'pt-BR',
        frame_rate: 25,
        throughput_kbps: null,
        buffer_ms: null,
        stall_ms: null,
        bitrate: 2_500_000,
        attrs: null,
      },
    ]);
    // The integer field stays an integer field (a float would conflict with later writes).
    const keys = await select(database, 'SHOW FIELD KEYS FROM beacon_events');
    const typeOf = (k: string) => keys.find((r) => r.fieldKey === k)?.fieldType;
    expect([typeOf('throughput_kbps'), typeOf('frame_rate'), typeOf('buffer_ms')]).toStrictEqual([
      'integer',
      'float',
      'float',
    ]);
  });

  it('stores refusals once per request (a replay lands on the same point) and bad rows with their SDK', async () => {
    const database = 'rollout_refusals';
    await influx.createDatabase(database);
    const sink = new InfluxDbSink({ config: { url: influx.url, database } });
    const r1 = rolloutRefusal({ request_id: 'req-refused-a', schema_version: '1-0-0' });
    const r2 = rolloutRefusal({
      request_id: 'req-refused-b',
      reason: 'session_not_sampled',
      rule: '2-0-0:live,sample=0.1',
      schema_version: '2-0-0',
      sdk_version: '0.3.0',
      events: 7,
      pop: undefined,
    });
    const bad = badRow({
      sdk_name: 'beacon-edge-web',
      sdk_version: '0.3.0',
      schema_version: '2-0-0',
    });
    const batch = {
      events: [],
      badRows: [toStoredBadRow(bad, T0 + 1)],
      refusals: [toStoredRefusal(r1, T0 + 1), toStoredRefusal(r2, T0 + 1)],
      checkpoints: [],
    };
    await sink.writeBatch(batch);
    await sink.writeBatch({
      ...batch,
      refusals: [toStoredRefusal(r1, T0 + 2), toStoredRefusal(r1, T0 + 3)],
    });
    const refusals = await select(
      database,
      'SELECT request_id, events, detail, rule, status, session_id FROM beacon_rollout_refusals GROUP BY reason, schema_version, sdk_name, sdk_version, pop',
    );
    expect(
      refusals
        .map(({ time, ...p }) => p)
        .sort((a, b) => String(a.request_id).localeCompare(String(b.request_id))),
    ).toStrictEqual([
      {
        reason: 'schema_retired',
        schema_version: '1-0-0',
        sdk_name: 'beacon-edge-web',
        sdk_version: '0.1.0',
        pop: 'FRA56-C1',
        request_id: 'req-refused-a',
        events: 3,
        detail: r1.detail,
        rule: '1-0-0:retired',
        status: 410,
        session_id: r1.session_id,
      },
      {
        reason: 'session_not_sampled',
        schema_version: '2-0-0',
        sdk_name: 'beacon-edge-web',
        sdk_version: '0.3.0',
        pop: '',
        request_id: 'req-refused-b',
        events: 7,
        detail: r2.detail,
        rule: '2-0-0:live,sample=0.1',
        status: 410,
        session_id: r2.session_id,
      },
    ]);
    const [badPoint] = await select(
      database,
      'SELECT status, reason FROM beacon_bad_rows GROUP BY schema_version, sdk_name, sdk_version',
    );
    expect(badPoint).toMatchObject({
      schema_version: '2-0-0',
      sdk_version: '0.3.0',
      sdk_name: 'beacon-edge-web',
      reason: 'invalid_event',
    });
  });
});
