/**
 * The retry policy, as small pure functions. An event leaves the queue only after success or a
 * non-retryable answer. Network failures, 429 and 5xx are retried with exponential backoff and
 * jitter, honouring Retry-After. Statuses on the never-retry list are dropped (the same body would
 * fail again); 410 Gone additionally silences the session, as CMCD players treat it. Any other
 * status (404 during a deploy, 408, an odd proxy answer) is retried: the queue bound keeps that
 * from growing without limit.
 */
import { type Backoff, backoffDelay } from '../../common/backoff.js';

/** What to do with a batch after one attempt. */
export type Decision = 'success' | 'retry' | 'drop' | 'stop';

/**
 * Classifies one attempt.
 * @param status HTTP status, or null for a network failure (fetch rejected).
 * @param neverRetry statuses that are dropped instead of retried.
 * @example decide(503, [400, 410]) // 'retry'
 */
export function decide(status: number | null, neverRetry: readonly number[]): Decision {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'success';
  if (status === 410) return 'stop';
  if (neverRetry.includes(status)) return 'drop';
  return 'retry';
}

/**
 * Delay before retry number `attempt` (1 = first retry): the shared full-jitter backoff (a random
 * point below base × 2^(attempt−1), capped at maxMs), so a fleet of players that failed together
 * does not retry together. A Retry-After from the server is a floor.
 * @param random a number in [0, 1).
 * @example retryDelay(3, { baseMs: 1000, maxMs: 60000 }, 0.5) // 2000 (ceiling 4000)
 */
export function retryDelay(
  attempt: number,
  policy: Backoff,
  random: number,
  retryAfterMs?: number,
): number {
  return Math.round(Math.max(backoffDelay(attempt, policy, random), retryAfterMs ?? 0));
}

/**
 * Parses a Retry-After header: delay-seconds or an HTTP-date.
 * @returns milliseconds to wait (≥ 0), or undefined when absent or unparseable.
 * @example parseRetryAfter('30', Date.now()) // 30000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
