/**
 * The CORS allow-list, applied the same way as the viewer-request CloudFront Function applies it
 * to preflights: configured origins are compared lowercased and without a trailing slash, as
 * browsers send them, and a request without an Origin header is not a browser's CORS request.
 * CORS alone does not stop a simple (text/plain) POST from another site, so the core refuses one.
 */
import type { EdgeConfig } from '../config.js';
import { truncate } from './request-gate.js';
import type { BodyRejection } from './types.js';

/** The Access-Control-Allow-Origin value for `origin`: `*`, the origin itself, or '' when not allowed. */
export function allowOriginFor(origin: string | undefined, config: EdgeConfig): string {
  if (!origin) return '';
  const allowed = config.allowedOrigins.map((o) => o.trim().replace(/\/$/, '').toLowerCase());
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : '';
}

/** 403 origin_not_allowed for a POST whose Origin is not on the list; undefined otherwise. */
export function checkOrigin(
  origin: string | undefined,
  config: EdgeConfig,
): BodyRejection | undefined {
  if (!origin || allowOriginFor(origin, config)) return undefined;
  return {
    status: 403,
    reason: 'origin_not_allowed',
    detail: `origin ${truncate(origin, 200)} may not send beacons here`,
  };
}
