import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { AGGREGATE_SUMS, type QoeAggregate } from '../../../core-pipeline/rollups/aggregate.js';
import type { RollupDelta } from '../../../core-pipeline/rollups/deltas.js';
import { RollupEngine } from '../../../core-pipeline/rollups/engine.js';
import type { EventRow } from '../../../core-pipeline/rows.js';
import {
  ORDER_FREE_SUMS,
  perKey,
  reference,
  SESSION_FIELDS,
  sessionsArb,
  total,
} from '../../helpers/rollup-events.js';

/** The store's part: only events not stored before reach the engine. */
function applyAsStore(batches: readonly EventRow[][]): RollupDelta[] {
  const engine = new RollupEngine();
  const stored = new Set<string>();
  const out: RollupDelta[] = [];
  for (const batch of batches) {
    const fresh = batch.filter((e) => !stored.has(e.event_id) && stored.add(e.event_id));
    const applied = engine.apply(fresh);
    applied.commit();
    out.push(...applied.rollups);
  }
  return out;
}

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function expectSums(actual: QoeAggregate, expected: QoeAggregate, fields: readonly string[]): void {
  for (const f of fields) {
    const a = actual[f as keyof QoeAggregate] as number;
    const e = expected[f as keyof QoeAggregate] as number;
    if (!close(a, e)) expect({ field: f, value: a }).toStrictEqual({ field: f, value: e });
  }
}

/** Batches: each event in one random batch, some duplicated into another, batches shuffled. */
const shuffledBatches = sessionsArb().chain((events) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 3 }), {
        minLength: events.length,
        maxLength: events.length,
      }),
      fc.array(fc.option(fc.integer({ min: 0, max: 3 })), {
        minLength: events.length,
        maxLength: events.length,
      }),
    )
    .chain(([home, dup]) => {
      const batches: EventRow[][] = [[], [], [], []];
      events.forEach((e, i) => {
        batches[home[i]].push(e);
        const d = dup[i];
        if (d !== null) batches[d].push({ ...e });
      });
      return fc
        .shuffledSubarray(batches, { minLength: 4, maxLength: 4 })
        .map((order) => ({ events, order }));
    }),
);

describe('RollupEngine properties', () => {
  test.prop([shuffledBatches], { numRuns: 300 })(
    'any partition, order and duplication gives the totals of applying everything at once',
    ({ events, order }) => {
      const split = total(applyAsStore(order));
      const once = total(applyAsStore([events]));
      expectSums(split, once, ORDER_FREE_SUMS);
      expect(split.startupSketch).toStrictEqual(once.startupSketch);
    },
  );

  test.prop([shuffledBatches], { numRuns: 300 })(
    'session-level sums per minute and slice equal the reference from the full event set',
    ({ events, order }) => {
      const got = perKey(applyAsStore(order));
      const want = reference(events);
      for (const id of new Set([...got.keys(), ...want.keys()])) {
        const g = got.get(id);
        const w = want.get(id);
        for (const f of [
          ...SESSION_FIELDS,
          'events',
          'nonFatalErrors',
          'switches',
          'seeks',
          'seekMsSum',
        ]) {
          const gv = g ? (g[f as keyof QoeAggregate] as number) : 0;
          const wv = w ? (w[f as keyof QoeAggregate] as number) : 0;
          if (gv !== wv) expect({ id, f, gv }).toStrictEqual({ id, f, gv: wv });
        }
      }
      const t = total([...want.values()].map((agg) => ({ minuteMs: 0, key: {} as never, agg })));
      expectSums(total(applyAsStore(order)), t, ORDER_FREE_SUMS);
    },
  );

  test.prop([sessionsArb(), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 6 })], {
    numRuns: 300,
  })(
    'batches in seq order give every sum of the reference, the second moments included',
    (events, cuts) => {
      const sorted = [...events].sort((a, b) => a.seq - b.seq);
      const batches: EventRow[][] = [];
      let start = 0;
      for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
        batches.push(sorted.slice(start, c));
        start = Math.max(start, c);
      }
      batches.push(sorted.slice(start));
      const want = total(
        [...reference(events).values()].map((agg) => ({ minuteMs: 0, key: {} as never, agg })),
      );
      expectSums(total(applyAsStore(batches)), want, AGGREGATE_SUMS);
    },
  );
});
