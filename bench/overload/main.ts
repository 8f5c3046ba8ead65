/**
 * Overload: `beacons dev` (its own process, as in e2e-load) offered several times what it can
 * take, then a burst of thousands of requests at once, loopback only and bounded in time. The
 * edge must shed the excess with 503 `overloaded` and Retry-After instead of queueing it, keep
 * its memory bounded, store every event it acknowledged, and take load again by itself once the
 * offer drops.
 *
 * Phases: a sustained offer of OVERLOAD_EPS for SECONDS (client connections CONCURRENCY), then a
 * burst of BURST requests on BURST new connections at once, then recovery: the time until a
 * probe is acknowledged again and until /api/v1/health says ok. Afterwards the stack is stopped
 * and its DuckDB file read back: every acknowledged event id must be there.
 *
 * Overrides: BENCH_OVERLOAD_EPS, BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_BURST. The yardstick
 * is CAPACITY_EPS, the stack's capacity as e2e-load measures it on the same machine (see
 * docs/BENCHMARKS.md); the default offer is 4× that.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { report } from '../report.js';
import { procStats } from '../e2e-load/proc-stats.js';
import { readStore } from '../e2e-load/read-back.js';
import { buildCli, freePort, startStack, stopStack } from '../e2e-load/stack-process.js';
import { runPhase, timeToFirstAccept } from './phases.js';
import { overloadRows } from './results.js';

/** The yardstick: e2e-load's capacity, from its latest result in docs/BENCHMARKS.md. */
const CAPACITY_EPS = 8_000;
const OVERLOAD_EPS = Number(process.env.BENCH_OVERLOAD_EPS ?? 4 * CAPACITY_EPS);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2_048);
const BURST = Number(process.env.BENCH_BURST ?? 4_000);
const BATCH = 20;
const DRAIN_LIMIT_MS = 120_000;
const RECOVERY_LIMIT_MS = 60_000;
const log = (line: string) => process.stderr.write(`  ${line}\n`);

const cli = await buildCli();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-overload-'));
const port = await freePort();
const stack = await startStack(cli, dataDir, port);
const pid = stack.child.pid;
if (pid === undefined) throw new Error('the stack process did not start');
const idleRss = procStats(pid).rss;
log(`stack up (pid ${pid}, RSS ${(idleRss / 1e6).toFixed(0)} MB)`);

const since = new Date(Date.now() - 1000).toISOString();
const rss: number[] = [];
const sampler = setInterval(() => {
  try {
    rss.push(procStats(pid).rss);
  } catch {
    // the stack exited; the stop below reports it
  }
}, 200);

const health = async (): Promise<{ status: string } | undefined> => {
  try {
    return (await (await fetch(`${stack.url}/api/v1/health`)).json()) as { status: string };
  } catch {
    return undefined;
  }
};

const acked = new Set<string>();
log(
  `overload: ${OVERLOAD_EPS} events/s × ${SECONDS} s in ${BATCH}-event batches, ${CONCURRENCY} connections`,
);
const overload = await runPhase(
  stack.url,
  {
    name: 'overload',
    eventsPerSecond: OVERLOAD_EPS,
    durationSeconds: SECONDS,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
  },
  acked,
);
log(`overload answers ${JSON.stringify(overload.answers)}`);
const healthDuring = (await health())?.status ?? 'no answer';

log(`burst: ${BURST} requests at once`);
const burst = await runPhase(
  stack.url,
  {
    name: 'burst',
    // All of the burst's events due at once: every request leaves as soon as its connection is up.
    eventsPerSecond: BURST * BATCH * 100,
    durationSeconds: 0.01,
    batchSize: BATCH,
    concurrency: BURST,
  },
  acked,
);
log(`burst answers ${JSON.stringify(burst.answers)}`);
const loadEnded = performance.now();

const firstAcceptMs = await timeToFirstAccept(stack.url, acked, RECOVERY_LIMIT_MS);
let healthOkMs = Number.NaN;
while (performance.now() - loadEnded < RECOVERY_LIMIT_MS) {
  if ((await health())?.status === 'ok') {
    healthOkMs = performance.now() - loadEnded;
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}
log(
  `first 204 ${firstAcceptMs.toFixed(0)} ms after the load; health ok after ${healthOkMs.toFixed(0)} ms`,
);

// Bounded wait until the store holds every acknowledged event (the consumer works off the backlog).
const storedCount = async (): Promise<number> => {
  const res = await fetch(`${stack.url}/api/v1/counts?since=${encodeURIComponent(since)}`);
  return Object.values((await res.json()) as Record<string, number>).reduce((a, b) => a + b, 0);
};
const drainStart = performance.now();
let stored = 0;
while (performance.now() - drainStart < DRAIN_LIMIT_MS) {
  stored = await storedCount().catch(() => stored);
  if (stored >= acked.size) break;
  await new Promise((r) => setTimeout(r, 500));
}
const drainMs = performance.now() - loadEnded;
clearInterval(sampler);
const peakHwm = procStats(pid).hwm;
log(`stored ${stored} of ${acked.size} acknowledged; stopping the stack (SIGINT)`);
const stop = await stopStack(stack.child);
if (stop.code !== 0) log(`stack exited with ${stop.code}:\n${stack.output.slice(-20).join('\n')}`);

const store = await readStore(path.join(dataDir, 'beacons.duckdb'));
let found = 0;
for (const id of acked) if (store.has(id)) found += 1;
fs.rmSync(dataDir, { recursive: true, force: true });

report(
  'overload',
  overloadRows({
    offer: {
      eventsPerSecond: OVERLOAD_EPS,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      burst: BURST,
    },
    capacityEps: CAPACITY_EPS,
    phases: [overload, burst],
    healthDuring,
    acked: acked.size,
    found,
    idleRss,
    rss,
    peakHwm,
    firstAcceptMs,
    healthOkMs,
    drainMs,
    stopCode: stop.code,
  }),
);
