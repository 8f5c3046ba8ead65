/**
 * The client retry policy, as small pure functions shared by every client that sends beacons: the
 * browser SDK's transport, the local simulator and the fault tests' retrying client. A batch is
 * settled only by success or a non-retryable answer. Network failures, 429 and 5xx are retried with
 * full-jitter backoff, honouring Retry-After. Statuses on the never-retry list are dropped (the
 * same body would fail again); 410 Gone additionally silences the session, as CMCD players treat
 * it. Any other status (404 during a deploy, 408, an odd proxy answer) is retried: the caller's
 * bound (queue size, retry count, time budget) keeps that from going on without limit.
 *
 * Pure and dependency-free like backoff.ts, because the browser SDK bundles it.
 */
import { type Backoff, backoffDelay } from './backoff.js';

/** What to do with a batch after one attempt. */
export type Decision = 'success' | 'retry' | 'drop' | 'stop';

/** Statuses a client drops instead of retrying: the SDK's default `neverRetry`. */
export const DEFAULT_NEVER_RETRY: readonly number[] = [400, 401, 403, 410, 413, 415, 422];

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
