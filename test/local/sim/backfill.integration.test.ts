/**
 * The backfill writes through the real core pipeline (edge record → recordToRows → DuckDB): the
 * store then holds exactly the events and sessions the ground truth counts, slice by slice and
 * minute by minute, inside the window asked for.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { backfill } from '../../../local/sim/backfill.js';
import { backfillCommand } from '../../../local/sim/backfill-command.js';
import { lockDataDir } from '../../../local/data-dir-lock.js';
import { UsageError } from '../../../local/errors.js';
import { parseFault } from '../../../local/sim/faults.js';
import { TruthRecorder } from '../../../local/sim/truth.js';
import { truthAggregate, truthJson } from '../../../local/sim/truth-file.js';

const NOW = Date.UTC(2026, 2, 14, 13, 0, 0);
const HOUR = 3_600_000;

describe('backfill', () => {
  let store: DuckDbStore;
  let truth: ReturnType<typeof truthJson>;
  let summary: Awaited<ReturnType<typeof backfill>>;
  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    const rec = new TruthRecorder();
    const faults = [parseFault('pop=MAD50-C2:stall-rate=5x')];
    summary = await backfill({
      sink: store,
      events: 20_000,
      sinceMs: HOUR,
      nowMs: NOW,
      seed: 4,
      faults,
      truth: rec,
      rowsPerWrite: 3_000,
    });
    truth = truthJson(rec, { startedAt: NOW - HOUR, endedAt: NOW }, faults);
  }, 120_000);
  afterAll(() => store?.close());

  it('writes exactly N events inside the window, as many as the truth counts', async () => {
    const [row] = await store.query(
      'SELECT count(*)::INT AS n, count(DISTINCT event_id)::INT AS ids, min(epoch_ms(time))::BIGINT AS first, max(epoch_ms(time))::BIGINT AS last FROM events',
    );
    expect(summary.events).toBe(20_000);
    expect(summary.invalidEvents).toBe(0);
    expect(row.n).toBe(20_000);
    expect(row.ids).toBe(20_000);
    expect(truth.eventsAcknowledged).toBe(20_000);
    expect(Number(row.first)).toBeGreaterThanOrEqual(NOW - HOUR);
    expect(Number(row.last)).toBeLessThanOrEqual(NOW);
  });

  it('holds per slice the sessions and events the truth counts, including the added POP', async () => {
    for (const dim of [
      'pop',
      'country',
      'asn',
      'serving_region',
      'device',
      'content_id',
    ] as const) {
      const rows = await store.query(
        `SELECT ${dim} AS v, count(DISTINCT session_id)::INT AS sessions, count(*)::INT AS events FROM events GROUP BY 1`,
      );
      const stored = Object.fromEntries(
        rows.map((r) => [r.v, { sessions: r.sessions, events: r.events }]),
      );
      const expected = Object.fromEntries(
        Object.keys(truth.slices[dim] ?? {}).map((v) => {
          const a = truthAggregate(truth, dim, v);
          return [v, { sessions: a.sessions, events: a.events }];
        }),
      );
      expect(stored, dim).toStrictEqual(expected);
    }
    expect(truthAggregate(truth, 'pop', 'MAD').sessions).toBeGreaterThan(10);
  });

  it('puts each event in the minute the truth does', async () => {
    const rows = await store.query(
      "SELECT strftime(date_trunc('minute', time), '%Y-%m-%dT%H:%M:00.000Z') AS m, count(*)::INT AS n FROM events GROUP BY 1",
    );
    const stored = Object.fromEntries(rows.map((r) => [r.m, r.n]));
    const expected = Object.fromEntries(
      Object.entries(truth.overall.minutes).map(([m, x]) => [m, x.aggregate.events]),
    );
    expect(stored).toStrictEqual(expected);
  });

  it('refuses a data directory that beacons dev holds', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'backfill-'));
    const unlock = await lockDataDir(dir);
    try {
      await expect(
        backfillCommand({ events: 10, sinceMs: HOUR, dataDir: dir, faults: [] }),
      ).rejects.toThrow(UsageError);
      await expect(
        backfillCommand({ events: 10, sinceMs: HOUR, dataDir: dir, faults: [] }),
      ).rejects.toThrow(/stop beacons dev first/);
    } finally {
      await unlock();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
