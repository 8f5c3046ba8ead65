/**
 * Admission control in front of the local CloudFront: at most `maxInFlight` requests run the edge
 * code at once, and a request over that bound is answered at once with 503 `overloaded` and
 * `Retry-After`, before its body is read. Without it, a load well past what the machine can take
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
export const OVERLOADED_REASON = 'overloaded';

/** Options of {@link withAdmission}. */
export interface AdmissionOptions {
  /** Requests running the edge code at once, at most (≥ 1). */
  maxInFlight: number;
  /** Seconds a shed client is asked to wait (the Retry-After header). */
  retryAfterSeconds: number;
  /** Clock for `lastShedAt` (tests). Default Date.now. */
  now?: () => number;
}

/** What admission control has done so far (for /api/v1/health). */
export interface AdmissionStats {
  inFlight: number;
  maxInFlight: number;
  /** Requests let through / answered 503 overloaded. */
  admitted: number;
  shed: number;
  /** Epoch ms of the latest shed request; null if none was. */
  lastShedAt: number | null;
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
    `the edge is over capacity and did not read this request; nothing was stored, retry after ${retryAfterSeconds} s`,
  );
  r.headers.push(
    ['Retry-After', String(retryAfterSeconds)],
    ['Cache-Control', 'no-store'],
    ['X-Cache', 'LambdaLimitExceeded from cloudfront'],
  );
  return r;
}

/**
 * Wraps an edge handler (the worker pool's or the in-thread emulator's) with a bound on requests
 * in flight.
 * @example const admission = withAdmission(pool.handler, { maxInFlight: 256, retryAfterSeconds: 2 });
 */
export function withAdmission(handler: EdgeHandler, opts: AdmissionOptions): Admission {
  const maxInFlight = Math.max(1, opts.maxInFlight);
  const now = opts.now ?? Date.now;
  const shedResult = overloadedResult(opts.retryAfterSeconds);
  const counts = { inFlight: 0, admitted: 0, shed: 0, lastShedAt: null as number | null };

  const shed = (req: IncomingMessage, res: ServerResponse) => {
    counts.shed += 1;
    counts.lastShedAt = now();
    // node:http reads an unread body to its end to keep the connection usable; for a body of
    // unknown or more than the allowed size, closing the connection keeps a shed request cheap.
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const closeConnection = !(declared >= 0 && declared <= LIMITS.maxBodyBytes);
    writeResult(res, shedResult, closeConnection);
  };

  return {
    handler: async (req, res, url) => {
      if (counts.inFlight >= maxInFlight) return shed(req, res);
      counts.inFlight += 1;
      counts.admitted += 1;
      try {
        await handler(req, res, url);
      } finally {
        counts.inFlight -= 1;
      }
    },
    stats: () => ({ ...counts, maxInFlight }),
  };
}
