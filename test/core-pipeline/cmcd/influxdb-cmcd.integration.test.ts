// CMCD records through the real decoder into the InfluxDB sink on Debian's real influxd: one
// point per line with the `source` tag, the CMCD schema and version tags kept (not `other`), and
// a replayed batch (Lambda's retry after a stored write) stored once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import { cmcdLines, cmcdRecord, sta, T0 } from '../../helpers/cmcd-records.js';
import { decodedBatch } from '../../helpers/cmcd-batches.js';
import { type Influxd, startInfluxd } from '../../helpers/influxd.js';
import { enrichedRecord } from '../../helpers/records.js';

let influx: Influxd;
beforeAll(async () => {
  influx = await startInfluxd();
}, 30_000);
afterAll(() => influx?.stop());

async function select(db: string, q: string): Promise<Record<string, unknown>[]> {
  const [r] = await influx.query(q, db);
  const s = r.series?.[0];
  return (s?.values ?? []).map((v) =>
    Object.fromEntries(s?.columns.map((c, i) => [c, v[i]]) ?? []),
  );
}

describe('InfluxDbSink with CMCD records on influxd', () => {
  it('stores one point per line, tagged source=cmcd, and a replayed batch once', async () => {
    const database = 'cmcd_sink_1';
    await influx.createDatabase(database);
    const sink = new InfluxDbSink({ config: { url: influx.url, database } });
    const first = cmcdRecord(
      cmcdLines([
        [0, 'ps', 0, sta('s')],
        [1, 'ps', 1_200, sta('p')],
      ]),
    );
    const second = cmcdRecord(
      cmcdLines([
        [2, 'ps', 4_000, sta('r')],
        [3, 'ps', 4_500, sta('p')],
        [4, 't', 9_000],
      ]),
    );
    const beacon = enrichedRecord({ session_id: 'sess_beside_cmcd_1' });
    await sink.writeBatch(decodedBatch([first, beacon], T0 + 60_000));
    await sink.writeBatch(decodedBatch([second], T0 + 61_000));
    // Lambda retries a batch whose write was stored (its response was lost).
    await sink.writeBatch(decodedBatch([second], T0 + 61_000));
    await sink.writeBatch(decodedBatch([first], T0 + 60_000));

    const points = await select(
      database,
      `SELECT "type", event_id, source, schema_version, sdk_version, startup_ms, stall_ms, played_ms, stall_count FROM beacon_events WHERE session_id = 'cmcd-session-1'`,
    );
    expect(points.map((p) => p.type).sort()).toEqual(
      ['first_frame', 'heartbeat', 'requested', 'stall_end', 'stall_start'].sort(),
    );
    expect(new Set(points.map((p) => p.source))).toEqual(new Set(['cmcd']));
    expect(new Set(points.map((p) => p.schema_version))).toEqual(new Set(['cmcd-1-0-0']));
    expect(new Set(points.map((p) => p.sdk_version))).toEqual(new Set(['2']));
    const byType = Object.fromEntries(points.map((p) => [p.type, p]));
    expect(byType.first_frame.startup_ms).toBe(1_200);
    expect(byType.stall_end.stall_ms).toBe(500);
    expect(byType.heartbeat).toMatchObject({ played_ms: 7_300, stall_ms: 500, stall_count: 1 });
    const sdk = await select(
      database,
      `SELECT count(event_id) AS n FROM beacon_events WHERE source = 'sdk'`,
    );
    expect(sdk[0]?.n).toBe(beacon.events.length);
    await sink.close();
  });
});
