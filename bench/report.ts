/** Shared by every benchmark: how a result is printed for bench/run.mjs to collect. */

export interface BenchRow {
  metric: string;
  value: number | string;
  unit?: string;
  /** Human-readable target, e.g. "≥ 0.5". */
  target?: string;
  pass?: boolean;
}

/** Prints the result as the last stdout line (JSON), as bench/run.mjs expects. */
export function report(name: string, rows: BenchRow[]): void {
  process.stdout.write(`${JSON.stringify({ name, rows })}\n`);
}

/**
 * Says the benchmark could not measure (e.g. no Chromium) and why: bench/run.mjs then keeps the
 * figures docs/BENCHMARKS.md already holds for it instead of overwriting them with nothing.
 */
export function reportSkipped(name: string, reason: string): void {
  process.stdout.write(`${JSON.stringify({ name, skipped: reason, rows: [] })}\n`);
}

/** Percentile by nearest rank on a sorted copy (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
