/**
 * The CORS allow-list, applied to POSTs as the viewer-request CloudFront Function applies it to
 * preflights. The function reads the allow-list from the CloudFront KeyValueStore, which this
 * handler cannot, and stamps its verdict on every POST (`o=` in the edge header, which it
 * overwrites, so a client cannot choose it); the verdict decides when present. Without one (no
 * function in front, or an older one) the list compiled into this bundle decides: configured
 * origins compared lowercased and without a trailing slash, as browsers send them. A request
 * without an Origin header is not a browser's CORS request. CORS alone does not stop a simple
 * (text/plain) POST from another site, so the core refuses one.
 */
import type { EdgeConfig } from '../config.js';
import type { OriginVerdict } from './enrich.js';
import { truncate } from './request-gate.js';
import type { BodyRejection } from './types.js';

/**
 * The Access-Control-Allow-Origin value for `origin`: `*`, the origin itself, or '' when not
 * allowed, by the function's `verdict` when there is one, else by the compiled list.
 */
export function allowOriginFor(
  origin: string | undefined,
  config: EdgeConfig,
  verdict?: OriginVerdict,
): string {
  if (!origin) return '';
  if (verdict) return verdict === '*' ? '*' : verdict === '1' ? origin : '';
  const allowed = config.allowedOrigins.map((o) => o.trim().replace(/\/$/, '').toLowerCase());
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : '';
}

/** 403 origin_not_allowed for a POST whose Origin is not allowed; undefined otherwise. */
export function checkOrigin(
  origin: string | undefined,
  config: EdgeConfig,
  verdict?: OriginVerdict,
): BodyRejection | undefined {
  if (!origin || allowOriginFor(origin, config, verdict)) return undefined;
  return {
    status: 403,
    reason: 'origin_not_allowed',
    detail: `origin ${truncate(origin, 200)} may not send beacons here`,
  };
}
