/**
 * Exponential backoff with full jitter, the one schedule every retry loop in beacon-edge uses:
 * the edge's writers, the core pipeline's shard readers and the browser SDK's transport.
 *
 * Pure and dependency-free (no Node or DOM APIs) because the CloudFront bundles, the core
 * pipeline and the browser SDK all bundle it.
 */

/** The two numbers that shape a backoff schedule. */
export interface Backoff {
  /** Ceiling of the first retry's wait, ms; doubles with each further retry. */
  baseMs: number;
  /** Largest ceiling, ms. */
  maxMs: number;
}

/**
 * Wait before retry number `retry` (1 = the first retry): a uniform draw between 0 and
 * min(maxMs, baseMs × 2^(retry − 1)). Full jitter ("Exponential Backoff and Jitter", AWS
 * Architecture Blog) spreads a fleet of clients that failed together better than equal or
 * ±25 % jitter, at the same total work.
 *
 * @param random a draw in [0, 1); tests pass a fixed value.
 * @example backoffDelay(3, { baseMs: 100, maxMs: 1000 }, 0.5) // 200 (ceiling 400)
 */
export function backoffDelay(
  retry: number,
  policy: Backoff,
  random: number = Math.random(),
): number {
  const doublings = Math.min(Math.max(0, retry - 1), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** doublings);
  return Math.floor(Math.min(Math.max(random, 0), 1) * ceiling);
}

/**
 * The name of a thrown value: the AWS SDK's exception name (`ProvisionedThroughputExceededException`,
 * `ExpiredIteratorException`), `AbortError`, or `Error` for anything without one.
 */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string')
    return err.name;
  return 'Error';
}
