/**
 * The ground truth, on schedules laid out in virtual time (no HTTP): the same seed gives the same
 * truth, and each fault moves its metric by the requested amount on its slice only (loose
 * statistical bounds over thousands of sessions).
 */
import { describe, expect, it } from 'vitest';
import {
  qoeMetrics,
  type QoeAggregate,
  type RollupDimension,
  subtract,
} from '../../../core-pipeline/rollups/aggregate.js';
import { audienceFor } from '../../../local/sim/audience.js';
import { parseFault } from '../../../local/sim/faults.js';
import { eventsDue, type PlannedSession, planSessions } from '../../../local/sim/plan.js';
import { sessionAggregates, TruthRecorder } from '../../../local/sim/truth.js';
import { readTruth, truthAggregate, truthJson, writeTruth } from '../../../local/sim/truth-file.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const START = Date.UTC(2026, 2, 14, 12, 0, 17);

function run(seed: number, specs: string[], viewers: number, minutes: number, whole = false) {
  const faults = specs.map(parseFault);
  const sessions = planSessions({
    audience: audienceFor(faults),
    faults,
    seed,
    viewers,
    startMs: START,
    durationMs: minutes * 60_000,
    staggerMs: 10_000,
  });
  const rec = new TruthRecorder();
  const end = whole ? Number.POSITIVE_INFINITY : START + minutes * 60_000;
  for (const s of sessions) rec.addSession(s, indexes(eventsDue(s, end)));
  return {
    sessions,
    truth: truthJson(
      rec,
      { seed, viewers, startedAt: START, endedAt: START + minutes * 60_000 },
      faults,
    ),
  };
}

const indexes = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The slice's aggregate and everything else's. */
function split(t: ReturnType<typeof run>['truth'], dim: RollupDimension, value: string) {
  const slice = truthAggregate(t, dim, value);
  return { slice, rest: subtract(truthAggregate(t), slice) };
}

const rate = (n: number, d: number) => (d > 0 ? n / d : Number.NaN);

describe('ground truth', () => {
  it('is the same for the same seed, and differs for another', () => {
    const a = JSON.stringify(run(5, ['pop=MAD50-C2:stall-rate=5x'], 200, 3).truth);
    const b = JSON.stringify(run(5, ['pop=MAD50-C2:stall-rate=5x'], 200, 3).truth);
    const c = JSON.stringify(run(6, ['pop=MAD50-C2:stall-rate=5x'], 200, 3).truth);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('round-trips through the file, with the run, the faults and exact startup percentiles', async () => {
    const { truth } = run(5, ['pop=MAD50-C2:stall-rate=5x'], 200, 3);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'truth-'));
    try {
      const file = path.join(dir, 'truth.json');
      await writeTruth(file, truth);
      const back = await readTruth(file);
      expect(back).toStrictEqual(JSON.parse(JSON.stringify(truth)));
      expect(back.faults).toMatchObject([
        { dimension: 'pop', value: 'MAD', effects: { stallRate: 5 } },
      ]);
      expect(truthAggregate(back, 'pop', 'MAD')).toStrictEqual(truthAggregate(truth, 'pop', 'MAD'));
      const p50 = back.overall.startup.p50 as number;
      expect(
        Math.abs((back.overall.metrics.startupP50Ms as number) - p50) / p50,
      ).toBeLessThanOrEqual(0.01);
      await fs.writeFile(file, '{"format":"other"}');
      await expect(readTruth(file)).rejects.toThrow(/not a simulate truth file/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('adds up: every slice dimension sums to the whole, minute by minute', () => {
    const { truth } = run(8, [], 300, 4);
    const total = truthAggregate(truth);
    expect(total.events).toBeGreaterThan(1000);
    for (const dim of Object.keys(truth.slices) as RollupDimension[]) {
      let events = 0;
      let plays = 0;
      let played = 0;
      for (const value of Object.keys(truth.slices[dim] ?? {})) {
        const a = truthAggregate(truth, dim, value);
        events += a.events;
        plays += a.plays;
        played += a.playedMs;
      }
      expect({ dim, events, plays, played }).toStrictEqual({
        dim,
        events: total.events,
        plays: total.plays,
        played: total.playedMs,
      });
    }
    const minutes = Object.keys(truth.overall.minutes);
    expect(minutes.length).toBeGreaterThanOrEqual(4);
    const byMinute = minutes.reduce((s, m) => s + truth.overall.minutes[m].aggregate.events, 0);
    expect(byMinute).toBe(total.events);
  });

  it.each([
    [
      'pop=MAD50-C2:stall-rate=5x',
      'pop',
      'MAD',
      5,
      (a: QoeAggregate) => qoeMetrics(a).rebufferFrequencyPerMin,
    ],
    ['asn=3320:stall-time=3x', 'asn', '3320', 3, (a: QoeAggregate) => a.stallMs / a.stallCount],
    [
      'region=eu-central-1:bitrate=0.5x',
      'serving_region',
      'eu-central-1',
      0.5,
      (a: QoeAggregate) => qoeMetrics(a).averageBitrateBps,
    ],
    ['country=BR:startup=2x', 'country', 'BR', 2, (a: QoeAggregate) => qoeMetrics(a).startupP50Ms],
    [
      'player=dash.js:seek=3x',
      'player_name',
      'dash.js',
      3,
      (a: QoeAggregate) => qoeMetrics(a).seekLatencyMeanMs,
    ],
  ] as const)('applies %s by its factor on its slice only', (spec, dim, value, factor, metric) => {
    const { truth } = run(21, [spec], 1000, 8, true);
    const { slice, rest } = split(truth, dim, value);
    expect(slice.plays).toBeGreaterThan(100);
    const ratio = (metric(slice) as number) / (metric(rest) as number);
    expect(ratio).toBeGreaterThan(factor * 0.8);
    expect(ratio).toBeLessThan(factor * 1.2);
  });

  it.each([
    [
      'asn=3320:failure=10%',
      'asn',
      '3320',
      0.1,
      (a: QoeAggregate) => rate(a.startFailures, a.plays),
    ],
    [
      'device=smarttv:playback-failure=20%',
      'device',
      'smarttv',
      0.2,
      (a: QoeAggregate) => rate(a.playbackFailures, a.startups),
    ],
    [
      'content=sintel:exit=30%',
      'content_id',
      'sintel',
      0.3,
      (a: QoeAggregate) => rate(a.exitsBeforeStart, a.plays - a.startFailures),
    ],
  ] as const)('applies %s as a probability', (spec, dim, value, p, metric) => {
    const { truth } = run(22, [spec], 1000, 8, true);
    const { slice, rest } = split(truth, dim, value);
    expect(slice.plays).toBeGreaterThan(100);
    expect(metric(slice)).toBeGreaterThan(p - 0.06);
    expect(metric(slice)).toBeLessThan(p + 0.06);
    expect(metric(rest)).toBeLessThan(0.04);
  });

  it('adds a fixed startup delay to its slice: +2s shifts the mean by 2 s', () => {
    const { truth } = run(23, ['country=BR:startup=+2s'], 1000, 8, true);
    const { slice, rest } = split(truth, 'country', 'BR');
    const mean = (a: QoeAggregate) => a.startupMsSum / a.startups;
    expect(mean(slice) - mean(rest)).toBeGreaterThan(1_850);
    expect(mean(slice) - mean(rest)).toBeLessThan(2_150);
  });

  it('counts only acknowledged events, and a session by what was acknowledged of it', () => {
    const [s] = run(3, [], 5, 30, true).sessions.filter(
      (x) => x.script.events.some((e) => e.type === 'first_frame') && heartbeats(x) >= 3,
    );
    const all = indexes(s.script.events.length);
    const total = (parts: Map<number, QoeAggregate>) => {
      const out = { events: 0, playedMs: 0, startups: 0, sessions: 0, plays: 0 };
      for (const a of parts.values())
        for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += a[k];
      return out;
    };
    const last = s.script.events.filter((e) => e.type === 'heartbeat').at(-1)?.fields?.played_ms;
    expect(total(sessionAggregates(s, all))).toMatchObject({
      events: all.length,
      playedMs: last,
      startups: 1,
      sessions: 1,
      plays: 1,
    });
    // A lost heartbeat's time is in the next one's difference; a lost first frame loses the startup.
    const hb = s.script.events.findIndex((e) => e.type === 'heartbeat');
    const ff = s.script.events.findIndex((e) => e.type === 'first_frame');
    const some = all.filter((i) => i !== hb && i !== ff);
    expect(total(sessionAggregates(s, some))).toMatchObject({
      events: all.length - 2,
      playedMs: last,
      startups: 0,
      sessions: 1,
    });
    expect(sessionAggregates(s, []).size).toBe(0);
  });
});

function heartbeats(s: PlannedSession): number {
  return s.script.events.filter((e) => e.type === 'heartbeat').length;
}
