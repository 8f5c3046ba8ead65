/**
 * The retry loop shared by every edge writer: resend only what failed, with exponential backoff
 * and full jitter (common/backoff.ts), move on to the next target when one keeps failing, and
 * stop when the time budget is spent. Pure apart from timers, so tests drive it with fake timers.
 */
import { backoffDelay, errorName } from '../../common/backoff.js';

/** How hard a writer tries. Defaults below; writers take overrides. */
export interface RetryPolicy {
  /** Total time for one write call, all attempts and waits included. */
  budgetMs: number;
  /** Ceiling of the first retry's wait; doubles with each further retry (full jitter). */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** Attempts on one target before moving to the next one. */
  attemptsPerTarget: number;
  /** Source of jitter, [0, 1). */
  random: () => number;
}

/** Default policy apart from the budget, which comes from EdgeConfig.writeBudgetMs. */
export const DEFAULT_RETRY: Omit<RetryPolicy, 'budgetMs'> = {
  baseDelayMs: 50,
  maxDelayMs: 1000,
  attemptsPerTarget: 3,
  random: Math.random,
};

/** What one attempt achieved: which of the entries it was given still failed, and why. */
export interface AttemptOutcome {
  /** Entry indexes (as passed in) that failed; empty when all were stored. */
  failed: number[];
  errorCode?: string;
  /** Every distinct error code of the failed entries, when they differ (else `errorCode`). */
  errorCodes?: string[];
}

/** What the whole retry loop achieved. */
export interface RetryOutcome {
  /** Entry indexes that were never stored. */
  failed: number[];
  attempts: number;
  lastErrorCode?: string;
  lastError?: unknown;
  /**
   * Every distinct error code seen on a failed attempt (a rejected call's error name, or the
   * codes of its failed entries): lets a writer tell "throttled every time" from an outage. An
   * attempt cut off at the end of the budget adds its TimeoutError only when it was the first.
   */
  errorCodes: string[];
}

/** Sends the given entries to a target; rejects when the whole call failed. */
export type SendAttempt<T> = (
  entries: number[],
  target: T,
  signal: AbortSignal,
) => Promise<AttemptOutcome>;

/**
 * Sends entries `0..count-1`, retrying only failed entries, until all are stored or the budget
 * (from `start`) is spent. Each target gets `attemptsPerTarget` attempts, then the next one is
 * tried; after the last the loop wraps around. A call error for which `isFatal` is true (stream
 * missing, access denied) takes that target out at once. Each attempt is aborted at the deadline.
 * Never throws; the caller turns a non-empty `failed` into its named error.
 */
export async function sendWithRetry<T>(
  count: number,
  targets: readonly T[],
  send: SendAttempt<T>,
  policy: RetryPolicy,
  isFatal: (err: unknown) => boolean,
  start: number = Date.now(),
): Promise<RetryOutcome> {
  const deadline = start + policy.budgetMs;
  let pending = Array.from({ length: count }, (_, i) => i);
  const out: RetryOutcome = { failed: pending, attempts: 0, errorCodes: [] };
  const codes = new Set<string>();
  const dead = new Set<number>();
  const visited = new Set<number>();
  let target = 0;
  let onTarget = 0;
  while (pending.length > 0 && dead.size < targets.length) {
    while (dead.has(target)) target = (target + 1) % targets.length;
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    visited.add(target);
    const controller = new AbortController();
    // The signal cancels the HTTP request; the race makes the deadline hold even for a sender
    // that ignores it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cutOff = Object.assign(new Error(`no answer within ${remaining} ms`), {
      name: 'TimeoutError',
    });
    const deadlineHit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(cutOff);
      }, remaining);
    });
    out.attempts++;
    onTarget++;
    let fatal = false;
    try {
      const result = await Promise.race([
        send(pending, targets[target], controller.signal),
        deadlineHit,
      ]);
      pending = result.failed;
      if (result.errorCode !== undefined) out.lastErrorCode = result.errorCode;
      if (pending.length > 0)
        for (const c of result.errorCodes ?? [result.errorCode ?? 'Unknown']) codes.add(c);
    } catch (err) {
      out.lastError = err;
      out.lastErrorCode = errorName(err);
      // An attempt cut off at the budget's end got no answer: it says nothing of why the
      // others failed, unless it is all there is.
      if (err !== cutOff || out.attempts === 1) codes.add(out.lastErrorCode);
      fatal = isFatal(err);
    } finally {
      clearTimeout(timer);
    }
    out.failed = pending;
    out.errorCodes = [...codes];
    if (pending.length === 0) break;
    if (fatal) dead.add(target);
    if (dead.size === targets.length) break;
    if (fatal || onTarget >= policy.attemptsPerTarget) {
      const next = (target + 1) % targets.length;
      target = next;
      onTarget = 0;
      // A target not tried yet in this call is independent of the one that failed: go now.
      if (!visited.has(next) && !dead.has(next)) continue;
    }
    // After n failed attempts the next one is retry number n (common/backoff.ts counts from 1).
    const delay = backoffDelay(
      out.attempts,
      { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs },
      policy.random(),
    );
    if (Date.now() + delay >= deadline) break;
    await sleep(delay);
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
