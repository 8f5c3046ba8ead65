/**
 * The rollup reads on a real in-memory DuckDB store whose rollup tables are filled by hand with
 * delta rows (as the engine appends them), so every sum can be checked by hand: deltas of one key
 * add up (negative ones retract), windows are whole minutes, slices and buckets are complete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../../../core-pipeline/errors.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { sketchBucket } from '../../../core-pipeline/rollups/aggregate.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import {
  addStartup,
  addSums,
  addTypeCount,
  slice,
  type SketchArgs,
  type SumsArgs,
  type TypeCountArgs,
} from '../../helpers/rollup-rows.js';

const MIN = 60_000;
/** A minute boundary (2026-11-28T12:00Z). */
const T = Date.UTC(2026, 10, 28, 12, 0, 0);

const FRA = slice({ pop: 'FRA56-C1', country: 'DE', serving_region: 'eu-central-1' });
const MUC = slice({ pop: 'MUC50-C1', country: 'DE', serving_region: 'eu-central-1' });
const IAD = slice({ pop: 'IAD89-C1', country: 'US', serving_region: 'us-east-1' });
const NOWHERE = slice({});

let store: DuckDbStore;
const q = () => createDuckDbRollupQueries(store);
const sums = (...a: SumsArgs) => addSums(store, ...a);
const sketch = (...a: SketchArgs) => addStartup(store, ...a);
const typeCount = (...a: TypeCountArgs) => addTypeCount(store, ...a);

beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
  // Minute 0: FRA in two deltas, the second retracting a start failure it turned into a play.
  await sums(T, FRA, { events: 10, sessions: 2, plays: 2, startFailures: 1, playedMs: 30_000 });
  await sums(T, FRA, { events: 3, startFailures: -1, startups: 1, stallMs: 1_000, stallCount: 1 });
  await sketch(T, FRA, 500);
  await sketch(T, FRA, 900);
  await sketch(T, FRA, 900, -1); // a retracted startup
  await sums(T, IAD, { events: 4, sessions: 1, plays: 1, exitsBeforeStart: 1 });
  await sums(T, NOWHERE, { events: 1, sessions: 1 });
  // Minute 1: MUC; minute 2 has nothing; minute 3: FRA again.
  await sums(T + MIN, MUC, { events: 5, sessions: 1, plays: 1, startups: 1, switches: 2 });
  await sketch(T + MIN, MUC, 2_000);
  await sums(T + 3 * MIN, FRA, { events: 2, playedMs: 10_000, seeks: 1, seekMsSum: 300 });
  // Before and after the windows the tests read.
  await sums(T - MIN, FRA, { events: 100, sessions: 100 });
  await sums(T + 10 * MIN, FRA, { events: 100, sessions: 100 });
  await typeCount(T, 'started', 2);
  await typeCount(T, 'started', 1);
  await typeCount(T, 'paused', 4);
  await typeCount(T + 3 * MIN, 'started', 5);
  await typeCount(T + 10 * MIN, 'started', 100);
});
afterAll(async () => {
  await store.close();
});

describe('aggregateBy', () => {
  it('sums every delta of a key and returns one aggregate per value, the total their sum', async () => {
    const r = await q().aggregateBy({
      from: new Date(T),
      to: new Date(T + 4 * MIN),
      dimension: 'pop',
    });
    expect([r.fromMs, r.toMs]).toStrictEqual([T, T + 4 * MIN]);
    const byPop = Object.fromEntries(r.slices.map((s) => [s.value, s.agg]));
    expect(Object.keys(byPop).sort()).toStrictEqual(['', 'FRA56-C1', 'IAD89-C1', 'MUC50-C1']);
    expect(byPop['FRA56-C1']).toMatchObject({
      events: 15, // 10 + 3 + 2 (minute 3)
      sessions: 2,
      plays: 2,
      startFailures: 0, // 1 − 1
      startups: 1,
      playedMs: 40_000,
      stallMs: 1_000,
      seeks: 1,
      seekMsSum: 300,
    });
    // 900 ms was added and retracted: only 500 ms is left.
    expect([...byPop['FRA56-C1'].startupSketch]).toStrictEqual([[sketchBucket(500), 1]]);
    expect(r.total).toMatchObject({ events: 25, sessions: 5, plays: 4, exitsBeforeStart: 1 });
    expect(r.total.startupSketch.get(sketchBucket(2_000))).toBe(1);
  });

  it('rounds the window out to whole minutes and applies the filters', async () => {
    // 12:00:30 → 12:01:10 reads minutes 12:00 and 12:01.
    const r = await q().aggregateBy({
      from: new Date(T + 30_000),
      to: new Date(T + MIN + 10_000),
      dimension: null,
      filters: { country: 'DE' },
    });
    expect([r.fromMs, r.toMs]).toStrictEqual([T, T + 2 * MIN]);
    expect(r.slices).toStrictEqual([]);
    expect(r.total).toMatchObject({ events: 18, sessions: 3, plays: 3, switches: 2 });
    const none = await q().aggregateBy({
      from: new Date(T),
      to: new Date(T + 4 * MIN),
      dimension: 'pop',
      filters: { country: "DE' OR 1=1 --" },
    });
    expect(none.slices).toStrictEqual([]);
    expect(none.total.events).toBe(0);
    const missing = await q().aggregateBy({
      from: new Date(T),
      to: new Date(T + MIN),
      dimension: null,
      filters: { pop: '' },
    });
    expect(missing.total.events).toBe(1);
  });

  it.each([
    ['an unknown dimension', { dimension: 'planet' }, 'dimension'],
    ['a dimension that is SQL', { dimension: 'pop" FROM x --' }, 'dimension'],
    ['an unknown filter', { filters: { edge_region: 'x' } }, 'dimension'],
    ['a filter that is not text', { filters: { pop: 7 } }, 'pop'],
    ['an invalid from', { from: new Date(Number.NaN) }, 'from'],
    ['to before from', { to: new Date(T - MIN) }, 'to'],
    ['a span over 32 days', { from: new Date(T - 40 * 86_400_000) }, 'from'],
  ])('rejects %s with InvalidQueryError', async (_, bad, field) => {
    const input = { from: new Date(T), to: new Date(T + MIN), dimension: null, ...bad };
    const err = await q()
      .aggregateBy(input as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidQueryError);
    expect((err as InvalidQueryError).field).toBe(field);
  });
});

describe('aggregateSeries', () => {
  it('gives every bucket of the range, empty where nothing was rolled up', async () => {
    const r = await q().aggregateSeries({
      from: new Date(T),
      to: new Date(T + 4 * MIN),
      bucketSeconds: 60,
      filters: { pop: 'FRA56-C1' },
    });
    expect(r.bucketSeconds).toBe(60);
    expect(r.points.map((p) => [p.t - T, p.agg.events])).toStrictEqual([
      [0, 13],
      [MIN, 0],
      [2 * MIN, 0],
      [3 * MIN, 2],
    ]);
    expect(r.points[0].agg.startupSketch.size).toBe(1);
  });

  it('aligns wider buckets to multiples of their width since the epoch', async () => {
    const r = await q().aggregateSeries({
      from: new Date(T + MIN),
      to: new Date(T + 4 * MIN),
      bucketSeconds: 120,
    });
    // 12:00 is a multiple of 2 min: buckets 12:00 (minutes 0 and 1) and 12:02 (2 and 3).
    expect(r.points.map((p) => [p.t - T, p.agg.events])).toStrictEqual([
      [0, 23],
      [2 * MIN, 2],
    ]);
    expect(r.points[0].agg.startups).toBe(2);
  });

  it.each([[90], [30], [0], [1.5]])('rejects bucketSeconds=%s', async (bucketSeconds) => {
    const err = await q()
      .aggregateSeries({ from: new Date(T), to: new Date(T + MIN), bucketSeconds })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidQueryError);
    expect((err as InvalidQueryError).field).toBe('bucketSeconds');
  });
});

describe('type counts', () => {
  it('typeSeries sums per type and bucket, zero-filled', async () => {
    const r = await q().typeSeries({
      types: ['started', 'paused'],
      from: new Date(T),
      to: new Date(T + 4 * MIN),
      bucketSeconds: 120,
    });
    expect(r.series).toStrictEqual({
      started: [
        [T, 3],
        [T + 2 * MIN, 5],
      ],
      paused: [
        [T, 4],
        [T + 2 * MIN, 0],
      ],
    });
  });

  it('typeTotals gives every event type over the whole-minute window', async () => {
    const r = await q().typeTotals({ from: new Date(T + 1), to: new Date(T + 3 * MIN + 1) });
    expect(r.started).toBe(8);
    expect(r.paused).toBe(4);
    expect(r.heartbeat).toBe(0);
  });

  it('rejects unknown event types and buckets that are not whole minutes', async () => {
    const bad = [
      q().typeSeries({
        types: ['nope' as never],
        from: new Date(T),
        to: new Date(T + MIN),
        bucketSeconds: 60,
      }),
      q().typeSeries({
        types: ['started'],
        from: new Date(T),
        to: new Date(T + MIN),
        bucketSeconds: 10,
      }),
    ];
    for (const p of bad) await expect(p).rejects.toBeInstanceOf(InvalidQueryError);
  });
});
