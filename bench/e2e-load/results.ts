/**
 * The e2e-load result rows, in the order docs/BENCHMARKS.md shows them, with the targets the
 * local stack is held to: at least 10,000 events/s achieved, no 5xx, zero loss, POST → ingested_at
 * p95 within 2 s, peak RSS within 500 MB, a clean exit on SIGINT.
 */
import type { LoadSummary } from '../../local/sim/load.js';
import { percentile, type BenchRow } from '../report.js';

/** The run's settings, as shown in the metric names. */
export interface E2eSettings {
  eventsPerSecond: number;
  durationSeconds: number;
  concurrency: number;
  batchSize: number;
  targetEventsPerSecond: number;
  pollMs: number;
  cores: number;
}

/** Everything measured during a run. */
export interface E2eMeasurements {
  load: LoadSummary;
  statuses: Record<string, number>;
  /** Events the edge accepted / of those, found in the store. */
  accepted: number;
  found: number;
  latency: number[];
  apiLag: number[];
  drainMs: number;
  /** RSS of the idle stack, its samples under load and its peak (VmHWM), bytes. */
  idleRss: number;
  rssSamples: number[];
  peakHwm: number;
  /** CPU seconds of the stack during the load and of this process. */
  loadCpu: number;
  selfSeconds: number;
  machineBusy: number;
  machineTotal: number;
  othersCores: number;
  stop: { code: number | null; ms: number };
}

/** Decimal megabytes (10^6 bytes), as the target is written. */
const mb = (b: number) => Math.round(b / 1e6);

/** The result rows of one run. */
export function resultRows(s: E2eSettings, m: E2eMeasurements): BenchRow[] {
  const { load, accepted, latency } = m;
  const loss = accepted - m.found;
  const fiveXx = Object.entries(m.statuses)
    .filter(([k]) => Number(k) >= 500)
    .reduce((n, [, v]) => n + v, 0);
  const achieved = load.eventsAccepted / (load.elapsedMs / 1000);
  const p95 = percentile(latency, 95);
  return [
    {
      metric: `offered load (${s.batchSize}-event batches, ${s.durationSeconds} s, ${s.concurrency} connections)`,
      value: s.eventsPerSecond,
      unit: 'events/s',
    },
    {
      metric: 'achieved (accepted events / load wall time)',
      value: Math.round(achieved),
      unit: 'events/s',
      target: `≥ ${s.targetEventsPerSecond.toLocaleString('en-US')}`,
      pass: achieved >= s.targetEventsPerSecond,
    },
    { metric: 'requests sent', value: load.sent },
    {
      metric: "mean events per request (a session's last batch is smaller)",
      value: Number((load.events / Math.max(1, load.sent)).toFixed(1)),
    },
    { metric: 'events accepted by the edge', value: accepted },
    { metric: 'requests failed (5xx)', value: fiveXx, target: '0', pass: fiveXx === 0 },
    {
      metric: 'requests failed (other non-2xx, no response)',
      value: load.failed - fiveXx,
      target: '0',
      pass: load.failed - fiveXx === 0,
    },
    {
      metric: 'requests sent > 50 ms behind schedule (busy cores or connection cap)',
      value: load.late,
    },
    { metric: 'loss: accepted − stored distinct ids', value: loss, target: '0', pass: loss === 0 },
    { metric: 'POST → ingested_at p50', value: Math.round(percentile(latency, 50)), unit: 'ms' },
    {
      metric: 'POST → ingested_at p95',
      value: Math.round(p95),
      unit: 'ms',
      target: '≤ 2,000',
      pass: p95 <= 2000,
    },
    { metric: 'POST → ingested_at max', value: Math.round(Math.max(...latency)), unit: 'ms' },
    {
      metric: `POST → counted by /api/v1/counts p95 (${s.pollMs} ms polls, upper bound)`,
      value: Math.round(percentile(m.apiLag, 95)),
      unit: 'ms',
    },
    { metric: 'last response → all events queryable', value: Math.round(m.drainMs), unit: 'ms' },
    {
      metric: 'stack peak RSS (VmHWM, all threads)',
      value: mb(m.peakHwm),
      unit: 'MB',
      target: '≤ 500',
      pass: m.peakHwm <= 500e6,
    },
    {
      metric: 'stack RSS idle / max sampled under load',
      value: `${mb(m.idleRss)} / ${mb(Math.max(...m.rssSamples))}`,
      unit: 'MB',
    },
    { metric: 'stack CPU during load', value: Number(m.loadCpu.toFixed(1)), unit: 's' },
    {
      metric: 'stack CPU per 1,000 events',
      value: Number(((m.loadCpu * 1000) / Math.max(1, accepted)).toFixed(4)),
      unit: 'CPU s',
    },
    {
      metric: 'load generator CPU (this process)',
      value: Number(m.selfSeconds.toFixed(1)),
      unit: 's',
    },
    {
      metric: `machine busy during load (${s.cores} cores)`,
      value: Number(((m.machineBusy / Math.max(1e-9, m.machineTotal)) * 100).toFixed(0)),
      unit: '%',
    },
    {
      metric: 'other processes during load (not stack or generator)',
      value: Number(m.othersCores.toFixed(2)),
      unit: 'cores',
    },
    { metric: 'stack stop (SIGINT → exit)', value: Math.round(m.stop.ms), unit: 'ms' },
    {
      metric: 'stack exit code after SIGINT',
      value: m.stop.code ?? 'killed',
      target: '0',
      pass: m.stop.code === 0,
    },
  ];
}
