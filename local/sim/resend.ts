/**
 * The simulator's delivery rule, the browser SDK's: a batch that meets a network failure, a 429
 * or a 5xx is sent again, after a full-jitter backoff with the server's Retry-After as a floor.
 * The simulator resends the same bytes; the SDK re-batches from its queue with a new `sent_at`,
 * its earlier events keeping their ids and positions. Either way the pipeline drops the copies
 * it already stored. The rules themselves are the SDK's (common/retry-policy.ts);
 * only the bounds are the simulator's, so a simulation still ends when the stack stays down.
 *
 * The fixed-rate load generator (load.ts) deliberately does not use this: a benchmark measures
 * the load it offers, and resends would hide the load the stack shed.
 */
import type { Backoff } from '../../common/backoff.js';
import {
  DEFAULT_NEVER_RETRY,
  decide,
  parseRetryAfter,
  retryDelay,
} from '../../common/retry-policy.js';
import type { Poster, PostResult } from './http.js';

/** How hard the simulator tries to deliver one batch. */
export interface ResendPolicy {
  /** Backoff shape, the SDK's formula on a smaller scale (a simulation lasts seconds, not hours). */
  backoff: Backoff;
  /** Resends after the first attempt, at most. */
  maxRetries: number;
  /** No resend starts later than this after the first attempt; the batch is then given up. */
  budgetMs: number;
  /** An attempt without a response after this long counts as a network failure. */
  requestTimeoutMs: number;
}

/**
 * The simulator's bounds. The budget outlasts a couple of the edge's Retry-After waits, so a
 * batch shed under a burst of load is delivered, yet `beacons simulate` ends soon after its
 * duration even when the stack is gone.
 */
const SIM_RESEND: Readonly<ResendPolicy> = {
  backoff: { baseMs: 250, maxMs: 4_000 },
  maxRetries: 6,
  budgetMs: 10_000,
  requestTimeoutMs: 5_000,
};

/** How a batch ended. */
export type Outcome =
  /** A 2xx: the edge took the batch (a 200 may still refuse some of its events). */
  | 'acknowledged'
  /** A status the SDK never retries (400, 413, 410, …): the same bytes would fail again. */
  | 'refused'
  /** Still failing (network, 429, 5xx) when the retry count or time budget ran out, or on abort. */
  | 'failed';

/** The end of one batch's delivery. */
export interface Delivery {
  outcome: Outcome;
  /** The last answer (status 0: no response). */
  result: PostResult;
  /** Resends made (attempts after the first). */
  retries: number;
}

/** Options of {@link postWithRetry}. */
export interface ResendOptions {
  policy?: Readonly<ResendPolicy>;
  /** A draw in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** Cuts a backoff wait short and gives the batch up (the user stopped the simulation). */
  signal?: AbortSignal;
  /** Called after every attempt, including the last. */
  onAttempt?: (result: PostResult) => void;
}

/**
 * Posts `body` until the edge settles it or the policy's bounds run out.
 * @example const d = await postWithRetry(poster, '/v1/events', JSON.stringify(batch), headers);
 */
export async function postWithRetry(
  poster: Poster,
  path: string,
  body: string,
  headers: Record<string, string>,
  opts: ResendOptions = {},
): Promise<Delivery> {
  const policy = opts.policy ?? SIM_RESEND;
  const random = opts.random ?? Math.random;
  const first = Date.now();
  for (let retries = 0; ; retries++) {
    const result = await poster.post(path, body, headers, policy.requestTimeoutMs);
    opts.onAttempt?.(result);
    const decision = decide(result.status === 0 ? null : result.status, DEFAULT_NEVER_RETRY);
    if (decision === 'success') return { outcome: 'acknowledged', result, retries };
    if (decision !== 'retry') return { outcome: 'refused', result, retries };
    const now = Date.now();
    const wait = retryDelay(
      retries + 1,
      policy.backoff,
      random(),
      parseRetryAfter(result.retryAfter, now),
    );
    if (
      retries >= policy.maxRetries ||
      now + wait - first > policy.budgetMs ||
      opts.signal?.aborted
    )
      return { outcome: 'failed', result, retries };
    await sleep(wait, opts.signal);
    if (opts.signal?.aborted) return { outcome: 'failed', result, retries };
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
