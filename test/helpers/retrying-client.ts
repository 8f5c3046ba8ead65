/**
 * A bounded client for the fault tests that follows the browser SDK's delivery rule, with the
 * SDK's own policy functions (common/retry-policy.ts): a batch is resent unchanged (same batch,
 * same event ids) after a network failure, a 429 or a 5xx, waiting a full-jitter backoff with
 * Retry-After as its floor, until the edge answers 2xx or a status it must not retry. It records
 * which event ids the edge acknowledged, so a test can compare them with what was stored.
 */
import {
  DEFAULT_NEVER_RETRY,
  decide,
  parseRetryAfter,
  retryDelay,
} from '../../common/retry-policy.js';
import type { BeaconBatch } from '../../schemas/index.js';

/** Options of {@link deliver}. */
export interface DeliveryOptions {
  /** Ingest URL, e.g. http://127.0.0.1:8787/v1/events. */
  url: string;
  batches: readonly BeaconBatch[];
  /** Batches in flight at most (each waits for its answer before the slot takes another). */
  concurrency: number;
  /** Extra request headers (e.g. a POP or viewer country). */
  headers?: Record<string, string>;
  /**
   * Backoff of the SDK's formula. The SDK's defaults (1 s, doubling to 60 s) would make a test
   * wait minutes after an outage; the rule is the same, only the scale is smaller.
   */
  backoff?: { baseMs: number; maxMs: number };
  /** Statuses never retried; the SDK's default list when absent. */
  neverRetry?: readonly number[];
  /** Per-request timeout (a hung request counts as a network failure, as in the SDK). */
  requestTimeoutMs?: number;
  /** Gives up on the batches not yet delivered at this time (ms since epoch). */
  deadline: number;
  /** Called after every answer (status 0: network failure) with the edge's request id (x-amz-cf-id). */
  onAnswer?: (status: number, batch: BeaconBatch, requestId: string | null) => void;
}

/** What happened to the batches. */
export interface DeliveryReport {
  /** Event ids the edge acknowledged (204, or counted as accepted in a 200). */
  acked: Set<string>;
  /** Event ids the edge refused in a 2xx/4xx answer, with the reason. */
  refused: Map<string, string>;
  /** Batches never acknowledged before the deadline. */
  undelivered: BeaconBatch[];
  /** Answers by status (0: network failure). */
  statuses: Record<number, number>;
  /** 503 and 429 answers without a Retry-After header (the edge must always send one). */
  unavailableWithoutRetryAfter: number;
  attempts: number;
}

/**
 * Delivers every batch, retrying each as the SDK would, and reports what was acknowledged.
 * @example const r = await deliver({ url, batches, concurrency: 8, deadline: Date.now() + 30_000 });
 */
export async function deliver(opts: DeliveryOptions): Promise<DeliveryReport> {
  const backoff = opts.backoff ?? { baseMs: 200, maxMs: 2000 };
  const neverRetry = opts.neverRetry ?? DEFAULT_NEVER_RETRY;
  const report: DeliveryReport = {
    acked: new Set(),
    refused: new Map(),
    undelivered: [],
    statuses: {},
    unavailableWithoutRetryAfter: 0,
    attempts: 0,
  };
  let next = 0;
  const one = async (batch: BeaconBatch) => {
    const body = JSON.stringify(batch);
    for (let attempt = 1; ; attempt++) {
      report.attempts += 1;
      const answer = await post(opts.url, body, opts.headers, opts.requestTimeoutMs ?? 15_000);
      report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
      opts.onAnswer?.(answer.status, batch, answer.requestId);
      if ((answer.status === 503 || answer.status === 429) && answer.retryAfter === null)
        report.unavailableWithoutRetryAfter += 1;
      const decision = decide(answer.status === 0 ? null : answer.status, neverRetry);
      if (decision !== 'retry') {
        record(report, batch, answer);
        return;
      }
      const wait = retryDelay(
        attempt,
        backoff,
        Math.random(),
        parseRetryAfter(answer.retryAfter, Date.now()),
      );
      if (Date.now() + wait > opts.deadline) {
        report.undelivered.push(batch);
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  const lanes = Array.from({ length: Math.max(1, opts.concurrency) }, async () => {
    while (next < opts.batches.length) await one(opts.batches[next++]);
  });
  await Promise.all(lanes);
  return report;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  requestId: string | null;
  body: string;
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> | undefined,
  timeoutMs: number,
): Promise<Answer> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      requestId: res.headers.get('x-amz-cf-id'),
      body: await res.text(),
    };
  } catch {
    return { status: 0, retryAfter: null, requestId: null, body: '' };
  }
}

/** Books a final answer: 2xx acknowledges every event it does not list as rejected. */
function record(report: DeliveryReport, batch: BeaconBatch, answer: Answer): void {
  const rejected = new Map<string, string>();
  try {
    const parsed = JSON.parse(answer.body || '{}') as {
      rejected?: { event_id?: string; reason: string }[];
      error?: string;
    };
    for (const r of parsed.rejected ?? []) if (r.event_id) rejected.set(r.event_id, r.reason);
    if (answer.status >= 300 && parsed.error)
      for (const e of batch.events) if (!rejected.has(e.id)) rejected.set(e.id, parsed.error);
  } catch {
    // A 204 has no body; any other unreadable body refuses nothing in particular.
  }
  for (const e of batch.events) {
    const reason = rejected.get(e.id);
    if (answer.status >= 200 && answer.status < 300 && reason === undefined) report.acked.add(e.id);
    else report.refused.set(e.id, reason ?? `status ${answer.status}`);
  }
}
