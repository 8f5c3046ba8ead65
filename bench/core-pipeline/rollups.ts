/**
 * What the 1-minute rollups cost the DuckDB store (a benchmark, not a test): the same audience
 * written through `DuckDbStore.writeBatch` with the rollup engine on and off, as process CPU
 * seconds per 1,000 events (DuckDB's threads included) and events/s, and the file size each store
 * has after a CHECKPOINT: the difference is the rollup tables' size (compacted, as they settle).
 *
 * The audience: sessions of 20 events (requested, started, first_frame, heartbeats every 10 s,
 * a rendition switch, session_end) over 12 POPs, 8 ASNs, 4 devices, 2 players, 2 SDK versions and
 * 20 titles, arriving at 2,000 events/s of event time, in time order.
 */
import fs from 'node:fs';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import type { EventRow } from '../../core-pipeline/rows.js';
import { syntheticRows } from './duckdb-insert.js';

/** Figures of one mode. */
export interface RollupCostFigures {
  rollups: boolean;
  events: number;
  cpuSecondsPer1000: number;
  eventsPerSecond: number;
  /** Rows in the rollup tables after compaction (0 when off). */
  rollupRows: number;
}

const POPS: [string, string, string][] = [
  ['FRA56-C1', 'DE', 'eu-central-1'],
  ['MAD50-C2', 'ES', 'eu-west-3'],
  ['LHR61-C1', 'GB', 'eu-west-2'],
  ['CDG52-P1', 'FR', 'eu-west-3'],
  ['IAD89-C3', 'US', 'us-east-1'],
  ['SFO5-C1', 'US', 'us-west-1'],
  ['GRU3-C1', 'BR', 'sa-east-1'],
  ['NRT57-C2', 'JP', 'ap-northeast-1'],
  ['SIN2-C1', 'SG', 'ap-southeast-1'],
  ['BOM78-P1', 'IN', 'ap-south-1'],
  ['SYD1-C1', 'AU', 'ap-southeast-2'],
  ['ARN56-C1', 'SE', 'eu-north-1'],
];
const EVENTS_PER_SESSION = 20;
/** 2,000 events/s of event time once every session slot is busy. */
const SESSIONS_PER_TICK = 1000;

/**
 * The stream in time order: every 10 s of event time, each session started in the last 200 s
 * sends its next event, and SESSIONS_PER_TICK new sessions begin (a ramp-up, then steady).
 */
function* stream(t0: number, template: EventRow): Generator<EventRow> {
  for (let tick = 0; ; tick++) {
    for (let k = Math.min(tick, EVENTS_PER_SESSION - 1); k >= 0; k--) {
      for (let n = 0; n < SESSIONS_PER_TICK; n++) {
        const session = (tick - k) * SESSIONS_PER_TICK + n;
        yield eventOf(session, k, t0 + tick * 10_000 + n * (10_000 / SESSIONS_PER_TICK), template);
      }
    }
  }
}

/** Event `k` of session `session` at `time`. */
function eventOf(session: number, k: number, time: number, template: EventRow): EventRow {
  const [pop, country, region] = POPS[session % POPS.length];
  const type =
    k === 0
      ? 'requested'
      : k === 1
        ? 'started'
        : k === 2
          ? 'first_frame'
          : k === 10
            ? 'bitrate_changed'
            : k === EVENTS_PER_SESSION - 1
              ? 'session_end'
              : 'heartbeat';
  const counter = type === 'heartbeat' || type === 'session_end';
  return {
    ...template,
    event_id: `bench_r_${session}_${k}`,
    type,
    seq: k,
    ts: time,
    time,
    received_at: time,
    ingested_at: time,
    session_id: `bench_rs_${session}`,
    pop,
    country,
    serving_region: region,
    edge_region: region,
    stream_region: region,
    asn: String(3320 + (session % 8)),
    device: ['desktop', 'mobile', 'tablet', 'tv'][session % 4],
    player_name: session % 2 ? 'hls.js' : 'shaka',
    sdk_version: session % 3 ? '0.1.0' : '0.2.0',
    content_id: `title-${session % 20}`,
    startup_ms: type === 'first_frame' ? 400 + (session % 2000) : null,
    played_ms: counter ? k * 9_500 : null,
    stall_ms: counter ? (session % 5 === 0 ? k * 100 : 0) : null,
    stall_count: counter ? (session % 5 === 0 ? Math.floor(k / 4) : 0) : null,
    bitrate: type === 'heartbeat' || type === 'bitrate_changed' ? 3_000_000 : null,
  };
}

/** Writes `events` events in batches of `batchSize` to a fresh file, rollups on or off. */
export async function benchRollupCost(
  file: string,
  rollups: boolean,
  events: number,
  batchSize: number,
): Promise<RollupCostFigures> {
  const template = syntheticRows(1)[0];
  const t0 = Date.now() - 3_600_000;
  const store = await DuckDbStore.open(file, { rollups, rollupMaintenanceMs: 0 });
  let cpuUs = 0;
  let wallMs = 0;
  try {
    const source = stream(t0, template);
    for (let i = 0; i < events; i += batchSize) {
      const rows: EventRow[] = [];
      for (let j = i; j < Math.min(events, i + batchSize); j++)
        rows.push(source.next().value as EventRow);
      const c = process.cpuUsage();
      const w = performance.now();
      await store.writeBatch({ events: rows, badRows: [], checkpoints: [] });
      wallMs += performance.now() - w;
      const d = process.cpuUsage(c);
      cpuUs += d.user + d.system;
    }
    if (rollups) await store.maintainRollups(Date.now() + 3_600_000);
    const [r] = await store.query(
      'SELECT (SELECT count(*) FROM rollup_1m) + (SELECT count(*) FROM rollup_startup_1m) + (SELECT count(*) FROM type_counts_1m) AS n',
    );
    await store.query('CHECKPOINT');
    return {
      rollups,
      events,
      cpuSecondsPer1000: Math.round((cpuUs / 1e6 / (events / 1000)) * 1000) / 1000,
      eventsPerSecond: Math.round(events / (wallMs / 1000)),
      rollupRows: Number(r.n),
    };
  } finally {
    await store.close();
  }
}

/** The file's size in MB (after close, so the WAL is checkpointed into it). */
export function fileMb(file: string): number {
  const wal = `${file}.wal`;
  const bytes = fs.statSync(file).size + (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
  return Math.round((bytes / 1e6) * 10) / 10;
}
