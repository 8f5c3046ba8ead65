/**
 * The API's QoE answers from aggregates: the summary keeps the raw answer's fields with their
 * meaning and adds the qoeMetrics measures; the breakdown ranks by excess failed plays plus excess
 * stall time, worked out by hand below.
 */
import { describe, expect, it } from 'vitest';
import { qoeSummary, rankSlices } from '../../../core-pipeline/queries/rollup-answers.js';
import {
  emptyAggregate,
  mergeInto,
  sketchBucket,
  type QoeAggregate,
} from '../../../core-pipeline/rollups/aggregate.js';

function agg(
  v: Partial<Omit<QoeAggregate, 'startupSketch'>>,
  startups: number[] = [],
): QoeAggregate {
  const a = Object.assign(emptyAggregate(), v);
  for (const ms of startups) {
    const b = sketchBucket(ms);
    a.startupSketch.set(b, (a.startupSketch.get(b) ?? 0) + 1);
  }
  a.startups = startups.length;
  a.startupMsSum = startups.reduce((x, y) => x + y, 0);
  return a;
}

describe('qoeSummary', () => {
  const a = agg(
    {
      sessions: 5,
      plays: 4,
      startFailures: 1,
      playbackFailures: 1,
      exitsBeforeStart: 1,
      nonFatalErrors: 2,
      playedMs: 95_000,
      stallMs: 5_000,
      stallCount: 2,
      bitrateWeighted: 2_000_000 * 95_000,
      bitratePlayedMs: 95_000,
      switches: 1,
      seeks: 2,
      seekMsSum: 600,
    },
    [400, 1_000, 3_000, 9_000],
  );

  it('keeps the raw fields and adds the corrected rebuffer ratio and every measure', () => {
    const s = qoeSummary(a, 50_000);
    expect(s).toMatchObject({
      sessions: 5,
      plays: 4,
      startFailures: 1,
      startFailureRate: 0.25,
      exitsBeforeStart: 1,
      exitBeforeStartRate: 0.25,
      playbackFailures: 1,
      errorRate: 0.5,
      nonFatalErrors: 2,
      stalls: {
        stallCount: 2,
        stallMs: 5_000,
        playedMs: 95_000,
        watchMs: 100_000,
        stalledPct: (100 * 5_000) / 95_000,
        rebufferRatio: 0.05,
      },
      bitrate: { averageBps: 2_000_000, method: 'heartbeat_time_weighted' },
    });
    expect(s.metrics).toMatchObject({
      rebufferRatio: 0.05,
      rebufferFrequencyPerMin: 2 / (100_000 / 60_000),
      switchesPerHour: 1 / (100_000 / 3_600_000),
      seekLatencyMeanMs: 300,
      concurrentViewers: 2, // 100 s watched in a 50 s window
    });
    expect(s.startup.sessions).toBe(4);
    // Nearest rank: p50 of four is the 2nd (1000 ms), p95 the 4th (9000 ms), within 1 %.
    expect(s.startup.p50Ms).toBeCloseTo(1_000, -1);
    expect(Math.abs((s.startup.p95Ms ?? 0) / 9_000 - 1)).toBeLessThan(0.01);
  });

  it('puts each startup into its histogram bar and says when there is no bitrate', () => {
    const s = qoeSummary(agg({ plays: 5 }, [100, 499, 600, 2_500, 20_000]), null);
    expect(s.startup.histogram.map((b) => [b.fromMs, b.toMs, b.sessions])).toStrictEqual([
      [0, 500, 2],
      [500, 1000, 1],
      [1000, 2000, 0],
      [2000, 4000, 1],
      [4000, 8000, 0],
      [8000, null, 1],
    ]);
    expect(s.bitrate).toStrictEqual({ averageBps: null, method: 'none' });
    expect(s.metrics.concurrentViewers).toBeNull();
    expect(qoeSummary(emptyAggregate(), 60_000).stalls.rebufferRatio).toBeNull();
  });
});

describe('rankSlices', () => {
  // A: few failures but stalls twice the overall ratio. B: many failures, no stalls. C: no plays.
  // Overall: 12 failed of 200 plays (6 %), stall 100 s of 2000 s watched (5 %), 10 s watched/play.
  const A = agg({
    sessions: 100,
    plays: 100,
    startFailures: 1,
    exitsBeforeStart: 1,
    playedMs: 900_000,
    stallMs: 100_000,
  });
  const B = agg({ sessions: 100, plays: 100, playbackFailures: 10, playedMs: 1_000_000 });
  const C = agg({ sessions: 1 });
  const slices = [
    { value: 'B', agg: B },
    { value: '', agg: C },
    { value: 'A', agg: A },
  ];
  const total = [A, B, C].reduce((t, x) => mergeInto(t, x), emptyAggregate());

  it('ranks by excess failed plays plus excess stall time in plays of watching', () => {
    const rows = rankSlices(slices, total, 10);
    // A: (2 − 100 × 6 %) + (100 s − 1000 s × 5 %) ÷ 10 s = −4 + 5 = 1.
    // B: (10 − 6) + (0 − 50 s) ÷ 10 s = −1. C: 0.
    expect(rows.map((r) => [r.value, r.excessImpact, r.impact, r.failedPlays])).toStrictEqual([
      ['A', 1, 12, 2],
      ['(unknown)', 0, 0, 0],
      ['B', -1, 10, 10],
    ]);
    expect(rows[0]).toMatchObject({
      rebufferRatio: 0.1,
      stalledPct: (100 * 100_000) / 900_000,
      watchMs: 1_000_000,
    });
  });

  it('cuts after ranking every slice, and breaks ties by failed share then sessions', () => {
    expect(rankSlices(slices, total, 1).map((r) => r.value)).toStrictEqual(['A']);
    const x = agg({ sessions: 10, plays: 10 });
    const y = agg({ sessions: 20, plays: 20 });
    const tied = rankSlices(
      [
        { value: 'x', agg: x },
        { value: 'y', agg: y },
      ],
      mergeInto(mergeInto(emptyAggregate(), x), y),
      5,
    );
    expect(tied.map((r) => r.value)).toStrictEqual(['y', 'x']);
  });
});
