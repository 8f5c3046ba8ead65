/**
 * Admission control in front of the local CloudFront: at most a bounded number of requests run the
 * edge code at once, and a request over that bound is answered at once with 503 `overloaded` and
 * `Retry-After`, without running the edge code. Without it, a load well past what the machine can take
 * queues without bound (every accepted connection holds its request, body and a pending edge call)
 * until memory runs out or every answer is late; with it, the stack keeps answering at capacity,
 * the shed requests cost almost nothing, and a client's retry (the SDK honours Retry-After) lands
 * once the load drops. A shed request ran no edge code, so nothing of it was acknowledged or
 * written: it is not a bad row, it is a request to send again.
 *
 * On AWS the same role is played by Lambda@Edge's concurrency limit: CloudFront answers 503
 * (LambdaLimitExceeded) when the origin-request function is throttled.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIMITS } from '../../schemas/index.js';
import { writeResult } from './emulator.js';
import { errorResult, type HttpResult } from './responses.js';

/** The reason in the JSON body of a shed request. */
const OVERLOADED_REASON = 'overloaded';

/** Options of {@link withAdmission}. */
export interface AdmissionOptions {
  /** Requests running the edge code at once, at most (≥ 1): the limit starts here. */
  maxInFlight: number;
  /** The limit never goes below this (≥ 1). Default 4. */
  minInFlight?: number;
  /**
   * An admitted request that takes longer than this lowers the limit (see {@link AimdLimit}),
   * and while the oldest request in flight is older than this, new ones are shed. Default: no
   * latency target, a fixed limit.
   */
  latencyTargetMs?: number;
  /** Seconds a shed client is asked to wait (the Retry-After header). */
  retryAfterSeconds: number;
  /** The edge's own 5xx answers within this many ms are counted in `recentErrors`. Default 10 s. */
  errorWindowMs?: number;
  /** Clock for `lastShedAt` and the 5xx window (tests). Default Date.now. */
  now?: () => number;
}

/** What admission control has done so far (for /api/v1/health). */
export interface AdmissionStats {
  inFlight: number;
  maxInFlight: number;
  /** The limit now (between the minimum and maxInFlight). */
  limit: number;
  /** Requests let through / answered 503 overloaded. */
  admitted: number;
  shed: number;
  /** Epoch ms of the latest shed request; null if none was. */
  lastShedAt: number | null;
  /** Admitted requests the edge answered with a 5xx (or failed on), in all / within the error window. */
  errors: number;
  recentErrors: number;
  /** The error window (ms) `recentErrors` counts over. */
  errorWindowMs: number;
  /** Epoch ms of the latest such answer; null if none was. */
  lastErrorAt: number | null;
}

/** An edge handler: the worker pool's or the in-thread emulator's node:http adapter. */
export type EdgeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void> | void;

/** A guarded handler and its counters. */
export interface Admission {
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  stats(): AdmissionStats;
}

/** The 503 a shed request gets, with the headers CloudFront adds to its own errors. */
export function overloadedResult(retryAfterSeconds: number): HttpResult {
  const r = errorResult(
    503,
    OVERLOADED_REASON,
    `the edge is over capacity and did not process this request; nothing was stored, retry after ${retryAfterSeconds} s`,
  );
  r.headers.push(
    ['Retry-After', String(retryAfterSeconds)],
    ['Cache-Control', 'no-store'],
    ['X-Cache', 'LambdaLimitExceeded from cloudfront'],
  );
  return r;
}

/**
 * The limit on requests in flight, additive increase and multiplicative decrease on latency (as
 * TCP congestion control and Netflix's concurrency-limits do). The machine's capacity is not a
 * constant: the edge, kinesalite, the consumer and DuckDB share its cores, with whatever else
 * runs there. A fixed bound small enough for a busy machine wastes an idle one, and one large
 * enough for an idle machine lets a busy one take more than it can write within the edge's write
 * budget, which turns admitted requests into 503 stream_unavailable. So a request slower than the
 * target cuts the limit by a quarter (at most once per quarter of the target, so the requests of
 * one slow moment make a few cuts, not one each), and each fast one raises it by 1/limit (about
 * one per limit's worth of requests).
 */
export class AimdLimit {
  private value: number;
  private lastCut = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly max: number,
    private readonly min: number,
    private readonly targetMs: number,
  ) {
    this.value = max;
  }

  /** Requests that may be in flight now. */
  get current(): number {
    return Math.floor(this.value);
  }

  /** Records one admitted request that took `durationMs`, ending at `now` (ms). */
  record(durationMs: number, now: number): void {
    if (durationMs > this.targetMs) {
      if (now - this.lastCut < this.targetMs / 4) return;
      this.lastCut = now;
      this.value = Math.max(this.min, this.value * 0.75);
    } else {
      this.value = Math.min(this.max, this.value + 1 / this.value);
    }
  }
}

/**
 * Whether the request has a body still to arrive. A request without a body, or whose body has
 * already been read, is complete now.
 */
function bodyPending(req: IncomingMessage): boolean {
  if (req.readableEnded) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || Number(length ?? 0) > 0;
}

/** Counts events per second over a sliding window, in whole-second buckets. */
class WindowCounter {
  private buckets: [second: number, count: number][] = [];

  constructor(private readonly windowMs: number) {}

  add(at: number): void {
    const second = Math.floor(at / 1000);
    const last = this.buckets.at(-1);
    if (last && last[0] === second) last[1] += 1;
    else this.buckets.push([second, 1]);
    this.prune(at);
  }

  count(at: number): number {
    this.prune(at);
    return this.buckets.reduce((n, [, c]) => n + c, 0);
  }

  private prune(at: number): void {
    const oldest = Math.floor((at - this.windowMs) / 1000);
    while (this.buckets.length > 0 && (this.buckets[0]?.[0] ?? 0) <= oldest) this.buckets.shift();
  }
}

/**
 * Wraps an edge handler (the worker pool's or the in-thread emulator's) with a bound on requests
 * in flight: an {@link AimdLimit} on latency, and no new request while the oldest one in flight is
 * past the latency target. A request's age counts from when its body has fully arrived: a client
 * that uploads slowly (or stalls) is not a slow edge, and must not make the edge shed everyone
 * else or cut the limit. It still holds a slot until the server's request timeout cuts it.
 * @example const admission = withAdmission(pool.handler, { maxInFlight: 64, latencyTargetMs: 1_500, retryAfterSeconds: 2 });
 */
export function withAdmission(handler: EdgeHandler, opts: AdmissionOptions): Admission {
  const maxInFlight = Math.max(1, opts.maxInFlight);
  const now = opts.now ?? Date.now;
  const targetMs = opts.latencyTargetMs ?? Number.POSITIVE_INFINITY;
  const limit = new AimdLimit(
    maxInFlight,
    Math.min(maxInFlight, Math.max(1, opts.minInFlight ?? 4)),
    targetMs,
  );
  /** Start time (performance.now) of each request in flight, oldest first. */
  const running = new Map<number, number>();
  let seq = 0;
  const shedResult = overloadedResult(opts.retryAfterSeconds);
  const counts = {
    inFlight: 0,
    admitted: 0,
    shed: 0,
    lastShedAt: null as number | null,
    errors: 0,
    lastErrorAt: null as number | null,
  };
  const errorWindowMs = opts.errorWindowMs ?? 10_000;
  const recentErrors = new WindowCounter(errorWindowMs);

  const shed = (req: IncomingMessage, res: ServerResponse) => {
    counts.shed += 1;
    counts.lastShedAt = now();
    // A small declared body is read and dropped: answering with it unread makes node:http reset
    // some connections, and the client then gets no answer at all instead of the 503. A body of
    // unknown or more than the allowed size is not worth reading: the connection is closed.
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const closeConnection = !(declared >= 0 && declared <= LIMITS.maxBodyBytes);
    if (!closeConnection) req.resume();
    writeResult(res, shedResult, closeConnection);
  };

  return {
    handler: async (req, res, url) => {
      const admittedAt = performance.now();
      // The oldest request still running (a Map keeps insertion order, and each entry is set when
      // its body has arrived, so in time order): when it is already past the target, the edge is
      // slow now, before any completion has told the limit so.
      const oldest: number | undefined = running.values().next().value;
      if (
        counts.inFlight >= limit.current ||
        (oldest !== undefined && admittedAt - oldest > targetMs)
      )
        return shed(req, res);
      const id = ++seq;
      // When the whole request is here. An 'end' listener does not switch the body to flowing
      // mode: it fires when the edge handler has read the last byte, which it does as it arrives.
      let arrived: number | undefined;
      const start = () => {
        arrived = performance.now();
        running.set(id, arrived);
      };
      if (bodyPending(req)) req.once('end', start);
      else start();
      counts.inFlight += 1;
      counts.admitted += 1;
      let failed = true;
      try {
        await handler(req, res, url);
        failed = false;
      } finally {
        req.off('end', start);
        running.delete(id);
        counts.inFlight -= 1;
        const end = performance.now();
        // A body that never fully arrived is the client's delay, not the edge's: no latency sample.
        // A complete body the edge code never read: the whole time was the edge's.
        const from = arrived ?? (req.complete ? admittedAt : undefined);
        if (from !== undefined) limit.record(end - from, end);
        // A handler that failed answers 500 (the server's catch), unless the client left mid-body.
        if ((failed && req.complete) || (!failed && res.statusCode >= 500)) {
          counts.errors += 1;
          counts.lastErrorAt = now();
          recentErrors.add(counts.lastErrorAt);
        }
      }
    },
    stats: () => ({
      ...counts,
      maxInFlight,
      limit: limit.current,
      recentErrors: recentErrors.count(now()),
      errorWindowMs,
    }),
  };
}
