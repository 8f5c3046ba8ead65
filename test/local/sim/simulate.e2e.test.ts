/**
 * `beacons simulate` against the whole local stack (edge emulator → kinesalite → consumer →
 * DuckDB → API): the events the ground truth counts as acknowledged are the events stored, and
 * per slice and per minute the store holds the sessions and events the truth says, including the
 * slice a fault added. The product's promise, checked with the simulator's own bookkeeping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { type DevStack, startDev } from '../../../local/dev.js';
import { parseFault } from '../../../local/sim/faults.js';
import { runSimulation, type SimulationSummary } from '../../../local/sim/simulation.js';
import { type GroundTruthJson, truthAggregate, truthJson } from '../../../local/sim/truth-file.js';
import { eventually } from '../../helpers/stack-checks.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-sim-'));
const faults = [parseFault('pop=MAD50-C2:stall-rate=5x'), parseFault('asn=64500:failure=20%')];
let dev: DevStack | undefined;
let sim: SimulationSummary;
let truth: GroundTruthJson;
let stored: number;

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50 });
  const since = new Date(Date.now() - 60_000).toISOString();
  sim = await runSimulation({
    url: dev.url,
    viewers: 300,
    durationSeconds: 20,
    seed: 10,
    faults,
    truth: true,
  });
  truth = truthJson(
    sim.truth!,
    { startedAt: sim.startedAt, endedAt: sim.startedAt + 20_000 },
    faults,
  );
  const total = async () => {
    const res = await fetch(`${dev!.url}/api/v1/counts?since=${encodeURIComponent(since)}`);
    const counts = (await res.json()) as Record<string, number>;
    return Object.values(counts).reduce((s, n) => s + n, 0);
  };
  stored = await eventually(
    'the stored count to reach the acknowledged count',
    async () => {
      const n = await total();
      return n >= truth.eventsAcknowledged ? n : undefined;
    },
    90_000,
    250,
  );
  await dev.stop();
  dev = undefined;
}, 240_000);

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('beacons simulate on the local stack', () => {
  it('has every acknowledged event stored, and nothing else', () => {
    expect(sim.eventsAccepted).toBeGreaterThan(1_000);
    expect(sim.batchesFailed + sim.batchesRefused).toBe(0);
    expect(truth.eventsAcknowledged).toBe(sim.eventsAccepted);
    expect(stored).toBe(truth.eventsAcknowledged);
  });

  it('holds per slice the sessions, plays-worth of events and minutes the truth says', async () => {
    const store = await DuckDbStore.open(path.join(dataDir, 'beacons.duckdb'));
    try {
      const dims = [
        'pop',
        'country',
        'country_region',
        'asn',
        'serving_region',
        'device',
        'player_name',
        'content_id',
        'sdk_version',
        'schema_version',
      ] as const;
      for (const dim of dims) {
        const rows = await store.query(
          `SELECT ${dim} AS v, count(DISTINCT session_id)::INT AS sessions, count(*)::INT AS events FROM events GROUP BY 1`,
        );
        const got = Object.fromEntries(
          rows.map((r) => [r.v, { sessions: r.sessions, events: r.events }]),
        );
        const want = Object.fromEntries(
          Object.keys(truth.slices[dim] ?? {}).map((v) => {
            const a = truthAggregate(truth, dim, v);
            return [v, { sessions: a.sessions, events: a.events }];
          }),
        );
        expect(got, dim).toStrictEqual(want);
      }
      expect(truthAggregate(truth, 'pop', 'MAD').sessions).toBeGreaterThan(5);
      expect(truthAggregate(truth, 'asn', '64500').sessions).toBeGreaterThan(5);
      // Minutes by the client clock the truth uses (`time` adds each batch's network delay).
      const minutes = await store.query(
        "SELECT strftime(date_trunc('minute', make_timestamp(ts * 1000)), '%Y-%m-%dT%H:%M:00.000Z') AS m, count(*)::INT AS n FROM events GROUP BY 1",
      );
      expect(Object.fromEntries(minutes.map((r) => [r.m, r.n]))).toStrictEqual(
        Object.fromEntries(
          Object.entries(truth.overall.minutes).map(([m, x]) => [m, x.aggregate.events]),
        ),
      );
      // Startup times as stored are the truth's, session for session.
      const [s] = await store.query(
        "SELECT count(*)::INT AS n, sum(startup_ms)::DOUBLE AS total FROM events WHERE type = 'first_frame'",
      );
      const all = truthAggregate(truth);
      expect({ n: s.n, total: s.total }).toStrictEqual({
        n: all.startups,
        total: all.startupMsSum,
      });
    } finally {
      await store.close();
    }
  });
});
