/**
 * Latency of the session explorer's reads (`session`, `recentSessions`) on a store holding
 * SESSION_BENCH_EVENTS (default ten million) synthetic events over the last hour, through the
 * store as shipped (its memory limit and read connections). The file is generated first (about
 * two minutes for ten million rows); SESSION_BENCH_FILE reuses one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDbSessionQueries } from '../../core-pipeline/queries/duckdb-sessions.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { type BenchRow, percentile, report } from '../report.js';
import { generateEvents } from './generate.js';

const RUNS = 40;
const TARGET_MS = 300;
const events = Number(process.env.SESSION_BENCH_EVENTS ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'session-bench-'));
const file = process.env.SESSION_BENCH_FILE ?? join(dir, 'sessions.duckdb');
const rows: BenchRow[] = [];

async function measure(metric: string, run: (i: number) => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  const p95 = percentile(ms, 95);
  rows.push({ metric: `${metric} p50`, value: Math.round(percentile(ms, 50)), unit: 'ms' });
  rows.push({
    metric: `${metric} p95`,
    value: Math.round(p95),
    unit: 'ms',
    target: `≤ ${TARGET_MS}`,
    pass: p95 <= TARGET_MS,
  });
  console.log(`${metric}: p50 ${percentile(ms, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`);
}

try {
  if (!existsSync(file)) await generateEvents(file, events, Date.now());
  const store = await DuckDbStore.open(file);
  const [range] = await store.query(
    'SELECT count(*) AS n, epoch_ms(max(time)) AS last FROM events',
  );
  const now = Number(range.last) + 1000;
  const q = createDuckDbSessionQueries(store, () => now);
  const ids = (
    await store.query('SELECT DISTINCT session_id FROM events USING SAMPLE 200 ROWS')
  ).map((r) => String(r.session_id));
  const since = (minutes: number) => new Date(now - minutes * 60_000);
  console.log(
    `${range.n} events; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await measure('session(id)', (i) => q.session(ids[i % ids.length]));
  await measure('recent sessions 15m', () => q.recentSessions({ since: since(15) }));
  await measure('recent sessions 1h, limit 200', () =>
    q.recentSessions({ since: since(60), limit: 200 }),
  );
  await measure('recent sessions 1h of one POP', (i) =>
    q.recentSessions({ since: since(60), filters: { pop: `POP${i % 40}-C1` } }),
  );
  await measure('recent sessions 1h of one POP, ended', (i) =>
    q.recentSessions({ since: since(60), filters: { pop: `POP${i % 40}-C1` }, outcome: 'ended' }),
  );
  rows.push({ metric: 'events in the store', value: Number(range.n) });
  await store.close();
  report('session-queries', rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
