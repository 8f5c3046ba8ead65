import { describe, expect, it } from 'vitest';
import { sketchBucket } from '../../../core-pipeline/rollups/aggregate.js';
import { RollupEngine } from '../../../core-pipeline/rollups/engine.js';
import type { EventRow } from '../../../core-pipeline/rows.js';
import { T0 } from '../../helpers/records.js';
import { perKey, row, total } from '../../helpers/rollup-events.js';

const MIN = 60_000;

/** Applies each batch and commits it; returns every delta. */
function run(engine: RollupEngine, ...batches: EventRow[][]) {
  const rollups = [];
  const typeCounts = [];
  for (const b of batches) {
    const applied = engine.apply(b);
    applied.commit();
    rollups.push(...applied.rollups);
    typeCounts.push(...applied.typeCounts);
  }
  return { rollups, typeCounts };
}

const ev = (type: string, seq: number, f: Partial<EventRow> = {}): EventRow =>
  row(type, { seq, event_id: `ev_${seq}_${type}`, time: T0 + seq * 1000, ...f });

describe('RollupEngine session-level sums', () => {
  it('counts a session once, a play, its startup in the sketch, at the first minute and lowest-seq slice', () => {
    const { rollups } = run(
      new RollupEngine(),
      [ev('requested', 1, { pop: 'MAD50-C2', time: T0 + 61_000 })],
      [
        ev('started', 0, { pop: 'FRA56-C1', time: T0 + 5_000 }),
        ev('first_frame', 2, { startup_ms: 800 }),
      ],
    );
    const t = total(rollups);
    expect([t.sessions, t.plays, t.startups, t.startupMsSum]).toStrictEqual([1, 1, 1, 800]);
    expect([...t.startupSketch]).toStrictEqual([[sketchBucket(800), 1]]);
    const anchored = [...perKey(rollups)].filter(([, a]) => a.sessions !== 0);
    expect(anchored.map(([k]) => k)).toStrictEqual([
      `${T0}|eu-central-1|FRA56-C1|DE|HE|3320|desktop|html5|beacon-sdk|1.0.0|1-0-0|content-1|sdk|`,
    ]);
  });

  it('moves a start failure to a playback failure when the earlier first frame arrives late', () => {
    const engine = new RollupEngine();
    const a = run(engine, [ev('requested', 0), ev('error', 3, { fatal: true })]);
    expect(total(a.rollups).startFailures).toBe(1);
    const b = run(engine, [ev('first_frame', 2, { startup_ms: 500 })]);
    const t = total(b.rollups);
    expect([t.startFailures, t.playbackFailures, t.sessions, t.plays]).toStrictEqual([-1, 1, 0, 0]);
  });

  it('counts an exit before start only for an ended play without first frame or fatal error', () => {
    const exit = total(run(new RollupEngine(), [ev('requested', 0), ev('session_end', 1)]).rollups);
    expect(exit.exitsBeforeStart).toBe(1);
    const started = total(
      run(new RollupEngine(), [ev('requested', 0), ev('first_frame', 1), ev('session_end', 2)])
        .rollups,
    );
    expect(started.exitsBeforeStart).toBe(0);
    const notPlayed = total(
      run(new RollupEngine(), [ev('paused', 0), ev('session_end', 1)]).rollups,
    );
    expect([notPlayed.plays, notPlayed.exitsBeforeStart]).toStrictEqual([0, 0]);
  });

  it('retracts from the old anchor when an earlier event moves it', () => {
    const engine = new RollupEngine();
    run(engine, [ev('started', 1, { time: T0 + 2 * MIN })]);
    const late = run(engine, [ev('requested', 0, { time: T0 + 10 })]).rollups;
    const byMinute = new Map(late.map((d) => [d.minuteMs, d.agg.sessions]));
    expect(byMinute.get(T0 + 2 * MIN)).toBe(-1);
    expect(byMinute.get(T0)).toBe(1);
  });
});

describe('RollupEngine time-based sums', () => {
  it('puts counter deltas, bitrate and observations at each heartbeat minute', () => {
    const hb = (seq: number, minute: number, played: number, stall: number, bitrate: number) =>
      ev('heartbeat', seq, {
        time: T0 + minute * MIN,
        played_ms: played,
        stall_ms: stall,
        stall_count: stall > 0 ? 1 : 0,
        bitrate,
      });
    const { rollups } = run(new RollupEngine(), [
      hb(1, 0, 10_000, 0, 1e6),
      hb(2, 1, 25_000, 2_000, 2e6),
    ]);
    const m1 = rollups.find((d) => d.minuteMs === T0 + MIN)!.agg;
    expect([m1.playedMs, m1.stallMs, m1.stallCount, m1.observations]).toStrictEqual([
      15_000, 2_000, 1, 1,
    ]);
    expect([m1.stallSq, m1.watchSq, m1.stallWatch]).toStrictEqual([
      4e6,
      17_000 ** 2,
      2_000 * 17_000,
    ]);
    expect(m1.bitrateWeighted).toBe(25_000 * 2e6 - 10_000 * 1e6);
    expect(m1.bitratePlayedMs).toBe(15_000);
  });

  it('adds nothing for a counter event older than the latest one', () => {
    const engine = new RollupEngine();
    run(engine, [ev('heartbeat', 5, { played_ms: 20_000, stall_ms: 0, stall_count: 0 })]);
    const t = total(
      run(engine, [ev('heartbeat', 3, { played_ms: 9_000, stall_ms: 0, stall_count: 0 })]).rollups,
    );
    expect([t.events, t.playedMs, t.observations]).toStrictEqual([1, 0, 0]);
  });

  it('counts non-fatal errors, switches, seeks with seek_ms, and events per minute and type', () => {
    const { rollups, typeCounts } = run(new RollupEngine(), [
      ev('error', 0, { fatal: false }),
      ev('error', 1, { fatal: null }),
      ev('error', 2, { fatal: true }),
      ev('bitrate_changed', 3),
      ev('seeked', 4, { seek_ms: 300 }),
      ev('seeked', 5),
    ]);
    const t = total(rollups);
    expect([
      t.events,
      t.nonFatalErrors,
      t.switches,
      t.seeks,
      t.seekMsSum,
      t.seekMsSq,
    ]).toStrictEqual([6, 2, 1, 1, 300, 90_000]);
    expect(typeCounts.map((c) => [c.type, c.n]).sort()).toStrictEqual([
      ['bitrate_changed', 1],
      ['error', 3],
      ['seeked', 2],
    ]);
  });
});

describe('RollupEngine batches', () => {
  it('restores every touched session on rollback, so the retried batch gives the same deltas', () => {
    const engine = new RollupEngine();
    run(engine, [ev('requested', 0)]);
    const before = structuredClone(engine.state('sess_rollup_0001'));
    const batch = [
      ev('first_frame', 1, { startup_ms: 700 }),
      row('started', { session_id: 'other', seq: 0 }),
    ];
    const failed = engine.apply(batch);
    failed.rollback();
    expect(engine.state('sess_rollup_0001')).toStrictEqual(before);
    expect(engine.state('other')).toBeUndefined();
    const again = engine.apply(batch);
    again.commit();
    expect(again.rollups).toStrictEqual(failed.rollups);
  });

  it('restores every touched session when a batch throws half-way, and takes the next batch', () => {
    const engine = new RollupEngine();
    run(engine, [ev('requested', 0)]);
    const before = structuredClone(engine.state('sess_rollup_0001'));
    // A row whose counter cannot be read: the engine throws after touching two sessions.
    const poison = row('heartbeat', { session_id: 'other', seq: 1 });
    Object.defineProperty(poison, 'played_ms', {
      get() {
        throw new Error('unreadable counter');
      },
    });
    const batch = [
      ev('first_frame', 1, { startup_ms: 700 }),
      row('started', { session_id: 'new' }),
      poison,
    ];
    expect(() => engine.apply(batch)).toThrow(/unreadable counter/);
    expect(engine.state('sess_rollup_0001')).toStrictEqual(before);
    expect([engine.state('new'), engine.state('other')]).toStrictEqual([undefined, undefined]);
    const next = engine.apply([ev('first_frame', 1, { startup_ms: 700 })]);
    next.commit();
    expect(total(next.rollups).startups).toBe(1);
  });

  it('forgets the longest-held sessions beyond a count', () => {
    const engine = new RollupEngine();
    run(
      engine,
      ['a', 'b', 'c', 'd'].map((id) => row('started', { session_id: id })),
    );
    expect(engine.evictBeyond(2)).toBe(2);
    expect(['a', 'b', 'c', 'd'].map((id) => engine.state(id) !== undefined)).toStrictEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(engine.evictBeyond(5)).toBe(0);
  });

  it('refuses a second batch while one is open', () => {
    const engine = new RollupEngine();
    engine.apply([ev('requested', 0)]);
    expect(() => engine.apply([ev('started', 1)])).toThrow(/still open/);
  });

  it('asks for stored state only for unknown sessions whose batch starts above seq 0', () => {
    const engine = new RollupEngine();
    run(engine, [row('started', { session_id: 'known', seq: 0 })]);
    const batch = [
      row('heartbeat', { session_id: 'known', seq: 4 }),
      row('heartbeat', { session_id: 'late', seq: 7 }),
      row('started', { session_id: 'new', seq: 0 }),
      row('heartbeat', { session_id: 'new', seq: 1 }),
    ];
    expect(engine.unknownSessions(batch)).toStrictEqual(['late']);
    expect(engine.unknownSessions(batch, true)).toStrictEqual(['late', 'new']);
  });

  it('evicts sessions idle past the horizon', () => {
    const engine = new RollupEngine();
    run(engine, [
      row('started', { session_id: 'old', time: T0 }),
      row('started', { session_id: 'new', time: T0 + 10 * MIN }),
    ]);
    expect(engine.evictIdle(T0 + 15 * MIN, 6 * MIN)).toBe(1);
    expect([engine.state('old'), engine.size]).toStrictEqual([undefined, 1]);
  });
});
