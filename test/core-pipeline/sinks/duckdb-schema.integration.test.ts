import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { badRow, enrichedRecord, event, rolloutRefusal, T0 } from '../../helpers/records.js';
import { batchOf, tempDir } from '../../helpers/temp-store.js';

const dir = tempDir();
afterAll(() => dir.remove());

/** The tables as the build before the rollout switch created them (its schemaDdl, as written then). */
const OLD_DDL = readFileSync(
  new URL('./fixtures/store-before-rollout.sql', import.meta.url),
  'utf8',
)
  .split(';\n')
  .map((s) => s.trim())
  .filter(Boolean);

/** A store file made by the earlier build, holding one event and one bad row. */
async function oldStore(name: string): Promise<string> {
  const path = dir.file(name);
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  for (const sql of OLD_DDL) await con.run(sql);
  await con.run(
    `INSERT INTO events (event_id, type, seq, ts, time, playhead, received_at, ingested_at, skew_ms,
       record_version, schema_version, session_id, content_id, sdk_name, sdk_version, pop,
       edge_region, serving_region, stream_region, request_id, device)
     VALUES ('evt_old_000001', 'started', 0, ${T0}, make_timestamp_ms(${T0}), 0,
       make_timestamp_ms(${T0}), make_timestamp_ms(${T0}), 0, 1, '1-0-0', 'sess_old_00001',
       'c', 'beacon-edge-web', '0.1.0', 'FRA56-C1', 'eu-central-1', 'eu-central-1',
       'eu-central-1', 'req-old', 'desktop')`,
  );
  await con.run(
    `INSERT INTO bad_rows VALUES ('bad_old', 'edge', make_timestamp_ms(${T0}),
       make_timestamp_ms(${T0}), 'req-old-bad', 400, 'invalid_json', NULL, NULL, NULL, NULL,
       NULL, NULL, '{', 'text', false)`,
  );
  con.closeSync();
  db.closeSync();
  return path;
}

async function columns(store: DuckDbStore, table: string): Promise<string[]> {
  const rows = await store.query(
    `SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index`,
    [table],
  );
  return rows.map((r) => String(r.column_name));
}

describe('DuckDB schema migration from the store before the rollout switch', () => {
  it('adds the new event and bad-row columns (null in old rows) and the rollout_refusals table, then stores all three', async () => {
    const path = await oldStore('before-rollout.duckdb');
    const store = await DuckDbStore.open(path);
    try {
      expect(await columns(store, 'events')).toEqual(
        expect.arrayContaining([
          'drm_system',
          'audio_language',
          'subtitle_language',
          'frame_rate',
          'throughput_kbps',
          'buffer_ms',
        ]),
      );
      expect(await columns(store, 'bad_rows')).toEqual(
        expect.arrayContaining(['sdk_name', 'sdk_version']),
      );
      expect(await store.query('SELECT drm_system, buffer_ms FROM events')).toStrictEqual([
        { drm_system: null, buffer_ms: null },
      ]);
      expect(await store.query('SELECT sdk_name FROM bad_rows')).toStrictEqual([
        { sdk_name: null },
      ]);

      const refusal = rolloutRefusal({ request_id: 'req-refused-1' });
      await store.writeBatch(
        batchOf(
          [
            enrichedRecord({
              schema_version: '1-1-0',
              drm_system: 'widevine',
              audio_language: 'pt-BR',
              session_id: 'sess_new_00001',
              events: [event('started', { id: 'evt_new_000001' })],
            }),
          ],
          {
            badRows: [badRow({ sdk_name: 'beacon-edge-web', sdk_version: '0.3.0' })],
            refusals: [refusal],
          },
        ),
      );
      expect(
        await store.query(
          "SELECT drm_system, audio_language, subtitle_language FROM events WHERE event_id = 'evt_new_000001'",
        ),
      ).toStrictEqual([
        { drm_system: 'widevine', audio_language: 'pt-BR', subtitle_language: null },
      ]);
      expect(
        await store.query("SELECT sdk_version FROM bad_rows WHERE sdk_name = 'beacon-edge-web'"),
      ).toStrictEqual([{ sdk_version: '0.3.0' }]);
      expect(
        await store.query('SELECT request_id, reason, rule, events, pop FROM rollout_refusals'),
      ).toStrictEqual([
        {
          request_id: 'req-refused-1',
          reason: 'schema_retired',
          rule: '1-0-0:retired',
          events: 3,
          pop: 'FRA56-C1',
        },
      ]);
    } finally {
      await store.close();
    }

    // Opening again runs the migration again: a no-op on a current store.
    const again = await DuckDbStore.open(path);
    try {
      expect(await again.query('SELECT count(*) AS n FROM events')).toStrictEqual([{ n: 2 }]);
      expect(await again.query('SELECT count(*) AS n FROM rollout_refusals')).toStrictEqual([
        { n: 1 },
      ]);
    } finally {
      await again.close();
    }
  });

  it('creates a new store with the same columns as a migrated one', async () => {
    const migrated = await DuckDbStore.open(await oldStore('migrated.duckdb'));
    const fresh = await DuckDbStore.open(dir.file('fresh.duckdb'));
    try {
      for (const table of ['events', 'bad_rows', 'rollout_refusals']) {
        expect((await columns(migrated, table)).sort()).toStrictEqual(
          (await columns(fresh, table)).sort(),
        );
      }
    } finally {
      await migrated.close();
      await fresh.close();
    }
  });
});
