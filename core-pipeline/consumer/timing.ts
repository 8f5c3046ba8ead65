/**
 * Waiting, backing off and naming errors: the small pieces the read loops share.
 */

/** Sleeps `ms`, or less if `signal` aborts first. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Exponential back-off with jitter: attempt 1 waits ~base, each further attempt doubles, capped
 * at `max`; ±25 % jitter so many shards throttled together do not retry in lock-step.
 */
export function backoffDelay(
  attempt: number,
  base: number,
  max: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.75 + random() * 0.5));
}

/** The AWS error name (`ExpiredIteratorException`, ...) or the JS error name. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string')
    return err.name;
  return 'Error';
}
