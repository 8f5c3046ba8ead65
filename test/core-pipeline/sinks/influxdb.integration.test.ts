// The InfluxDB sink against Debian's real influxd (v1 API): what is written reads back, a replay
// changes nothing, neighbours in the same millisecond survive, and a line the server refuses for
// good becomes a store_rejected bad row without taking its neighbours with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecords } from '../../../core-pipeline/record-decoder.js';
import { InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import {
  decodedRows,
  badRow,
  enrichedRecord,
  event,
  jsonBytes,
  T0,
} from '../../helpers/records.js';
import { type Influxd, startInfluxd } from '../../helpers/influxd.js';

let influx: Influxd;
let dbCount = 0;
beforeAll(async () => {
  influx = await startInfluxd();
}, 30_000);
afterAll(() => influx?.stop());

/** A fresh database and a sink on it. */
async function freshSink(extra: { maxLinesPerWrite?: number; now?: () => number } = {}) {
  const database = `sink_${++dbCount}`;
  await influx.createDatabase(database);
  const sink = new InfluxDbSink({
    config: { url: influx.url, database, maxLinesPerWrite: extra.maxLinesPerWrite },
    now: extra.now,
  });
  return { sink, database };
}

function rowsOf(records: unknown[], ingestedAt = T0 + 60_000) {
  return decodedRows(records, { ingestedAt });
}

async function select(db: string, q: string): Promise<Record<string, unknown>[]> {
  const [r] = await influx.query(q, db);
  const s = r.series?.[0];
  return (s?.values ?? []).map((v) =>
    Object.fromEntries(s?.columns.map((c, i) => [c, v[i]]) ?? []),
  );
}

describe('InfluxDbSink on influxd', () => {
  it('stores every event and bad row as a point, with tags and typed fields', async () => {
    const { sink, database } = await freshSink();
    const rec = enrichedRecord({
      events: [event('started'), event('volume_changed', { seq: 1, volume: 0.25, muted: true })],
    });
    const rows = rowsOf([rec]);
    const bad = decodeRecords(
      [
        {
          kind: 'bad_rows',
          data: jsonBytes(badRow({ pop: 'FRA56-C1' })),
          stream: 'bad',
          shardId: 's',
          sequenceNumber: '1',
          receivedAt: T0,
        },
      ],
      T0 + 60_000,
    );
    expect(
      await sink.writeBatch({ events: rows.events, badRows: bad.badRows, checkpoints: [] }),
    ).toStrictEqual({ rejectedEvents: 0 });
    const events = await select(
      database,
      'SELECT "type", pop, country, event_id, volume, muted, seq, session_id FROM beacon_events ORDER BY time',
    );
    // Both share T0's millisecond; their sub-millisecond digits come from random ids, so sort.
    events.sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(events.map(({ time, ...rest }) => rest)).toStrictEqual([
      {
        type: 'started',
        pop: 'FRA56-C1',
        country: 'DE',
        event_id: rec.events[0].id,
        volume: null,
        muted: null,
        seq: 0,
        session_id: rec.session_id,
      },
      {
        type: 'volume_changed',
        pop: 'FRA56-C1',
        country: 'DE',
        event_id: rec.events[1].id,
        volume: 0.25,
        muted: true,
        seq: 1,
        session_id: rec.session_id,
      },
    ]);
    expect(events.every((e) => Math.floor(Number(e.time)) === T0)).toBe(true);
    expect(
      await select(database, 'SELECT reason, status, source, payload FROM beacon_bad_rows'),
    ).toMatchObject([
      {
        reason: 'invalid_event',
        status: 200,
        source: 'edge',
        payload: '{"type":"started","seq":"x"}',
      },
    ]);
  });

  it('a replayed batch leaves the same points (only ingested_at moves to the last write)', async () => {
    let now = T0 + 60_000;
    const { sink, database } = await freshSink({ now: () => now });
    const records = [0, 1, 2].map(() =>
      enrichedRecord({ events: [event('started'), event('paused', { seq: 1 })] }),
    );
    await sink.writeBatch({ ...rowsOf(records, now), checkpoints: [] });
    const q = 'SELECT * FROM beacon_events ORDER BY time';
    const first = await select(database, q);
    now += 5_000;
    await sink.writeBatch({ ...rowsOf(records, now), checkpoints: [] });
    const second = await select(database, q);
    expect(second).toHaveLength(6);
    expect(second.map(({ ingested_at, ...r }) => r)).toStrictEqual(
      first.map(({ ingested_at, ...r }) => r),
    );
    expect(new Set(second.map((r) => r.ingested_at))).toStrictEqual(new Set([now]));
  });

  it('keeps two events with the same tags and millisecond but different ids', async () => {
    const { sink, database } = await freshSink();
    const rec = enrichedRecord({
      events: [0, 1, 2, 3].map((seq) =>
        event('heartbeat', { seq, ts: T0, played_ms: seq, stall_ms: 0, stall_count: 0 }),
      ),
    });
    await sink.writeBatch({ ...rowsOf([rec]), checkpoints: [] });
    expect(await select(database, 'SELECT count(event_id) AS n FROM beacon_events')).toMatchObject([
      { n: 4 },
    ]);
  });

  it('string fields round-trip exactly; hostile tag values are repaired, not refused', async () => {
    const { sink, database } = await freshSink();
    const hostile = 'q"uote, back\\slash = trail\\ \n line é😀 \u0000';
    const rec = enrichedRecord({
      edge: {
        pop: 'FRA 56,C1=\\x',
        edge_region: 'eu-central-1',
        serving_region: 'eu-central-1',
        stream_region: 'eu-central-1',
        request_id: 'req-hostile-1',
        device: 'desktop',
      },
      events: [event('error', { code: 'E,1 =x', message: hostile, fatal: false })],
    });
    await sink.writeBatch({ ...rowsOf([rec]), checkpoints: [] });
    expect(
      await select(database, 'SELECT pop, error_code, error_message FROM beacon_events'),
    ).toMatchObject([{ pop: 'FRA 56,C1=\uFFFDx', error_code: 'E,1 =x', error_message: hostile }]);
  });

  it('writes a batch larger than one body in several bodies', async () => {
    const { sink, database } = await freshSink({ maxLinesPerWrite: 7 });
    const records = Array.from({ length: 10 }, () =>
      enrichedRecord({ events: [0, 1, 2, 3, 4].map((seq) => event('paused', { seq })) }),
    );
    await sink.writeBatch({ ...rowsOf(records), checkpoints: [] });
    expect(await select(database, 'SELECT count(event_id) AS n FROM beacon_events')).toMatchObject([
      { n: 50 },
    ]);
  });

  it('isolates a line the server refuses (field type conflict) into a store_rejected bad row', async () => {
    const { sink, database } = await freshSink({ maxLinesPerWrite: 5000 });
    // Another writer fixed `volume` as a string in this shard: a float volume is now refused.
    const pre = await fetch(`${influx.url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: `beacon_events,type=other volume="loud" ${T0 - 1}`,
    });
    expect(pre.status).toBe(204);
    const rec = enrichedRecord({
      events: [
        ...[0, 1, 2, 3, 4, 5, 6].map((seq) => event('paused', { seq })),
        event('volume_changed', { seq: 7, volume: 0.5, muted: false }),
        ...[8, 9].map((seq) => event('resumed', { seq })),
      ],
    });
    const rows = rowsOf([rec]);
    for (let replay = 0; replay < 2; replay++) {
      expect(await sink.writeBatch({ ...rows, checkpoints: [] })).toStrictEqual({
        rejectedEvents: 1,
      });
    }
    expect(
      await select(
        database,
        'SELECT count(event_id) AS n FROM beacon_events WHERE "type" != \'other\'',
      ),
    ).toMatchObject([{ n: 9 }]);
    const bad = await select(
      database,
      'SELECT reason, source, status, event_id, request_id, payload, payload_encoding, detail FROM beacon_bad_rows',
    );
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({
      reason: 'store_rejected',
      source: 'core',
      status: 0,
      event_id: rec.events[7].id,
      request_id: rec.edge.request_id,
      payload_encoding: 'json',
    });
    expect(JSON.parse(String(bad[0].payload))).toStrictEqual(rows.events[7]);
    expect(String(bad[0].detail)).toMatch(
      /^event refused by the store: HTTP 400 .*field type conflict/,
    );
  });

  it('an event older than the retention policy becomes a store_rejected bad row kept at the time it was found', async () => {
    const now = Date.now();
    const { sink, database } = await freshSink({ now: () => now });
    // A one-hour retention policy as the default: InfluxDB drops older points with a partial write.
    await influx.query(
      `CREATE RETENTION POLICY "hour" ON "${database}" DURATION 1h REPLICATION 1 DEFAULT`,
    );
    const old = now - 3 * 3_600_000;
    const rows = rowsOf(
      [
        enrichedRecord({
          received_at: old,
          events: [
            event('started', { ts: now - 1000, time: now - 1000 }),
            event('paused', { seq: 1, ts: old, time: old }),
          ],
        }),
      ],
      now,
    );
    expect(await sink.writeBatch({ ...rows, checkpoints: [] })).toStrictEqual({
      rejectedEvents: 1,
    });
    expect(await select(database, 'SELECT event_id FROM beacon_events')).toMatchObject([
      { event_id: rows.events[0].event_id },
    ]);
    // The bad row of the old event would be as old: it is kept at its ingest time instead.
    expect(
      await select(database, 'SELECT reason, event_id, received_at FROM beacon_bad_rows'),
    ).toMatchObject([
      { reason: 'store_rejected', event_id: rows.events[1].event_id, received_at: old },
    ]);
  });

  it('an event time InfluxDB cannot hold (after 2262 in ns) becomes a store_rejected bad row', async () => {
    const { sink, database } = await freshSink();
    const rows = rowsOf([
      enrichedRecord({ events: [event('started'), event('paused', { seq: 1 })] }),
    ]);
    // The store keeps times to year 9999 (schemas/storable.ts); int64 nanoseconds end in 2262.
    // (A point is timed by the client's ts when its clock agrees with the edge's: set both.)
    rows.events[1].time = Date.UTC(2300, 0, 1);
    rows.events[1].ts = rows.events[1].time;
    expect(await sink.writeBatch({ ...rows, checkpoints: [] })).toStrictEqual({
      rejectedEvents: 1,
    });
    expect(await select(database, 'SELECT event_id FROM beacon_events')).toMatchObject([
      { event_id: rows.events[0].event_id },
    ]);
    expect(await select(database, 'SELECT reason, event_id FROM beacon_bad_rows')).toMatchObject([
      { reason: 'store_rejected', event_id: rows.events[1].event_id },
    ]);
  });
});
