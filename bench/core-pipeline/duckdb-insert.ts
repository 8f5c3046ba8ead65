/**
 * Benchmarks for the DuckDB write path (a benchmark, not a test: run it from `npm run bench`).
 *
 * - `benchStoreWrites`: the store as shipped (DataChunk → TEMP staging → plain INSERT, one
 *   transaction per batch; ON CONFLICT DO NOTHING only for a batch the key rejected) at a realistic
 *   batch size, on a file.
 * - `compareInsertMethods`: the same rows through the alternatives considered, so the choice can
 *   be re-checked on another machine or DuckDB version.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore, loadViaStaging } from '../../core-pipeline/sinks/duckdb.js';
import { EVENT_COLUMNS, type EventRow } from '../../core-pipeline/rows.js';
import { EVENTS_TABLE, schemaDdl } from '../../core-pipeline/sinks/duckdb-schema.js';

/** Result of one write benchmark. */
export interface WriteFigures {
  method: string;
  events: number;
  batchSize: number;
  seconds: number;
  eventsPerSecond: number;
  batchP50Ms: number;
  batchP95Ms: number;
  batchMaxMs: number;
  peakRssMb: number;
}

/** Synthetic rows shaped like a heartbeat-heavy session stream (~20 events per record). */
export function syntheticRows(count: number, startId = 0, now = Date.now()): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = startId; i < startId + count; i++) {
    const session = Math.floor(i / 20);
    const type = i % 20 === 0 ? 'started' : 'heartbeat';
    const ev = {
      type,
      id: `bench_${i}`,
      seq: i % 20,
      ts: now,
      playhead: i % 600,
      played_ms: (i % 20) * 10000,
      stall_ms: 0,
      stall_count: 0,
      bitrate: 3000000,
    };
    rows.push({
      event_id: ev.id,
      type,
      seq: ev.seq,
      ts: now,
      time: now,
      playhead: ev.playhead,
      received_at: now,
      ingested_at: now,
      skew_ms: 0,
      record_version: 1,
      schema_version: '1-0-0',
      session_id: `bench_session_${session}`,
      viewer_id: null,
      content_id: 'bench',
      sdk_name: 'beacon-edge-web',
      sdk_version: '0.1.0',
      player_name: 'hls.js',
      player_version: '1.7.4',
      source: 'sdk',
      drm_system: null,
      audio_language: null,
      subtitle_language: null,
      country: 'DE',
      country_region: 'HE',
      city: 'Frankfurt am Main',
      time_zone: 'Europe/Berlin',
      asn: '3320',
      lat: 50.1,
      lon: 8.7,
      pop: 'FRA56-C1',
      edge_region: 'eu-central-1',
      serving_region: 'eu-central-1',
      stream_region: 'eu-central-1',
      request_id: `bench_req_${session}`,
      device: 'desktop',
      os: null,
      startup_ms: null,
      stall_ms: type === 'heartbeat' ? 0 : null,
      bitrate: type === 'heartbeat' ? 3000000 : null,
      prev_bitrate: null,
      width: null,
      height: null,
      level: null,
      volume: null,
      muted: null,
      error_code: null,
      error_message: null,
      fatal: null,
      played_ms: type === 'heartbeat' ? ev.played_ms : null,
      stall_count: type === 'heartbeat' ? 0 : null,
      dropped_frames: null,
      seek_ms: null,
      seek_to: null,
      reason: null,
      autoplay: null,
      frame_rate: null,
      throughput_kbps: null,
      buffer_ms: null,
      attrs: null,
    });
  }
  return rows;
}

/** Writes `events` rows through `DuckDbStore.writeBatch` in batches of `batchSize`. */
export async function benchStoreWrites(
  path: string,
  events = 600_000,
  batchSize = 2000,
): Promise<WriteFigures> {
  const store = await DuckDbStore.open(path);
  try {
    return await timeBatches('store (DataChunk → staging → INSERT)', events, batchSize, (rows, i) =>
      store.writeBatch({
        events: rows,
        badRows: [],
        checkpoints: [
          { stream: 'bench', shardId: 'shardId-000000000000', sequenceNumber: String(i) },
        ],
      }),
    );
  } finally {
    await store.close();
  }
}

/**
 * The alternatives, each on a fresh file: the shipped path; the same with `ON CONFLICT DO NOTHING`
 * on every batch (what the store does only after a duplicate); and multi-row
 * `INSERT ... VALUES ($1, ...), (...) ON CONFLICT DO NOTHING` with bound parameters.
 * (Two more were measured and dropped earlier, a row-by-row appender and `json_transform` of one
 * JSON parameter; their figures are in docs/BENCHMARKS.md, core-store.)
 */
export async function compareInsertMethods(
  dir: string,
  events = 100_000,
  batchSize = 2000,
): Promise<WriteFigures[]> {
  const out = [await benchStoreWrites(`${dir}/chunk.duckdb`, events, batchSize)];
  out.push(await alwaysOnConflict(`${dir}/on-conflict.duckdb`, events, batchSize));
  const instance = await DuckDBInstance.create(`${dir}/values.duckdb`);
  const con = await instance.connect();
  try {
    for (const sql of schemaDdl()) await con.run(sql);
    const per = 300; // rows per statement: ~16k parameters
    out.push(
      await timeBatches('multi-row INSERT VALUES ON CONFLICT', events, batchSize, async (rows) => {
        await con.run('BEGIN TRANSACTION');
        for (let j = 0; j < rows.length; j += per) {
          const part = rows.slice(j, j + per);
          const n = EVENT_COLUMNS.length;
          const tuples = part.map(
            (_, k) =>
              `(${EVENT_COLUMNS.map((c, ci) => (c.type === 'timestamp_ms' ? `make_timestamp_ms($${k * n + ci + 1}::BIGINT)` : `$${k * n + ci + 1}`)).join(',')})`,
          );
          const values = part.flatMap((r) =>
            EVENT_COLUMNS.map((c) =>
              r[c.name] === null
                ? null
                : c.type === 'bigint' || c.type === 'timestamp_ms'
                  ? BigInt(r[c.name] as number)
                  : (r[c.name] as string | number | boolean),
            ),
          );
          await con.run(
            `INSERT INTO events VALUES ${tuples.join(',')} ON CONFLICT DO NOTHING`,
            values,
          );
        }
        await con.run('COMMIT');
      }),
    );
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return out;
}

/** The store's staging path with ON CONFLICT DO NOTHING on every batch (the store's slow path). */
async function alwaysOnConflict(
  path: string,
  events: number,
  batchSize: number,
): Promise<WriteFigures> {
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  try {
    for (const sql of schemaDdl()) await con.run(sql);
    return await timeBatches(
      'staging → INSERT ON CONFLICT DO NOTHING on every batch',
      events,
      batchSize,
      async (rows) => {
        await con.run('BEGIN TRANSACTION');
        await loadViaStaging(
          con,
          EVENTS_TABLE,
          rows as unknown as Record<string, unknown>[],
          'skip-duplicates',
        );
        await con.run('COMMIT');
      },
    );
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

async function timeBatches(
  method: string,
  events: number,
  batchSize: number,
  write: (rows: EventRow[], i: number) => Promise<void>,
): Promise<WriteFigures> {
  const latencies: number[] = [];
  let peak = 0;
  let busy = 0;
  for (let i = 0; i < events; i += batchSize) {
    const rows = syntheticRows(Math.min(batchSize, events - i), i);
    const t = performance.now();
    await write(rows, i);
    const dt = performance.now() - t;
    busy += dt;
    latencies.push(dt);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return {
    method,
    events,
    batchSize,
    seconds: round(busy / 1000),
    eventsPerSecond: Math.round(events / (busy / 1000)),
    batchP50Ms: round(at(50)),
    batchP95Ms: round(at(95)),
    batchMaxMs: round(latencies[latencies.length - 1]),
    peakRssMb: Math.round(peak / 1e6),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
