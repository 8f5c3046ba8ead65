import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  fisherUpper,
  lnGamma,
  lnNormalSf,
  meanTest,
  poissonRateTest,
  proportionTest,
  ratioEstimate,
  ratioTest,
  zFromLnP,
} from '../../../core-pipeline/diagnose/stats.js';

// Reference values from scipy.stats (norm.logsf, fisher_exact, hypergeom.sf,
// false_discovery_control) and math.lgamma, computed outside this code.
describe('lnNormalSf', () => {
  it.each([
    [0, -Math.LN2],
    [1.6448536269514722, -2.9957322735539904],
    [2.3263478740408408, -4.605170185988091],
    [10, -53.23128515051248],
    [-1.96, -0.025315649164282115],
    [38, -726.5572160188201],
  ])('ln P(Z > %d)', (z, expected) => {
    expect(lnNormalSf(z)).toBeCloseTo(expected, 5);
  });

  it('inverts through zFromLnP', () => {
    expect(zFromLnP(Math.log(0.05))).toBeCloseTo(1.6448536, 5);
  });
});

describe('lnGamma', () => {
  it.each([
    [0.5, 0.5723649429247004],
    [10, 12.801827480081467],
    [1e6, 12815504.569147611],
  ])('ln Γ(%d)', (x, expected) => {
    expect(lnGamma(x) / expected).toBeCloseTo(1, 10);
  });
});

describe('proportionTest', () => {
  it('is the pooled two-proportion z-test when every expected count is 5 or more', () => {
    // 30/200 against 100/2000: pooled 130/2200, se = √(p(1−p)(1/200 + 1/2000)).
    const r = proportionTest(30, 200, 100, 2000);
    expect(r.test).toBe('two_proportion_z');
    expect(r.z).toBeCloseTo(5.7185310980171495, 8);
    expect(r.lnP).toBeCloseTo(-19.041983152769063, 4);
  });

  it('is Fisher’s exact test for small expected counts', () => {
    const r = proportionTest(3, 10, 1, 40);
    expect(r.test).toBe('fisher_exact');
    expect(r.lnP).toBeCloseTo(-3.8279468917298662, 8);
    expect(r.z).toBeCloseTo(zFromLnP(r.lnP), 12);
  });

  it('gives a one-sided p near 1 when the slice is better', () => {
    expect(Math.exp(proportionTest(5, 1000, 100, 1000).lnP)).toBeGreaterThan(0.99);
  });

  it('sums the hypergeometric upper tail with a large baseline', () => {
    // P(X ≥ 5), X ~ Hypergeom(N = 1040, K = 7, n = 40): 5 of 40 against 2 of 1000.
    expect(fisherUpper(5, 40, 2, 1000)).toBeCloseTo(-13.553434085877466, 6);
  });
});

describe('ratio tests', () => {
  // Slice observations (stall, watch): (1000, 10000), (0, 10000), (2000, 12000), (500, 9000);
  // baseline: (100|0|200|0|50, 10000 each).
  const slice = {
    y: 3500,
    x: 41000,
    yy: 1000 ** 2 + 2000 ** 2 + 500 ** 2,
    xx: 10000 ** 2 * 2 + 12000 ** 2 + 9000 ** 2,
    xy: 1000 * 10000 + 2000 * 12000 + 500 * 9000,
    n: 4,
  };
  const baseline = {
    y: 350,
    x: 50000,
    yy: 100 ** 2 + 200 ** 2 + 50 ** 2,
    xx: 5 * 10000 ** 2,
    xy: 350 * 10000,
    n: 5,
  };

  it('estimates the ratio and its delta-method variance', () => {
    const r = ratioEstimate(slice);
    expect(r.ratio).toBeCloseTo(0.08536585365853659, 12);
    expect(r.variance).toBeCloseTo(0.001407054595204619, 10);
    expect(ratioEstimate(baseline).variance).toBeCloseTo(1.4e-5, 10);
  });

  it('divides the difference by √(V₁ + V₀), inflated by the design effect', () => {
    expect(ratioTest(slice, baseline, 1).z).toBeCloseTo(2.078842022212029, 8);
    const r = ratioTest(slice, baseline, 2);
    expect(r.z).toBeCloseTo(1.469963290921681, 8);
    expect(r.lnP).toBeCloseTo(-2.6480961824704448, 5);
  });

  it('turns the sign when lower is worse', () => {
    expect(ratioTest(slice, baseline, 1, false).z).toBeCloseTo(-2.078842022212029, 8);
  });

  it('compares Poisson rates with overdispersion', () => {
    // 30 stalls in 100 min against 100 in 1000 min, φ = 2.
    expect(poissonRateTest(30, 100, 100, 1000, 2).z).toBeCloseTo(3.9223227027636804, 8);
  });

  it('compares means with Welch’s z and a design effect', () => {
    const a = [100, 200, 300, 400];
    const b = [100, 110, 120, 130, 140];
    const sums = (v: number[]) => ({
      sum: v.reduce((s, x) => s + x, 0),
      sq: v.reduce((s, x) => s + x * x, 0),
      n: v.length,
    });
    expect(meanTest(sums(a), sums(b), 3).z).toBeCloseTo(1.1558409836334063, 8);
  });
});

describe('benjaminiHochberg', () => {
  it('adjusts p-values in the input order', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.5].map(Math.log)).map(Math.exp);
    expect(q[0]).toBeCloseTo(0.04, 12);
    expect(q[1]).toBeCloseTo(0.05333333333333334, 12);
    expect(q[2]).toBeCloseTo(0.05333333333333334, 12);
    expect(q[3]).toBeCloseTo(0.5, 12);
  });
});
