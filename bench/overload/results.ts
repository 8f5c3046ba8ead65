/**
 * The overload benchmark's rows and targets: nothing acknowledged is lost, no 5xx but the
 * documented shed (503 overloaded, always with Retry-After), every request answered, memory
 * within the stack's budget, and service back by itself once the load drops.
 */
import { percentile, type BenchRow } from '../report.js';
import type { PhaseResult } from './phases.js';

/** Everything the rows are made of. */
export interface OverloadFigures {
  offer: { eventsPerSecond: number; seconds: number; concurrency: number; burst: number };
  capacityEps: number;
  phases: PhaseResult[];
  /** /api/v1/health's status right after the sustained overload. */
  healthDuring: string;
  acked: number;
  found: number;
  idleRss: number;
  rss: number[];
  peakHwm: number;
  firstAcceptMs: number;
  healthOkMs: number;
  drainMs: number;
  stopCode: number | null;
}

/** The stack's memory budget (bytes, 10^6 per MB), as in e2e-load. */
const MEMORY_TARGET = 500e6;
/** Recovery budget after the load stops: the health window (10 s) plus a margin. */
const RECOVERY_TARGET_MS = 15_000;

const mb = (b: number) => Number((b / 1e6).toFixed(0));

/** The benchmark's rows. */
export function overloadRows(f: OverloadFigures): BenchRow[] {
  const rows: BenchRow[] = [
    {
      metric: `offered load (${(f.offer.eventsPerSecond / f.capacityEps).toFixed(1)}× the ~${f.capacityEps.toLocaleString('en-US')} events/s e2e-load capacity), ${f.offer.concurrency} connections`,
      value: f.offer.eventsPerSecond,
      unit: `events/s for ${f.offer.seconds} s`,
    },
  ];
  for (const p of f.phases) {
    const acceptedEps = p.acked / (p.elapsedMs / 1000);
    rows.push(
      { metric: `${p.name}: requests sent`, value: p.requests },
      {
        metric: `${p.name}: shed share (503 overloaded / requests)`,
        value: p.requests > 0 ? p.shed / p.requests : 0,
      },
      {
        metric: `${p.name}: shed answers with Retry-After`,
        value: p.shed > 0 ? p.shedWithRetryAfter / p.shed : 1,
        target: '= 1',
        pass: p.shedWithRetryAfter === p.shed,
      },
      {
        metric: `${p.name}: other 5xx answers`,
        value: p.otherServerErrors,
        target: '= 0',
        pass: p.otherServerErrors === 0,
      },
      {
        metric: `${p.name}: requests without an answer`,
        value: p.noAnswer,
        target: '= 0',
        pass: p.noAnswer === 0,
      },
      { metric: `${p.name}: answers`, value: JSON.stringify(p.answers) },
      { metric: `${p.name}: events acknowledged`, value: p.acked },
      {
        metric: `${p.name}: acknowledged events/s over the phase`,
        value: Math.round(acceptedEps),
        unit: 'events/s',
      },
      {
        metric: `${p.name}: admitted answer p50 / p95`,
        value: `${percentile(p.admittedMs, 50).toFixed(0)} / ${percentile(p.admittedMs, 95).toFixed(0)}`,
        unit: 'ms',
      },
      {
        metric: `${p.name}: shed answer p50 / p95`,
        value: `${percentile(p.shedMs, 50).toFixed(0)} / ${percentile(p.shedMs, 95).toFixed(0)}`,
        unit: 'ms',
      },
    );
  }
  const lost = f.acked - f.found;
  rows.push(
    { metric: 'health right after the sustained overload', value: f.healthDuring },
    { metric: 'events acknowledged (all phases and probes)', value: f.acked },
    { metric: 'acknowledged events found in the store', value: f.found },
    { metric: 'lost (acknowledged, not stored)', value: lost, target: '= 0', pass: lost === 0 },
    { metric: 'stack RSS idle', value: mb(f.idleRss), unit: 'MB' },
    { metric: 'stack RSS max of 200 ms samples', value: mb(Math.max(...f.rss)), unit: 'MB' },
    {
      metric: 'stack peak memory (VmHWM)',
      value: mb(f.peakHwm),
      unit: 'MB',
      target: `≤ ${mb(MEMORY_TARGET)}`,
      pass: f.peakHwm <= MEMORY_TARGET,
    },
    {
      metric: 'recovery: first 204 after the load stopped',
      value: Math.round(f.firstAcceptMs),
      unit: 'ms',
      target: `≤ ${RECOVERY_TARGET_MS.toLocaleString('en-US')}`,
      pass: f.firstAcceptMs <= RECOVERY_TARGET_MS,
    },
    {
      metric: 'recovery: /api/v1/health ok after the load stopped',
      value: Math.round(f.healthOkMs),
      unit: 'ms',
      target: `≤ ${RECOVERY_TARGET_MS.toLocaleString('en-US')}`,
      pass: f.healthOkMs <= RECOVERY_TARGET_MS,
    },
    {
      metric: 'every acknowledged event stored, after the load stopped',
      value: Math.round(f.drainMs),
      unit: 'ms',
    },
    {
      metric: 'stack exit code after SIGINT',
      value: String(f.stopCode),
      target: '0',
      pass: f.stopCode === 0,
    },
  );
  return rows;
}
