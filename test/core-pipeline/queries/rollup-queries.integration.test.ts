/**
 * The rollup answers against the raw-event reference: a simulated audience (the scale
 * benchmark's, scripted by local/sim) is written through the real DuckDbStore, whose engine fills
 * the rollups; over a window that covers every event, each number read from the rollups must
 * equal the one the raw-event queries compute from the same rows (percentiles within the
 * sketch's 1 %).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Audience } from '../../../bench/dashboard-scale/audience.js';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { qoeSummary, rankSlices } from '../../../core-pipeline/queries/rollup-answers.js';
import {
  AGGREGATE_SUMS,
  type QoeAggregate,
  ROLLUP_DIMENSIONS,
} from '../../../core-pipeline/rollups/aggregate.js';
import type {
  AggregateByResult,
  EventQueries,
  QoeSummary,
} from '../../../core-pipeline/queries/types.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { createRng } from '../../../local/sim/random.js';
import { DEMO_EVENT_TYPES, EVENT_TYPES } from '../../../schemas/index.js';

const MIN = 60_000;
/** A minute boundary; the audience plays for 20 minutes from here. */
const START = Date.UTC(2026, 10, 28, 12, 0);
const END = START + 20 * MIN;
const everything = { from: new Date(START - 10 * MIN), to: new Date(END + 10 * MIN) };

let store: DuckDbStore;
let raw: EventQueries;
const rollups = () => createDuckDbRollupQueries(store);
let reference: QoeSummary;
let written = 0;

beforeAll(async () => {
  store = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
  raw = createDuckDbQueries(store);
  // 40 sessions a minute, written a 10-second step at a time as a consumer would.
  const audience = new Audience(createRng(7), 40, START);
  let previous: Awaited<ReturnType<Audience['advance']>> | null = null;
  for (let t = START + 10_000; t <= END; t += 10_000) {
    const rows = audience.advance(t);
    await store.writeBatch({ ...rows, checkpoints: [] });
    written += rows.events.length;
    // One step is delivered twice (a retried batch): stored once, counted once.
    if (t === START + 5 * MIN && previous)
      await store.writeBatch({ ...previous, badRows: [], checkpoints: [] });
    previous = rows;
  }
  await store.maintainRollups(END + 10 * MIN);
  reference = await raw.qoe({ since: new Date(0) });
}, 120_000);
afterAll(async () => {
  await store.close();
});

const within1pct = (a: number | null, b: number | null) => {
  expect(a === null, `${a} vs ${b}`).toBe(b === null);
  if (a !== null && b !== null) expect(Math.abs(a - b)).toBeLessThanOrEqual(0.01 * b);
};

describe('rollup answers equal the raw-event reference over a window covering every event', () => {
  it('has a realistic audience to compare', () => {
    expect(written).toBeGreaterThan(10_000);
    expect(reference.plays).toBeGreaterThan(500);
    expect(reference.startFailures + reference.exitsBeforeStart).toBeGreaterThan(5);
    expect(reference.stalls.stallCount).toBeGreaterThan(50);
  });

  it('qoe: counts, outcomes, stalls and bitrate equal; startup percentiles within 1 %', async () => {
    const r = await rollups().aggregateBy({ ...everything, dimension: null });
    const s = qoeSummary(r.total, null);
    expect({
      sessions: s.sessions,
      plays: s.plays,
      startFailures: s.startFailures,
      playbackFailures: s.playbackFailures,
      exitsBeforeStart: s.exitsBeforeStart,
      nonFatalErrors: s.nonFatalErrors,
      startups: s.startup.sessions,
      stallCount: s.stalls.stallCount,
      stallMs: s.stalls.stallMs,
    }).toStrictEqual({
      sessions: reference.sessions,
      plays: reference.plays,
      startFailures: reference.startFailures,
      playbackFailures: reference.playbackFailures,
      exitsBeforeStart: reference.exitsBeforeStart,
      nonFatalErrors: reference.nonFatalErrors,
      startups: reference.startup.sessions,
      stallCount: reference.stalls.stallCount,
      stallMs: reference.stalls.stallMs,
    });
    // Played time has fractions of a millisecond: sums in a different order differ in the last bit.
    expect(s.stalls.playedMs / reference.stalls.playedMs).toBeCloseTo(1, 12);
    expect(s.stalls.stalledPct).toBeCloseTo(reference.stalls.stalledPct ?? Number.NaN, 9);
    expect(s.bitrate.averageBps).toBeCloseTo(reference.bitrate.averageBps ?? Number.NaN, 3);
    within1pct(s.startup.p50Ms, reference.startup.p50Ms);
    within1pct(s.startup.p90Ms, reference.startup.p90Ms);
    within1pct(s.startup.p95Ms, reference.startup.p95Ms);
  });

  it.each(['pop', 'country', 'asn', 'device'] as const)(
    'breakdown by %s: every slice has the raw sessions, plays and outcomes',
    async (dimension) => {
      const r = await rollups().aggregateBy({ ...everything, dimension });
      const rows = rankSlices(r.slices, r.total, 100);
      const rawRows = await raw.breakdown({ dimension, since: new Date(0), limit: 100 });
      const pick = (x: {
        value: string;
        sessions: number;
        plays: number;
        startFailures: number;
        exitsBeforeStart: number;
      }) => [x.value, x.sessions, x.plays, x.startFailures, x.exitsBeforeStart];
      const byValue = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect(rows.map(pick).sort(byValue)).toStrictEqual(rawRows.map(pick).sort(byValue));
      for (const row of rows) {
        const ref = rawRows.find((x) => x.value === row.value);
        within1pct(row.startupP95Ms, ref?.startupP95Ms ?? null);
        expect(row.stalledPct ?? 0).toBeCloseTo(ref?.stalledPct ?? 0, 9);
      }
    },
  );

  it('aggregateByEach answers every dimension as aggregateBy does, in one read', async () => {
    const q = rollups();
    const each = await q.aggregateByEach?.({ ...everything, dimensions: ROLLUP_DIMENSIONS });
    expect(each).toHaveLength(ROLLUP_DIMENSIONS.length);
    // Sums may differ in the last bit (another summation order); sketches must be equal.
    const shape = (agg: QoeAggregate) => ({
      sums: AGGREGATE_SUMS.map((f) => Number(agg[f].toPrecision(12))),
      sketch: [...agg.startupSketch].sort((a, b) => a[0] - b[0]),
    });
    const view = (r: AggregateByResult) => ({
      window: [r.fromMs, r.toMs],
      total: shape(r.total),
      slices: [...r.slices]
        .sort((a, b) => a.value.localeCompare(b.value))
        .map((x) => [x.value, shape(x.agg)]),
    });
    for (const [i, dimension] of ROLLUP_DIMENSIONS.entries()) {
      const one = await q.aggregateBy({ ...everything, dimension });
      expect(one.slices.length).toBeGreaterThan(0);
      expect(view(each?.[i] ?? one)).toStrictEqual(view(one));
    }
  });

  it('type counts: totals per type and per-minute series equal the raw counts', async () => {
    const byType = await rollups().typeTotals(everything);
    const rawCounts = await raw.countsSince(new Date(0));
    expect(byType).toStrictEqual(rawCounts);
    expect(Object.values(byType).reduce((a, b) => a + b, 0)).toBe(written);
    const input = { types: [...DEMO_EVENT_TYPES], ...everything, bucketSeconds: 120 };
    expect(await rollups().typeSeries(input)).toStrictEqual(await raw.timeseries(input));
    expect(EVENT_TYPES.length).toBe(Object.keys(byType).length);
  });
});
