/**
 * The dashboard's JSON API under /api/v1. Pure request → response functions over the store's
 * `EventQueries`; the node:http adapter is in ./index.ts. Every parameter is validated here and
 * every failure is a JSON `{ error, detail }` with a fitting status.
 *
 * `GET /api/v1/counts?since=<ISO 8601>` is a fixed contract that outside checks use.
 */
import { InvalidQueryError, StoreClosedError } from '../../core-pipeline/errors.js';
import type {
  EventQueries,
  RollupQueries,
  SessionQueries,
  TypeCountQueries,
} from '../../core-pipeline/queries/types.js';
import type { RolloutQueries } from '../../core-pipeline/queries/rollout-answers.js';
import { ROLLUP_DIMENSIONS } from '../../core-pipeline/rollups/aggregate.js';
import { diagnoseRoute } from './diagnose.js';
import {
  parseInteger,
  parseIsoTime,
  parseWindow,
  type ApiParamError,
  type Parsed,
} from './params.js';
import { ROLLUP_ROUTES } from './rollup-routes.js';
import { ROLLOUT_ENDPOINT, rolloutRoute } from './rollout.js';
import { SESSION_ENDPOINTS, sessionRoute } from './sessions.js';
import { SOURCES_ENDPOINT, sourcesRoute } from './sources.js';

/** An API answer: status and a JSON-serialisable body. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the API reads besides the store. */
export interface ApiContext {
  /** Raw events and bad rows: counts, short-bucket timeseries, bad rows, receive times. */
  queries: EventQueries;
  /** The 1-minute rollups: totals, QoE, breakdown, whole-minute timeseries, diagnose. */
  rollups: RollupQueries & TypeCountQueries;
  /** The session explorer's reads (`/sessions`); absent when the store has none. */
  sessions?: SessionQueries;
  /** The rollout panel's read (`/rollout`); absent when the store has none. */
  rollout?: RolloutQueries;
  /** Live status for /health (consumer lag, store path, ...). */
  health: () => Record<string, unknown>;
  now?: () => number;
}

type Route = (q: URLSearchParams, ctx: ApiContext, now: number) => Promise<ApiResponse>;

const json = (body: unknown, status = 200): ApiResponse => ({ status, body });
const paramError = (e: ApiParamError): ApiResponse => json(e, 400);

/** Unwraps parsed parameters or returns the first error response. */
function all<T extends unknown[]>(
  ...parsed: { [K in keyof T]: Parsed<T[K]> }
): { ok: true; values: T } | { ok: false; response: ApiResponse } {
  const values: unknown[] = [];
  for (const p of parsed) {
    if (!p.ok) return { ok: false, response: paramError(p.error) };
    values.push(p.value);
  }
  return { ok: true, values: values as T };
}

const ROUTES: Record<string, Route> = {
  async counts(q, ctx) {
    const since = parseIsoTime('since', q.get('since'));
    if (!since.ok) return paramError(since.error);
    return json(await ctx.queries.countsSince(since.value as Date));
  },

  ...ROLLUP_ROUTES,

  async 'bad-rows'(q, ctx, now) {
    const p = all(parseWindow(q, now), parseInteger('limit', q.get('limit'), 50, 1, 1000));
    if (!p.ok) return p.response;
    const [w, limit] = p.values;
    const [counts, recent] = await Promise.all([
      ctx.queries.badRowCounts(w.from),
      ctx.queries.recentBadRows(limit),
    ]);
    return json({ since: w.from.toISOString(), counts, recent });
  },

  diagnose: diagnoseRoute,

  rollout: rolloutRoute,

  sources: sourcesRoute,

  async health(_q, ctx) {
    return json({ status: 'ok', ...ctx.health() });
  },
};

/** Endpoint list served at /api/v1. */
const INDEX = {
  windows:
    'range=15m|1h|6h|24h ends now; totals, qoe, breakdown and whole-minute timeseries read the 1-minute rollups, so their window is the whole minutes of event time it touches (since/to in the answer)',
  endpoints: {
    'GET /api/v1/counts?since=<ISO 8601>':
      'stored events per type received since then (fixed contract; exact, raw events)',
    'GET /api/v1/timeseries?types=a,b&range=15m|1h|6h|24h (or from=&to=) [&bucket=s][&<dimension>=…]':
      'events per type per bucket of event time (rollups when the bucket is whole minutes and nothing is filtered)',
    'GET /api/v1/totals?range=…':
      'events, sessions, plays, contents, bad rows and events per type in the window',
    [`GET /api/v1/qoe?range=…[&${ROLLUP_DIMENSIONS.join('=…&')}=…]`]:
      'CTA-2066 quality of experience (every measure in metrics; formulas in docs/METRICS.md)',
    [`GET /api/v1/breakdown?dimension=${ROLLUP_DIMENSIONS.join('|')} (or by=)&range=…[&limit=n][&<dimension>=…]`]:
      'QoE per slice, most excess failed plays and stall time first',
    'GET /api/v1/bad-rows?range=…[&limit=n]': 'bad rows per reason and the latest ones',
    'GET /api/v1/diagnose?since=15m|range=…[&limit=n][&<dimension>=…]':
      'slices significantly worse than the rest, per metric, and the top one per minute',
    'GET /api/v1/health': 'consumer and store status',
    ...SESSION_ENDPOINTS,
    ...ROLLOUT_ENDPOINT,
    ...SOURCES_ENDPOINT,
  },
};

/**
 * Answers one API request. `path` is the part after /api/v1 (`/counts`). Never throws: invalid
 * parameters are 400, unknown paths 404, other methods 405, a closed store 503, anything else 500.
 */
export async function handleApi(
  method: string,
  path: string,
  q: URLSearchParams,
  ctx: ApiContext,
): Promise<ApiResponse> {
  const name = path.replace(/^\/+|\/+$/g, '');
  const route = Object.hasOwn(ROUTES, name) ? ROUTES[name] : sessionRoute(name);
  if (name !== '' && !route)
    return json(
      { error: 'not_found', detail: `no API endpoint /api/v1/${name}; see /api/v1` },
      404,
    );
  if (method !== 'GET' && method !== 'HEAD')
    return {
      ...json({ error: 'method_not_allowed', detail: `${method} is not allowed; use GET` }, 405),
      headers: { Allow: 'GET, HEAD' },
    };
  if (!route) return json(INDEX);
  try {
    return await route(q, ctx, (ctx.now ?? Date.now)());
  } catch (err) {
    if (err instanceof InvalidQueryError)
      return json({ error: 'invalid_parameter', detail: err.message }, 400);
    if (err instanceof StoreClosedError)
      return {
        ...json({ error: 'store_unavailable', detail: 'the store is closed (shutting down)' }, 503),
        headers: { 'Retry-After': '5' },
      };
    return json(
      { error: 'query_failed', detail: err instanceof Error ? err.message : String(err) },
      500,
    );
  }
}
