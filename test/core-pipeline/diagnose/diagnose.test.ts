import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../core-pipeline/diagnose/diagnose.js';
import {
  emptyAggregate,
  mergeInto,
  type QoeAggregate,
} from '../../../core-pipeline/rollups/aggregate.js';
import { syntheticAudience } from '../../helpers/diagnose-audience.js';

/** An aggregate of plays with `failures` start failures and nothing else. */
function plays(n: number, failures: number): QoeAggregate {
  return Object.assign(emptyAggregate(), { sessions: n, plays: n, startFailures: failures });
}

function windowOf(slices: Record<string, QoeAggregate>) {
  const total = emptyAggregate();
  for (const a of Object.values(slices)) mergeInto(total, a);
  return {
    total,
    dimensions: [
      {
        dimension: 'pop' as const,
        slices: Object.entries(slices).map(([value, agg]) => ({ value, agg })),
      },
    ],
  };
}

describe('diagnose', () => {
  it('finds a clear fault and ranks it first', () => {
    const input = syntheticAudience(1, 10_000, [
      { dimension: 'asn', value: 'DE-2', kind: 'start_failure', factor: 5 },
    ]);
    const [top] = diagnose(input).findings;
    expect(top).toMatchObject({
      metric: expect.stringMatching(/^(video_start|playback)_failure_rate$/),
      dimension: 'asn',
      value: 'DE-2',
    });
  });

  it.each([
    ['stall', 'rebuffer'],
    ['bitrate', 'average_bitrate'],
    ['seek', 'seek_latency'],
    ['startup', 'startup_time'],
    ['exit', 'exit_before_start_rate'],
  ] as const)('ranks a %s fault on a POP first (or its same-session country)', (kind, metric) => {
    const factor = kind === 'bitrate' ? 0.5 : kind === 'startup' ? 2 : 5;
    const input = syntheticAudience(2, 10_000, [
      { dimension: 'pop', value: 'MAD50-C2', kind, factor },
    ]);
    const [top] = diagnose(input).findings;
    expect(top.metric).toContain(metric);
    // In this audience a POP serves exactly one country: both describe the same sessions and
    // the POP, the finer dimension, leads.
    expect(top).toMatchObject({ dimension: 'pop', value: 'MAD50-C2', moreSpecific: true });
    expect(top.sameSessionsAs).toContainEqual({ dimension: 'country', value: 'ES' });
  });

  it('finds nothing when no slice is worse (five seeds of a fault-free audience)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = diagnose(syntheticAudience(seed, 5_000));
      expect(r.testsRun).toBeGreaterThan(200);
      expect(r.findings).toStrictEqual([]);
    }
  });

  it('finds nothing when the slices are identical', () => {
    const r = diagnose(windowOf({ A: plays(1000, 50), B: plays(1000, 50), C: plays(1000, 50) }));
    // Two failure rates per slice; exits before start have no events and are not tested.
    expect(r.testsRun).toBe(6);
    expect(r.findings).toStrictEqual([]);
  });

  it('never tests a slice below the minimum sample, however bad it looks', () => {
    const r = diagnose(windowOf({ tiny: plays(10, 10), big: plays(5000, 50) }));
    expect(r.findings).toStrictEqual([]);
    // Only the big slice against the tiny baseline would qualify, and its baseline is too small.
    expect(r.testsRun).toBe(0);
  });

  it('does not report a significant but small effect', () => {
    // 11 % against 10 % over 200,000 plays: significant, but only 10 % worse.
    const r = diagnose(windowOf({ A: plays(100_000, 11_000), B: plays(100_000, 10_000) }));
    expect(r.findings).toStrictEqual([]);
  });

  it('reports the hand-computed statistics of a finding', () => {
    // Slice 30/200 against a baseline of 100/2000 (two baseline slices of 50/1000).
    const r = diagnose(windowOf({ bad: plays(200, 30), b1: plays(1000, 50), b2: plays(1000, 50) }));
    const f = r.findings.find((x) => x.metric === 'video_start_failure_rate');
    expect(f).toMatchObject({
      dimension: 'pop',
      value: 'bad',
      sliceValue: 0.15,
      baselineValue: 0.05,
      sample: { unit: 'plays', slice: 200, baseline: 2000 },
      test: 'two_proportion_z',
    });
    expect(f?.difference).toBeCloseTo(0.1, 12);
    expect(f?.relativeEffect).toBeCloseTo(2, 12);
    expect(f?.z).toBeCloseTo(5.7185310980171495, 8);
    expect(f?.log10P).toBeCloseTo(-19.041983152769063 / Math.LN10, 4);
    expect(f?.score).toBeCloseTo(19.041983152769063 / Math.LN10, 4);
    // Benjamini–Hochberg: the smallest of m p-values times m (both failure rates share the p).
    expect(f?.q).toBeCloseTo((f?.p ?? 0) * (r.testsRun / 2), 20);
    expect(r.findings.map((x) => x.value)).toStrictEqual(['bad', 'bad']);
  });

  it('calls a lower bitrate worse, not a higher one', () => {
    const input = syntheticAudience(3, 10_000, [
      { dimension: 'device', value: 'tv', kind: 'bitrate', factor: 2 },
    ]);
    // The other devices are now well below the rest (which holds tv): they may be reported.
    expect(diagnose(input).findings.filter((f) => f.value === 'tv')).toStrictEqual([]);
  });
});
