/**
 * Dashboard API latency at scale: a DuckDB file with BENCH_EVENTS (default 10 million) simulated
 * events in the hour before its build time, written through DuckDbStore.writeBatch so the rollups
 * are filled as the consumer fills them. Then, while a loop writes 2,000 events/s into the same
 * store, every API call the dashboard page makes is timed for range=1h and 15m: "after" through
 * today's API handler, "before" as the raw-event queries it used to run.
 *
 * The built file is cached under the OS temp dir, keyed by BUILD_VERSION and the event count, so
 * a rerun skips the build. Time is virtual: "now" is the build's end plus the time since this run
 * started, so a cached file still holds the last hour. Options (environment, or argv when run by
 * hand): BENCH_EVENTS / --events N, BENCH_SAMPLES (after, default 20), BENCH_BEFORE=0 to skip the
 * raw queries, BENCH_REBUILD=1, BENCH_BUILD_ONLY=1 to build (or find) the file and stop,
 * BENCH_MEMORY_LIMIT to measure with another DuckDB memory limit than the local stack's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDuckDbQueries } from '../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../core-pipeline/queries/duckdb-rollups.js';
import { createDuckDbSessionQueries } from '../../core-pipeline/queries/duckdb-sessions.js';
import { createDuckDbRolloutQueries } from '../../core-pipeline/queries/duckdb-rollout.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { DEV_DEFAULTS } from '../../local/config.js';
import { createRng } from '../../local/sim/random.js';
import { percentile, report, type BenchRow } from '../report.js';
import { Audience, meanEventsPerSession } from './audience.js';
import {
  afterEndpoints,
  beforeEndpoints,
  RANGES,
  sample,
  type Endpoint,
  type RangeName,
} from './endpoints.js';
import { startIngest } from './ingest.js';

const NAME = 'dashboard-scale';
/** Bump when the generated data or the store layout changes: older cached files are not reused. */
const BUILD_VERSION = 5;
const HOUR = 3_600_000;
const TARGET_P95_MS = 300;
/** `beacons diagnose` answers within a second (it reads every dimension of the window). */
const DIAGNOSE_TARGET_P95_MS = 1_000;
const INGEST_EPS = 2_000;

function option(flag: string, env: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}/${env}: not a number: ${raw}`);
  return n;
}

const EVENTS = option('--events', 'BENCH_EVENTS', 10_000_000);
const SAMPLES = option('--samples', 'BENCH_SAMPLES', 20);
const BEFORE = process.env.BENCH_BEFORE !== '0';
const dir = path.join(os.tmpdir(), 'beacon-edge-bench', NAME);
const file = path.join(dir, `v${BUILD_VERSION}-${EVENTS}.duckdb`);
const metaFile = `${file}.json`;

interface BuildMeta {
  endMs: number;
  events: number;
  badRows: number;
  seconds: number;
  meanEventsPerSession: number;
}

/** Builds the file: sessions from half an hour before the window (so it opens in steady state). */
async function build(): Promise<BuildMeta> {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [file, `${file}.wal`, metaFile]) fs.rmSync(f, { force: true });
  const started = performance.now();
  const rng = createRng(20261130);
  const mean = meanEventsPerSession(rng);
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  const startMs = endMs - HOUR;
  const audience = new Audience(rng, EVENTS / 60 / mean, startMs - HOUR / 2);
  // The build may use the machine; the measurement runs with the local stack's settings.
  // Rollup upkeep runs on the virtual clock (each simulated minute), not on the wall clock's timer.
  const store = await DuckDbStore.open(file, {
    threads: 2,
    memoryLimit: '2GB',
    memoryPerEventBytes: 0,
    rollupMaintenanceMs: 0,
  });
  let events = 0;
  let badRows = 0;
  let lastLog = 0;
  try {
    // One write per simulated minute: large batches, as a consumer catching up writes them.
    for (let t = startMs - HOUR / 2; t < endMs; t += 60_000) {
      const rows = audience.advance(t + 60_000, t >= startMs);
      if (t < startMs) continue;
      await store.writeBatch({ events: rows.events, badRows: rows.badRows, checkpoints: [] });
      await store.maintainRollups(t + 60_000);
      events += rows.events.length;
      badRows += rows.badRows.length;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const s = ((lastLog - started) / 1000).toFixed(0);
        console.error(`  built ${events.toLocaleString('en-US')} events in ${s} s`);
      }
    }
  } finally {
    await store.close();
  }
  const meta = {
    endMs,
    events,
    badRows,
    seconds: (performance.now() - started) / 1000,
    meanEventsPerSession: mean,
  };
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  return meta;
}

const cached = fs.existsSync(metaFile) && process.env.BENCH_REBUILD !== '1';
const meta: BuildMeta = cached ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : await build();
console.error(
  `${cached ? 'reusing' : 'built'} ${file}: ${meta.events.toLocaleString('en-US')} events (build took ${meta.seconds.toFixed(0)} s)`,
);
if (process.env.BENCH_BUILD_ONLY === '1') {
  report(NAME, [{ metric: 'build time', value: Math.round(meta.seconds), unit: 's' }]);
  process.exit(0);
}

// Measure on a copy: the live writes must not change the cached file.
const work = path.join(dir, `run-${process.pid}.duckdb`);
fs.copyFileSync(file, work);
// BENCH_MEMORY_LIMIT (e.g. 512MB) separates query cost from memory pressure at the default limit.
const openStarted = performance.now();
const store = await DuckDbStore.open(work, {
  threads: DEV_DEFAULTS.duckdbThreads,
  rollupMaintenanceMs: 0,
  ...(process.env.BENCH_MEMORY_LIMIT
    ? { memoryLimit: process.env.BENCH_MEMORY_LIMIT, memoryPerEventBytes: 0 }
    : {}),
});
// Opening rebuilds the rollup engine's session state from the stored events (the 6 h horizon).
const openSeconds = (performance.now() - openStarted) / 1000;
const runStart = Date.now();
const now = () => meta.endMs + (Date.now() - runStart);
const [size] = await store.query(
  'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM rollup_1m) AS rollup_rows, (SELECT count(*) FROM rollup_startup_1m) AS sketch_rows',
);
const ctx = {
  queries: createDuckDbQueries(store),
  rollups: createDuckDbRollupQueries(store),
  // The explorer's windows count back from the store's clock, as every other read's range does.
  sessions: createDuckDbSessionQueries(store, now),
  rollout: createDuckDbRolloutQueries(store),
  health: () => ({}),
  now,
};

const rows: BenchRow[] = [
  {
    metric: 'DuckDB memory limit while measuring',
    value: process.env.BENCH_MEMORY_LIMIT ?? 'the local stack default',
  },
  { metric: 'events in the store (last hour)', value: Number(size.events) },
  { metric: 'rollup_1m rows', value: Number(size.rollup_rows) },
  { metric: 'rollup_startup_1m rows', value: Number(size.sketch_rows) },
  { metric: 'build time (cached runs reuse it)', value: Math.round(meta.seconds), unit: 's' },
  {
    metric: 'store open (rollup session state rebuilt from events)',
    value: Math.round(openSeconds * 10) / 10,
    unit: 's',
  },
  { metric: 'sessions held by the rollup engine after open', value: store.rollupSessions },
  { metric: 'store file', value: Math.round(fs.statSync(file).size / 2 ** 20), unit: 'MiB' },
];
const ms = (v: number) => Math.round(v * 10) / 10;
const targetOf = (name: string) => (name === 'diagnose' ? DIAGNOSE_TARGET_P95_MS : TARGET_P95_MS);

/**
 * Times every endpoint of both ranges while the ingest loop writes, then reports the latencies
 * (with the p95 target when `target`) and what the loop managed to write meanwhile.
 */
async function phase(
  label: 'after' | 'before',
  endpoints: (range: RangeName) => Promise<Endpoint[]>,
  opts: { samples: number; minSamples: number; budgetMs: number; warmUp: boolean; target: boolean },
): Promise<void> {
  const ingest = startIngest(store, {
    eventsPerSecond: INGEST_EPS,
    rng: createRng(Date.now()),
    meanEventsPerSession: meta.meanEventsPerSession,
    now,
  });
  try {
    for (const range of Object.keys(RANGES) as RangeName[]) {
      for (const e of await endpoints(range)) {
        const t = await sample(e, opts);
        const [p50, p95] = [ms(percentile(t.ms, 50)), ms(percentile(t.ms, 95))];
        console.error(
          `  ${label} ${range} ${e.name}: p50 ${p50} ms, p95 ${p95} ms (${t.ms.length} answered, ${t.errors} failed${t.firstError ? `: ${t.firstError}` : ''})`,
        );
        rows.push(
          { metric: `${label} p50 ${e.name} range=${range}`, value: p50, unit: 'ms' },
          {
            metric: `${label} p95 ${e.name} range=${range}${opts.target ? '' : ` (${t.ms.length} samples)`}`,
            value: p95,
            unit: 'ms',
            ...(opts.target
              ? {
                  target: `≤ ${targetOf(e.name)}`,
                  pass: p95 <= targetOf(e.name) && t.errors === 0,
                }
              : {}),
          },
        );
        if (t.errors > 0)
          rows.push({ metric: `${label} failed calls ${e.name} range=${range}`, value: t.errors });
      }
    }
  } finally {
    const stats = await ingest.stop();
    rows.push(
      {
        metric: `${label}: ingest achieved (offered ${INGEST_EPS})`,
        value: Math.round(stats.eventsPerSecond),
        unit: 'events/s',
      },
      { metric: `${label}: ingest write p95 (one batch)`, value: ms(stats.writeP95Ms), unit: 'ms' },
      {
        metric: `${label}: ingest writes refused`,
        value: stats.failedWrites,
        ...(opts.target ? { target: '0', pass: stats.failedWrites === 0 } : {}),
      },
    );
    if (stats.firstError) console.error(`  ${label}: first refused write: ${stats.firstError}`);
  }
}

try {
  await phase('after', (range) => afterEndpoints(ctx, range), {
    samples: SAMPLES,
    minSamples: SAMPLES,
    budgetMs: 0,
    warmUp: true,
    target: true,
  });
  // The raw queries take seconds at scale: a few samples each, within a time budget.
  if (BEFORE)
    await phase('before', async (range) => beforeEndpoints(ctx.queries, range, now), {
      samples: 10,
      minSamples: 3,
      budgetMs: 20_000,
      warmUp: false,
      target: false,
    });
} finally {
  await store.close();
  for (const f of [work, `${work}.wal`, `${work}.tmp`])
    fs.rmSync(f, { force: true, recursive: true });
}
report(NAME, rows);
