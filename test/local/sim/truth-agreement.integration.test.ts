/**
 * Every QoE number the API answers agrees with the simulator's ground truth within 2 % relative:
 * simulated traffic (with faults, so slices differ) written through the real core pipeline into
 * DuckDB by the simulator's backfill, then `/api/v1/qoe` asked for the whole audience and for every
 * slice of every rollup dimension, and `/api/v1/breakdown` for every dimension. The truth is
 * computed from the scripts by the simulator, independently of the rollup engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { ROLLUP_DIMENSIONS, type QoeMetrics } from '../../../core-pipeline/rollups/aggregate.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import { backfill } from '../../../local/sim/backfill.js';
import { parseFault } from '../../../local/sim/faults.js';
import { TruthRecorder } from '../../../local/sim/truth.js';
import {
  truthJson,
  type GroundTruthJson,
  type SliceTruthJson,
} from '../../../local/sim/truth-file.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 30, 4, 0, 0);
const WINDOW_MS = 15 * MINUTE;
const TOLERANCE = 0.02;

let store: DuckDbStore;
let ctx: ApiContext;
let truth: GroundTruthJson;

beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
  ctx = {
    queries: createDuckDbQueries(store),
    rollups: createDuckDbRollupQueries(store),
    health: () => ({}),
    now: () => NOW,
  };
  const recorder = new TruthRecorder();
  const faults = ['pop=MAD50-C2:stall-rate=5x', 'country=BR:startup=+2s', 'asn=3320:failure=10%'];
  await backfill({
    sink: store,
    events: 60_000,
    sinceMs: WINDOW_MS,
    nowMs: NOW,
    seed: 7,
    faults: faults.map(parseFault),
    truth: recorder,
  });
  truth = truthJson(recorder, { startedAt: NOW - WINDOW_MS, endedAt: NOW }, []);
}, 300_000);

afterAll(() => store?.close());

/** The window the truth covers, with room for sessions cut at its end. */
const WINDOW = `from=${new Date(NOW - WINDOW_MS - 10 * MINUTE).toISOString()}&to=${new Date(NOW + 10 * MINUTE).toISOString()}`;

async function qoe(filter = ''): Promise<{ plays: number; metrics: QoeMetrics; sessions: number }> {
  const r = await handleApi('GET', '/qoe', new URLSearchParams(`${WINDOW}${filter}`), ctx);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { plays: number; metrics: QoeMetrics; sessions: number };
}

/** Measures compared with the truth: every rate, mean and percentile of qoeMetrics. */
const COMPARED = [
  'plays',
  'videoStartFailureRate',
  'playbackFailureRate',
  'exitBeforeStartRate',
  'startupMeanMs',
  'rebufferRatio',
  'rebufferFrequencyPerMin',
  'averageBitrateBps',
  'switchesPerHour',
  'seekLatencyMeanMs',
  'watchMs',
] as const satisfies readonly (keyof QoeMetrics)[];

/** Every way `answer` differs from `expected` by more than TOLERANCE, as readable lines. */
function differences(where: string, answer: QoeMetrics, expected: SliceTruthJson): string[] {
  const out: string[] = [];
  const check = (name: string, got: number | null, want: number | null) => {
    if (want === null || got === null) {
      if (want !== got) out.push(`${where} ${name}: ${got} vs truth ${want}`);
      return;
    }
    const rel = want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
    if (rel > TOLERANCE) out.push(`${where} ${name}: ${got} vs truth ${want}`);
  };
  for (const k of COMPARED)
    check(k, answer[k] as number | null, expected.metrics[k] as number | null);
  // Percentiles: the API reads a 1 % sketch; the truth keeps every startup time.
  check('startupP50Ms', answer.startupP50Ms, expected.startup.p50);
  check('startupP90Ms', answer.startupP90Ms, expected.startup.p90);
  check('startupP95Ms', answer.startupP95Ms, expected.startup.p95);
  return out;
}

describe('QoE answers against the simulator ground truth', () => {
  it('agree for the whole audience', async () => {
    const a = await qoe();
    expect(truth.sessions).toBeGreaterThan(1_500);
    expect(a.sessions).toBe(truth.overall.total.sessions);
    expect(differences('overall', a.metrics, truth.overall)).toStrictEqual([]);
  });

  it('agree for every slice of every dimension', async () => {
    const problems: string[] = [];
    let slices = 0;
    for (const d of ROLLUP_DIMENSIONS) {
      for (const [value, t] of Object.entries(truth.slices[d] ?? {})) {
        const a = await qoe(`&${d}=${encodeURIComponent(value === '' ? '(unknown)' : value)}`);
        problems.push(...differences(`${d}=${value}`, a.metrics, t));
        slices += 1;
      }
    }
    expect(slices).toBeGreaterThan(50);
    expect(problems).toStrictEqual([]);
  });

  it('agree in the breakdown rows of every dimension', async () => {
    const problems: string[] = [];
    for (const d of ROLLUP_DIMENSIONS) {
      const r = await handleApi(
        'GET',
        '/breakdown',
        new URLSearchParams(`dimension=${d}&limit=100&${WINDOW}`),
        ctx,
      );
      expect(r.status).toBe(200);
      const rows = (
        r.body as {
          rows: {
            value: string;
            plays: number;
            rebufferRatio: number | null;
            averageBitrateBps: number | null;
          }[];
        }
      ).rows;
      const expected = truth.slices[d] ?? {};
      expect(rows.length).toBe(Math.min(100, Object.keys(expected).length));
      for (const row of rows) {
        const t = expected[row.value === '(unknown)' ? '' : row.value];
        if (!t) {
          problems.push(`${d}=${row.value}: not in the truth`);
          continue;
        }
        if (row.plays !== t.metrics.plays)
          problems.push(`${d}=${row.value} plays ${row.plays} vs ${t.metrics.plays}`);
        for (const [name, got, want] of [
          ['rebufferRatio', row.rebufferRatio, t.metrics.rebufferRatio],
          ['averageBitrateBps', row.averageBitrateBps, t.metrics.averageBitrateBps],
        ] as const) {
          if (want === null || got === null) {
            if (want !== got) problems.push(`${d}=${row.value} ${name} ${got} vs ${want}`);
          } else if (Math.abs(got - want) / Math.abs(want) > TOLERANCE)
            problems.push(`${d}=${row.value} ${name} ${got} vs ${want}`);
        }
      }
    }
    expect(problems).toStrictEqual([]);
  });
});
