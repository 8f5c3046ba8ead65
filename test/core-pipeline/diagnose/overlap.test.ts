import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../core-pipeline/diagnose/diagnose.js';
import { groupSameSessions, sameSessions } from '../../../core-pipeline/diagnose/overlap.js';

const finding = (over: Partial<Finding>): Finding => ({
  metric: 'rebuffer_ratio',
  label: 'Rebuffer ratio',
  unit: 'ratio',
  dimension: 'pop',
  value: 'MAD50-C2',
  sliceValue: 0.05,
  baselineValue: 0.01,
  difference: 0.04,
  relativeEffect: 4,
  sample: { unit: 'watch_minutes', slice: 100, baseline: 1000 },
  test: 'ratio_delta_z',
  z: 8,
  p: 1e-15,
  log10P: -15,
  q: 1e-13,
  score: 15,
  ...over,
});

describe('sameSessions', () => {
  it('holds for the same metric in two dimensions with samples and values within 5 %', () => {
    const pop = finding({});
    expect(
      sameSessions(
        pop,
        finding({
          dimension: 'country',
          value: 'ES',
          sample: { unit: 'watch_minutes', slice: 104, baseline: 996 },
          sliceValue: 0.0481,
        }),
      ),
    ).toBe(true);
    expect(
      sameSessions(
        pop,
        finding({
          dimension: 'country',
          value: 'ES',
          sample: { unit: 'watch_minutes', slice: 110, baseline: 990 },
        }),
      ),
    ).toBe(false);
    expect(
      sameSessions(pop, finding({ dimension: 'country', value: 'ES', sliceValue: 0.04 })),
    ).toBe(false);
    expect(sameSessions(pop, finding({ dimension: 'country', metric: 'rebuffer_frequency' }))).toBe(
      false,
    );
    expect(sameSessions(pop, finding({ value: 'LHR61-C1' }))).toBe(false);
  });
});

describe('groupSameSessions', () => {
  it('keeps both, puts them together with the smaller (more specific) slice first', () => {
    const country = finding({
      dimension: 'country',
      value: 'ES',
      score: 16,
      sample: { unit: 'watch_minutes', slice: 102, baseline: 998 },
    });
    const other = finding({ metric: 'startup_time', dimension: 'asn', value: '3320', score: 15.5 });
    const pop = finding({ score: 15 });
    const out = groupSameSessions([country, other, pop]);
    expect(out.map((f) => `${f.dimension}=${f.value}`)).toStrictEqual([
      'pop=MAD50-C2',
      'country=ES',
      'asn=3320',
    ]);
    expect(out[0]).toMatchObject({
      moreSpecific: true,
      sameSessionsAs: [{ dimension: 'country', value: 'ES' }],
    });
    expect(out[1]).toMatchObject({
      moreSpecific: false,
      sameSessionsAs: [{ dimension: 'pop', value: 'MAD50-C2' }],
    });
    expect(out[2].sameSessionsAs).toBeUndefined();
  });

  it('breaks a tie in size by the finer dimension', () => {
    const out = groupSameSessions([
      finding({ dimension: 'serving_region', value: 'eu-west-3' }),
      finding({}),
    ]);
    expect(out.map((f) => f.dimension)).toStrictEqual(['pop', 'serving_region']);
  });
});
