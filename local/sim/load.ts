/**
 * The load generator: a fixed rate of fixed-size batches for a fixed time, open loop (requests go
 * out on schedule, not when the previous one answers) with a cap on requests in flight. It is the
 * engine of the end-to-end benchmark (bench/e2e-load/).
 *
 * Every request has a scheduled send time (its slot in the fixed rate). When the cap is reached or
 * the event loop is busy, requests leave late; each response carries both times, so a caller
 * measures latency from the schedule (no coordinated omission: a stalled stack that holds the
 * connections cannot hide the requests that waited for one), and the summary says how late sends were.
 *
 * It never resends: each request is one attempt, and a 429, 503 or dropped connection is reported
 * as such. A benchmark measures the load it offers; resends (the simulator's and the SDK's rule,
 * resend.ts) would add load the schedule did not offer and hide the load the stack shed.
 */
import { LIMITS, type BeaconBatch } from '../../schemas/index.js';
import { makeBatch } from './batch.js';
import { acceptedCount, createPoster, loopbackUrl, type PostResult } from './http.js';
import { createViewerPool } from './pool.js';
import { createRng } from './random.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Base URL of the local stack, loopback only (e.g. http://127.0.0.1:8787). */
  url: string;
  eventsPerSecond: number;
  durationSeconds: number;
  /** Events per request, at most the schema's batch limit. Default 20. */
  batchSize?: number;
  /** Requests in flight at most; also the number of keep-alive connections. Default 64. */
  concurrency?: number;
  /** Ingest path. Default /v1/events. */
  path?: string;
  /** Simulated viewers sending at once. Default 500. */
  viewers?: number;
  /** IATA code of a POP with bad quality. */
  badPop?: string;
  seed?: number;
  /**
   * Changes a batch just before it is sent (`request` counts from 0), e.g. to tag a sample of
   * requests that a caller then looks for through the API.
   */
  prepare?: (batch: BeaconBatch, request: number, scheduledAt: number) => BeaconBatch;
  /** Called for every response; timestamps are `performance.now()` values. */
  onResponse?: (info: LoadResponse) => void;
  /** Stops early when aborted (counts so far are returned). */
  signal?: AbortSignal;
}

/** One request's outcome, for callers that measure (e.g. POST-to-queryable latency). */
export interface LoadResponse {
  batch: BeaconBatch;
  result: PostResult;
  /** Events of the batch the edge accepted. */
  accepted: number;
  /** When the request was due by the fixed rate; `sentAt` is when it left (never much earlier). */
  scheduledAt: number;
  sentAt: number;
  answeredAt: number;
}

/** How late requests left, in ms after their scheduled time (0 when on time or early). */
export interface SendLag {
  p50: number;
  p95: number;
  max: number;
}

/** Totals of a run. */
export interface LoadSummary {
  /** Requests sent / answered 2xx with every event accepted / not. */
  sent: number;
  accepted: number;
  failed: number;
  events: number;
  eventsAccepted: number;
  /** Responses by HTTP status (0 = no response). */
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Requests that left more than 50 ms after their slot (concurrency cap reached, or a busy event loop). */
  late: number;
  /** How late every request left (nearest-rank percentiles). */
  sendLag: SendLag;
}

const TICK_MS = 2;
const LATE_MS = 50;

/**
 * Sends `eventsPerSecond × durationSeconds` events in batches of up to `batchSize` (a batch holds
 * one session's events, so the last batch of a session can be smaller), paced on events so the
 * event rate holds whatever the batch sizes.
 * @throws UsageError when `url` is not loopback.
 * @example const s = await runLoad({ url: 'http://127.0.0.1:8787', eventsPerSecond: 10_000, durationSeconds: 60 });
 */
export async function runLoad(opts: LoadOptions): Promise<LoadSummary> {
  const base = loopbackUrl(opts.url);
  const batchSize = Math.max(1, Math.min(LIMITS.maxEventsPerBatch, opts.batchSize ?? 20));
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const path = opts.path ?? '/v1/events';
  const rng = createRng(opts.seed);
  const pool = createViewerPool({
    rng,
    size: Math.max(1, opts.viewers ?? 500),
    badPop: opts.badPop,
  });
  const poster = createPoster(base, concurrency);
  const eventsPerMs = opts.eventsPerSecond / 1000;
  const total = Math.round(opts.eventsPerSecond * opts.durationSeconds);
  const summary: LoadSummary = {
    sent: 0,
    accepted: 0,
    failed: 0,
    events: 0,
    eventsAccepted: 0,
    statuses: {},
    elapsedMs: 0,
    late: 0,
    sendLag: { p50: 0, p95: 0, max: 0 },
  };
  const lags: number[] = [];

  const start = performance.now();
  let inFlight = 0;
  let seat = 0;
  const pending = new Set<Promise<void>>();
  const sendOne = () => {
    const viewer = pool.viewers[seat];
    seat = (seat + 1) % pool.viewers.length;
    const scheduledAt = start + summary.events / eventsPerMs;
    const { script, events } = pool.take(
      viewer,
      Math.min(batchSize, total - summary.events),
      Date.now(),
    );
    const made = makeBatch(script, events, Date.now());
    const batch = opts.prepare ? opts.prepare(made, summary.sent, scheduledAt) : made;
    const sentAt = performance.now();
    const lag = Math.max(0, sentAt - scheduledAt);
    lags.push(lag);
    if (lag > LATE_MS) summary.late += 1;
    summary.sent += 1;
    summary.events += events.length;
    inFlight += 1;
    const p = poster.post(path, JSON.stringify(batch), viewer.headers).then((result) => {
      inFlight -= 1;
      const accepted = acceptedCount(result, events.length);
      summary.statuses[result.status] = (summary.statuses[result.status] ?? 0) + 1;
      summary.eventsAccepted += accepted;
      if (accepted === events.length && result.status >= 200 && result.status < 300)
        summary.accepted += 1;
      else summary.failed += 1;
      opts.onResponse?.({
        batch,
        result,
        accepted,
        scheduledAt,
        sentAt,
        answeredAt: performance.now(),
      });
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  try {
    while (summary.events < total && !opts.signal?.aborted) {
      const due = Math.min(total, (performance.now() - start) * eventsPerMs + batchSize);
      while (summary.events < due && inFlight < concurrency) sendOne();
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
  } finally {
    poster.close();
  }
  summary.elapsedMs = performance.now() - start;
  summary.sendLag = lagPercentiles(lags);
  return summary;
}

/** p50, p95 (nearest rank) and max of the send lags. */
function lagPercentiles(lags: number[]): SendLag {
  if (lags.length === 0) return { p50: 0, p95: 0, max: 0 };
  const s = lags.sort((a, b) => a - b);
  const at = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { p50: at(50), p95: at(95), max: s[s.length - 1] };
}
