/**
 * The significance tests `beacons diagnose` runs, on sums only (what a rollup holds). Every test is
 * one-sided ("the slice is worse"), and every p-value is carried as its natural logarithm: a
 * real fault reaches z-scores of 30 and more, whose p-values underflow a double.
 * Pure: no I/O.
 */

/** A test's outcome: its statistic (z, or the observed count for an exact test) and ln p. */
export interface TestResult {
  test: 'two_proportion_z' | 'fisher_exact' | 'ratio_delta_z' | 'poisson_rate_z' | 'welch_z';
  /** The z-score (the normal deviate of p for the exact test). */
  z: number;
  /** ln of the one-sided p-value (≤ 0). */
  lnP: number;
}

/**
 * ln P(Z > z) for a standard normal Z, with relative error below 1.2e-7 at any z (the Chebyshev
 * fit of erfc from Numerical Recipes, §6.2, kept in logs so it never underflows).
 */
export function lnNormalSf(z: number): number {
  const x = z / Math.SQRT2;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const poly =
    -ax * ax -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 +
                            t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const lnErfc = Math.log(t) + poly;
  // erfc(x) for x ≥ 0; for x < 0, erfc(x) = 2 − erfc(|x|).
  const lnTail = x >= 0 ? lnErfc : Math.log(2 - Math.exp(lnErfc));
  return lnTail - Math.LN2;
}

/** The z with P(Z > z) = e^lnP (bisection; for reporting an exact test as a z-score). */
export function zFromLnP(lnP: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (lnNormalSf(mid) > lnP) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

const lnChoose = (n: number, k: number): number =>
  lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);

/** ln(Σ e^v) without overflow. */
function lnSumExp(values: number[]): number {
  const m = Math.max(...values);
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (const v of values) s += Math.exp(v - m);
  return m + Math.log(s);
}

/**
 * Is the slice's proportion x1/n1 higher than the baseline's x0/n0? The pooled two-proportion
 * z-test; Fisher's exact test (one-sided, hypergeometric upper tail) when an expected count of
 * the 2×2 table is under 5, where the normal approximation is poor. Both need n1, n0 > 0.
 */
export function proportionTest(x1: number, n1: number, x0: number, n0: number): TestResult {
  const pooled = (x1 + x0) / (n1 + n0);
  const expected = [n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled)];
  if (Math.min(...expected) < 5) {
    const lnP = fisherUpper(x1, n1, x0, n0);
    return { test: 'fisher_exact', z: zFromLnP(lnP), lnP };
  }
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const z = se > 0 ? (x1 / n1 - x0 / n0) / se : 0;
  return { test: 'two_proportion_z', z, lnP: lnNormalSf(z) };
}

/** ln P(X ≥ x1) for X ~ Hypergeometric(N = n1 + n0, K = x1 + x0 successes, n1 draws). */
export function fisherUpper(x1: number, n1: number, x0: number, n0: number): number {
  const k = x1 + x0;
  const n = n1 + n0;
  const terms: number[] = [];
  const denom = lnChoose(n, n1);
  for (let x = x1; x <= Math.min(n1, k); x++)
    terms.push(lnChoose(k, x) + lnChoose(n - k, n1 - x) - denom);
  return Math.min(0, lnSumExp(terms));
}

/**
 * The sums of a ratio of sums R = ΣY/ΣX over observations i: ΣY, ΣX, ΣY², ΣX², ΣXY and the
 * observation count n.
 */
export interface RatioSums {
  y: number;
  x: number;
  yy: number;
  xx: number;
  xy: number;
  n: number;
}

/**
 * The ratio ΣY/ΣX and its delta-method (linearisation) variance:
 * Var(R) ≈ n/(n−1) · Σ(yᵢ − R·xᵢ)² / (ΣX)², where Σ(y − Rx)² = ΣY² − 2R·ΣXY + R²·ΣX²,
 * multiplied by `designEffect` (≥ 1) for observations that are not independent.
 */
export function ratioEstimate(s: RatioSums, designEffect = 1): { ratio: number; variance: number } {
  const ratio = s.y / s.x;
  const residual = Math.max(0, s.yy - 2 * ratio * s.xy + ratio * ratio * s.xx);
  const small = s.n > 1 ? s.n / (s.n - 1) : 1;
  return { ratio, variance: (designEffect * small * residual) / (s.x * s.x) };
}

/**
 * Is the slice's ratio worse than the baseline's? z = ±(R₁ − R₀)/√(V₁ + V₀), `higherIsWorse`
 * choosing the sign (average bitrate is worse when lower).
 */
export function ratioTest(
  slice: RatioSums,
  baseline: RatioSums,
  designEffect: number,
  higherIsWorse = true,
): TestResult {
  const a = ratioEstimate(slice, designEffect);
  const b = ratioEstimate(baseline, designEffect);
  const se = Math.sqrt(a.variance + b.variance);
  const diff = higherIsWorse ? a.ratio - b.ratio : b.ratio - a.ratio;
  const z = se > 0 ? diff / se : diff > 0 ? Number.POSITIVE_INFINITY : 0;
  return { test: 'ratio_delta_z', z, lnP: z === Number.POSITIVE_INFINITY ? -745 : lnNormalSf(z) };
}

/**
 * Is the slice's event rate c1/e1 higher than the baseline's c0/e0? Counts taken as Poisson with
 * variance inflated by `overdispersion` (≥ 1): z = (λ₁ − λ₀)/√(φ·λ̂·(1/e₁ + 1/e₀)), λ̂ pooled.
 */
export function poissonRateTest(
  c1: number,
  e1: number,
  c0: number,
  e0: number,
  overdispersion: number,
): TestResult {
  const pooled = (c1 + c0) / (e1 + e0);
  const se = Math.sqrt(overdispersion * pooled * (1 / e1 + 1 / e0));
  const z = se > 0 ? (c1 / e1 - c0 / e0) / se : 0;
  return { test: 'poisson_rate_z', z, lnP: lnNormalSf(z) };
}

/** Sum, sum of squares and count of a sample. */
export interface MomentSums {
  sum: number;
  sq: number;
  n: number;
}

/**
 * Is the slice's mean higher than the baseline's? Welch's z on the sample variances
 * (s² = (Σx² − n·x̄²)/(n − 1)), each multiplied by `designEffect`.
 */
export function meanTest(
  slice: MomentSums,
  baseline: MomentSums,
  designEffect: number,
): TestResult {
  const m1 = slice.sum / slice.n;
  const m0 = baseline.sum / baseline.n;
  const var1 = Math.max(0, slice.sq - slice.n * m1 * m1) / Math.max(1, slice.n - 1);
  const var0 = Math.max(0, baseline.sq - baseline.n * m0 * m0) / Math.max(1, baseline.n - 1);
  const se = Math.sqrt(designEffect * (var1 / slice.n + var0 / baseline.n));
  const z = se > 0 ? (m1 - m0) / se : 0;
  return { test: 'welch_z', z, lnP: lnNormalSf(z) };
}

/**
 * Benjamini–Hochberg adjusted p-values (as ln q), in the input order: q₍ᵢ₎ = min over j ≥ i of
 * p₍ⱼ₎·m/j, for m tests sorted by p. Controls the false discovery rate over all m tests.
 */
export function benjaminiHochberg(lnPs: readonly number[]): number[] {
  const m = lnPs.length;
  const order = lnPs.map((lnP, i) => ({ lnP, i })).sort((a, b) => a.lnP - b.lnP);
  const out = new Array<number>(m);
  let running = 0;
  for (let rank = m; rank >= 1; rank--) {
    const { lnP, i } = order[rank - 1];
    running = Math.min(running, lnP + Math.log(m / rank));
    out[i] = running;
  }
  return out;
}
