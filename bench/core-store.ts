/**
 * The core pipeline's DuckDB write path, alone: the store as shipped (DataChunk → TEMP staging →
 * plain INSERT, one transaction per batch; ON CONFLICT DO NOTHING only after a duplicate key) on a
 * file, and the alternatives it was chosen over, so the choice can be re-checked on another machine or DuckDB version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchStoreWrites, compareInsertMethods } from './core-pipeline/duckdb-insert.js';
import { benchRollupCost, fileMb } from './core-pipeline/rollups.js';
import { report, type BenchRow } from './report.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-core-store-'));
try {
  const store = await benchStoreWrites(path.join(dir, 'store.duckdb'), 300_000, 2000);
  const rows: BenchRow[] = [
    {
      metric: `store writes, ${store.events.toLocaleString('en-US')} events in batches of ${store.batchSize}`,
      value: store.eventsPerSecond,
      unit: 'events/s',
    },
    {
      metric: 'batch write p50 / p95 / max',
      value: `${store.batchP50Ms.toFixed(0)} / ${store.batchP95Ms.toFixed(0)} / ${store.batchMaxMs.toFixed(0)}`,
      unit: 'ms',
    },
    { metric: 'peak RSS', value: store.peakRssMb, unit: 'MB' },
  ];
  for (const m of await compareInsertMethods(dir, 20_000, 2000)) {
    rows.push({
      metric: `insert method: ${m.method} (20,000 events)`,
      value: m.eventsPerSecond,
      unit: 'events/s',
    });
  }
  // The rollups' cost: the same audience with the engine off, then on (each on a fresh file).
  const off = await benchRollupCost(path.join(dir, 'rollups-off.duckdb'), false, 300_000, 2000);
  const on = await benchRollupCost(path.join(dir, 'rollups-on.duckdb'), true, 300_000, 2000);
  const [offMb, onMb] = ['rollups-off', 'rollups-on'].map((f) =>
    fileMb(path.join(dir, `${f}.duckdb`)),
  );
  rows.push(
    {
      metric: 'ingest CPU per 1,000 events, rollups off / on',
      value: `${off.cpuSecondsPer1000} / ${on.cpuSecondsPer1000}`,
      unit: 's',
    },
    {
      metric: 'store writes, rollups off / on (300,000 events)',
      value: `${off.eventsPerSecond} / ${on.eventsPerSecond}`,
      unit: 'events/s',
    },
    {
      metric: 'database file: events only / with rollups',
      value: `${offMb} / ${onMb}`,
      unit: 'MB',
    },
    { metric: 'rollup rows after compaction', value: on.rollupRows, unit: 'rows' },
  );
  report('core-store', rows);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
