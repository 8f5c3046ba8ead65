/**
 * Response builders: the documented statuses and JSON bodies, with CORS headers for allowed
 * origins so a player on another origin can read them (and Retry-After on a 503 or 429).
 */
import type { EdgeConfig } from '../config.js';
import { RETRY_AFTER_SECONDS } from './limits.js';
import type { OriginVerdict } from './enrich.js';
import { allowOriginFor } from './origin.js';
import type { BodyRejection, EventRejection, IngestResult } from './types.js';

/** Response headers a player on another origin may read: the 503's and 429's, and the rollout's. */
const EXPOSED = 'retry-after, deprecation, sunset';

/**
 * CORS headers for the request's Origin, by the viewer function's `verdict` when stamped (see
 * origin.ts). An origin not on the allow-list gets none (its POST is refused with 403
 * origin_not_allowed, and the browser hides that answer from the page).
 */
export function corsHeaders(
  origin: string | undefined,
  config: EdgeConfig,
  verdict?: OriginVerdict,
): Record<string, string> {
  const allow = allowOriginFor(origin, config, verdict);
  if (allow === '*') {
    return { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED };
  }
  if (!allow) return origin ? { vary: 'origin' } : {};
  return {
    'access-control-allow-origin': allow,
    'access-control-expose-headers': EXPOSED,
    vary: 'origin',
  };
}

/** 204 for a CORS preflight on an ingest path (when the CloudFront Function did not answer it). */
export function preflight(cors: Record<string, string>): IngestResult {
  const headers: Record<string, string> = { ...cors, 'cache-control': 'no-store' };
  if (cors['access-control-allow-origin']) {
    headers['access-control-allow-methods'] = 'POST, OPTIONS';
    headers['access-control-allow-headers'] = 'content-type';
    headers['access-control-max-age'] = '86400';
  }
  return { status: 204, headers };
}

/** 204: every event accepted and stored. No body, ever (CloudFront answers 502 to a 204 with one). */
export function accepted(cors: Record<string, string>): IngestResult {
  return { status: 204, headers: { ...cors, 'cache-control': 'no-store' } };
}

/** 200: some events stored, the listed ones rejected. */
export function partial(
  cors: Record<string, string>,
  count: number,
  rejected: EventRejection[],
): IngestResult {
  return json(200, cors, { accepted: count, rejected: rejected.map(publicRejection) });
}

/**
 * A whole-request error: `{"error": reason, "detail": text}` (+ `rejected` for no_valid_events,
 * `upgrade` for a rollout refusal that names one).
 */
export function failure(
  cors: Record<string, string>,
  r: BodyRejection,
  rejected?: EventRejection[],
): IngestResult {
  const body: Record<string, unknown> = { error: r.reason, detail: r.detail };
  if (rejected) body.rejected = rejected.map(publicRejection);
  if (r.upgrade !== undefined) body.upgrade = r.upgrade;
  const result = json(r.status, cors, body);
  if (r.status === 405) result.headers.allow = 'POST, OPTIONS';
  if (r.status === 503 || r.status === 429)
    result.headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return result;
}

/** `result` with `extra` headers added (the rollout's Deprecation and Sunset on an accepted request). */
export function withHeaders(result: IngestResult, extra: Record<string, string>): IngestResult {
  for (const [name, value] of Object.entries(extra)) result.headers[name] = value;
  return result;
}

/** Only the documented fields, in a fixed order (the internal value also carries the raw event). */
function publicRejection(r: EventRejection): EventRejection {
  const out: EventRejection = { index: r.index, reason: r.reason, detail: r.detail };
  if (r.event_id !== undefined)
    return { index: r.index, event_id: r.event_id, reason: r.reason, detail: r.detail };
  return out;
}

function json(status: number, cors: Record<string, string>, body: unknown): IngestResult {
  return {
    status,
    headers: { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
