/**
 * Synthetic events for the session-query benchmark, written by one INSERT ... SELECT (minutes
 * for ten million rows through the store's write path would measure the writer, not the reads).
 * Rows are in event-time order, as a live store appends them: `concurrent` sessions at a time,
 * each of 200 events (requested, first_frame, heartbeats with counters, bitrate changes,
 * session_end) over ten minutes, spread over 40 POPs, 8 countries, 30 ASNs and two devices.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { schemaDdl } from '../../core-pipeline/sinks/duckdb-schema.js';

/** Writes `events` rows whose event times cover the hour before `endMs` into `file`. */
export async function generateEvents(file: string, events: number, endMs: number): Promise<void> {
  const instance = await DuckDBInstance.create(file, { memory_limit: '4GB', threads: '2' });
  const con = await instance.connect();
  try {
    for (const sql of schemaDdl()) await con.run(sql);
    const c = Math.max(1, Math.round(events / 1200));
    await con.run(`INSERT INTO events (event_id, type, seq, ts, time, playhead, received_at, ingested_at,
      skew_ms, record_version, schema_version, session_id, viewer_id, content_id, sdk_name, sdk_version,
      player_name, player_version, country, country_region, asn, pop, edge_region, serving_region,
      stream_region, request_id, device, startup_ms, stall_ms, bitrate, played_ms, stall_count)
    SELECT 'ev' || k,
      CASE WHEN p = 0 THEN 'requested' WHEN p = 1 THEN 'first_frame' WHEN p = 199 THEN 'session_end'
           WHEN p % 17 = 5 THEN 'bitrate_changed' ELSE 'heartbeat' END,
      p, t, make_timestamp_ms(t), p * 3.0, make_timestamp_ms(t + 300), make_timestamp_ms(t + 800), 0, 1,
      '1-0-0', 'sess_' || slot || '_' || g, 'viewer_' || slot, 'content_' || (slot % 50),
      'beacon-edge-web', '0.1.0', 'hls.js', '1.7.4', ['DE','US','FR','BR','ES','GB','JP','IN'][slot % 8 + 1],
      'R' || (slot % 5), '' || (3320 + slot % 30), 'POP' || (slot % 40) || '-C1', 'eu-central-1',
      'eu-central-1', 'eu-central-1', 'req' || (k // 20), CASE WHEN slot % 3 = 0 THEN 'mobile' ELSE 'desktop' END,
      CASE WHEN p = 1 THEN 500 + slot % 2000 END, CASE WHEN p > 1 THEN p * 10.0 END,
      CASE WHEN p > 1 THEN 2000000 END, CASE WHEN p > 1 THEN p * 3000.0 END, CASE WHEN p > 1 THEN p // 50 END
    FROM (SELECT k, slot, (k // ${c} + slot * 7) // 200 AS g, (k // ${c} + slot * 7) % 200 AS p,
            ${endMs - 3_600_000} + (k * 3600000) // ${events} AS t
          FROM (SELECT range AS k, range % ${c} AS slot FROM range(${events})))`);
    await con.run('CHECKPOINT');
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
