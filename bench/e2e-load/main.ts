/**
 * Local end-to-end: a bounded load (loopback only) against `beacons dev` running as a separate
 * process, then the store read back. Targets: ≥ 10,000 events/s for 60 s, zero loss,
 * scheduled send → queryable through the API p95 ≤ 2 s, peak memory of the stack process ≤ 500 MB
 * (10^6 bytes). The load offered is a little above the target (see EPS). Every latency is
 * measured from the time a request was due by the fixed rate, not from when it left.
 *
 * - The stack: the real CLI in its own process (stack-process.ts).
 * - The load: `runLoad` in this process, 20-event batches (offered-load.ts).
 * - Progress: the stored count polled through the API during the run (count-poller.ts).
 * - Freshness: a sample of the load's requests looked for through the API (freshness.ts).
 * - Loss and scheduled send → ingested_at: the DuckDB file read back after the stop (read-back.ts).
 * - CPU and memory: the stack process and the whole machine from /proc (proc-stats.ts); the
 *   machine's other load (CPU used by processes other than the stack and the generator while
 *   the load ran) is reported too: on a shared machine it moves every figure.
 * - The rows and their targets: results.ts.
 *
 * Overrides for quick runs: BENCH_EPS, BENCH_SECONDS, BENCH_CONCURRENCY; BENCH_PROBE_MS and
 * BENCH_PROBE_POLL_MS set the freshness sample's spacing and poll interval. BENCH_KEEP=1 keeps the
 * data directory; the diagnostics are listed in stack-process.ts and proc-stats.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { report } from '../report.js';
import { pollStoredCount } from './count-poller.js';
import { freshnessResult, sampleFreshness } from './freshness.js';
import { sendLoad } from './offered-load.js';
import { machineCpu, procStats, threadCpu } from './proc-stats.js';
import { matchStored, readStore } from './read-back.js';
import { resultRows } from './results.js';
import { buildCli, freePort, startStack, stopStack } from './stack-process.js';

const root = process.cwd();
/**
 * Offered load: 5 % above the target. "Achieved" divides the accepted events by the load's whole
 * wall time, which ends with the last response, so an offer of exactly the target cannot
 * measure the target however fast the stack is (the sends + the last request's latency);
 * offering more shows whether the stack keeps up with at least the target.
 */
const EPS = Number(process.env.BENCH_EPS ?? 10_500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const BATCH = 20;
const TARGET_EPS = 10_000;
const DRAIN_LIMIT_MS = 30_000;
const POLL_MS = 500;
/** One sampled request per second of schedule, looked for every 100 ms: a few API reads per second. */
const PROBE_EVERY_MS = Number(process.env.BENCH_PROBE_MS ?? 1000);
const PROBE_POLL_MS = Number(process.env.BENCH_PROBE_POLL_MS ?? 100);
const log = (line: string) => process.stderr.write(`  ${line}\n`);

const cli = await buildCli();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-e2e-'));
const port = await freePort();
log(`stack: node ${path.relative(root, cli)} dev --port ${port} --data-dir ${dataDir}`);
const stack = await startStack(cli, dataDir, port);
const pid = stack.child.pid;
if (pid === undefined) throw new Error('the stack process did not start');
const idle = procStats(pid);
log(
  `stack up (pid ${pid}, RSS ${(idle.rss / 1e6).toFixed(0)} MB); load ${EPS} events/s × ${SECONDS} s, ${BATCH}-event batches`,
);

const since = new Date(Date.now() - 1000).toISOString();
const rssSamples: number[] = [];
const poller = pollStoredCount(
  stack.url,
  since,
  POLL_MS,
  () => rssSamples.push(procStats(pid).rss),
  log,
);
const curve = poller.curve;

const cpuBefore = procStats(pid).cpuSeconds;
const selfBefore = process.cpuUsage();
const machineBefore = machineCpu();
const freshness = sampleFreshness(stack.url, {
  everyMs: PROBE_EVERY_MS,
  pollMs: PROBE_POLL_MS,
  runId: Date.now().toString(36),
});
const { load, sent, statuses } = await sendLoad(
  stack.url,
  { eventsPerSecond: EPS, durationSeconds: SECONDS, batchSize: BATCH, concurrency: CONCURRENCY },
  { prepare: freshness.prepare, onResponse: freshness.onResponse },
);
const loadCpu = procStats(pid).cpuSeconds - cpuBefore;
const machineAfter = machineCpu();
log(`stack threads (CPU since start): ${threadCpu(pid)}`);
const selfCpu = process.cpuUsage(selfBefore);
const selfSeconds = (selfCpu.user + selfCpu.system) / 1e6;
const machineBusy = machineAfter.busy - machineBefore.busy;
const machineTotal = machineAfter.total - machineBefore.total;
// What other processes (not the stack, not this load generator) used while the load ran.
const othersCores = Math.max(0, machineBusy - loadCpu - selfSeconds) / (load.elapsedMs / 1000);
const accepted = sent.reduce((n, s) => n + s.ids.length, 0);
log(
  `load done: ${load.sent} requests, ${load.eventsAccepted} events accepted in ${(load.elapsedMs / 1000).toFixed(1)} s, statuses ${JSON.stringify(statuses)}, late ${load.late}, send lag p50/p95/max ${load.sendLag.p50.toFixed(0)}/${load.sendLag.p95.toFixed(0)}/${load.sendLag.max.toFixed(0)} ms`,
);

// Wait (bounded) until the store holds every accepted event.
const lastAnswer = Math.max(...sent.map((s) => s.answeredEpoch));
const drainDeadline = Date.now() + DRAIN_LIMIT_MS;
let stored = curve.at(-1)?.stored ?? 0;
while (stored < accepted && Date.now() < drainDeadline) {
  await new Promise((r) => setTimeout(r, 100));
  stored = curve.at(-1)?.stored ?? 0;
}
const drainMs =
  stored >= accepted
    ? (curve.find((c) => c.stored >= accepted)?.t ?? Date.now()) - lastAnswer
    : Number.NaN;
await poller.stop();
// The sampled requests get the rest of the drain limit to show up through the API.
await freshness.finish(performance.now() + Math.max(0, drainDeadline - Date.now()));
const peak = procStats(pid);
log(`stored ${stored} of ${accepted}; stopping the stack (SIGINT)`);
const stop = await stopStack(stack.child);
if (stop.code !== 0) log(`stack exited with ${stop.code}:\n${stack.output.slice(-20).join('\n')}`);

const store = await readStore(path.join(dataDir, 'beacons.duckdb'));
const { found, latency, response } = matchStored(sent, store);
if (!process.env.BENCH_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
else log(`data kept in ${dataDir}`);

report(
  'e2e-load',
  resultRows(
    {
      eventsPerSecond: EPS,
      durationSeconds: SECONDS,
      concurrency: CONCURRENCY,
      batchSize: BATCH,
      targetEventsPerSecond: TARGET_EPS,
      probeEveryMs: PROBE_EVERY_MS,
      probePollMs: PROBE_POLL_MS,
      cores: os.cpus().length,
    },
    {
      load,
      statuses,
      accepted,
      found,
      latency,
      response,
      freshness: freshnessResult(freshness.probes),
      drainMs,
      idleRss: idle.rss,
      rssSamples,
      peakHwm: peak.hwm,
      loadCpu,
      selfSeconds,
      machineBusy,
      machineTotal,
      othersCores,
      stop,
    },
  ),
);
