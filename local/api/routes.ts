/**
 * The dashboard's JSON API under /api/v1. Pure request → response functions over the store's
 * `EventQueries`; the node:http adapter is in ./index.ts. Every parameter is validated here and
 * every failure is a JSON `{ error, detail }` with a fitting status.
 *
 * `GET /api/v1/counts?since=<ISO 8601>` is a fixed contract that outside checks use.
 */
import { InvalidQueryError, StoreClosedError } from '../../core-pipeline/errors.js';
import {
  DIMENSIONS,
  type DimensionFilters,
  type EventQueries,
  type RollupQueries,
  type SessionQueries,
} from '../../core-pipeline/queries/types.js';
import { DEMO_EVENT_TYPES } from '../../schemas/index.js';
import { diagnoseRoute } from './diagnose.js';
import {
  parseChoice,
  parseInteger,
  parseIsoTime,
  parseTypes,
  parseWindow,
  type ApiParamError,
  type Parsed,
} from './params.js';
import { SESSION_ENDPOINTS, sessionRoute } from './sessions.js';

/** An API answer: status and a JSON-serialisable body. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the API reads besides the store. */
export interface ApiContext {
  queries: EventQueries;
  /** The session explorer's reads (`/sessions`); absent when the store has none. */
  sessions?: SessionQueries;
  /** The 1-minute rollups (diagnose); absent in a stack that keeps none. */
  rollups?: RollupQueries;
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

  async timeseries(q, ctx, now) {
    const p = all(parseTypes(q.get('types'), DEMO_EVENT_TYPES), parseWindow(q, now));
    if (!p.ok) return p.response;
    const [types, w] = p.values;
    const r = await ctx.queries.timeseries({
      types,
      from: w.from,
      to: w.to,
      bucketSeconds: w.bucketSeconds,
    });
    return json({ from: w.from.toISOString(), to: w.to.toISOString(), ...r });
  },

  async totals(q, ctx, now) {
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const since = w.value.from;
    const [totals, byType] = await Promise.all([
      ctx.queries.totals({ since }),
      ctx.queries.countsSince(since),
    ]);
    return json({ since: since.toISOString(), ...totals, byType });
  },

  async qoe(q, ctx, now) {
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const filters: DimensionFilters = {};
    for (const d of DIMENSIONS) {
      const v = q.get(d);
      if (v !== null) filters[d] = v;
    }
    return json({
      since: w.value.from.toISOString(),
      filters,
      ...(await ctx.queries.qoe({ since: w.value.from, ...filters })),
    });
  },

  async breakdown(q, ctx, now) {
    const p = all(
      parseChoice('dimension', q.get('dimension'), DIMENSIONS),
      parseWindow(q, now),
      parseInteger('limit', q.get('limit'), 20, 1, 100),
    );
    if (!p.ok) return p.response;
    const [dimension, w, limit] = p.values;
    const rows = await ctx.queries.breakdown({ dimension, since: w.from, limit });
    return json({ dimension, since: w.from.toISOString(), rows });
  },

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

  async health(_q, ctx) {
    return json({ status: 'ok', ...ctx.health() });
  },
};

/** Endpoint list served at /api/v1. */
const INDEX = {
  endpoints: {
    'GET /api/v1/counts?since=<ISO 8601>':
      'stored events per type received since then (fixed contract)',
    'GET /api/v1/timeseries?types=a,b&range=15m|1h|6h|24h (or from=&to=) [&bucket=s]':
      'events per type per time bucket',
    'GET /api/v1/totals?range=…':
      'events, sessions, viewers, bad rows and events per type in the window',
    'GET /api/v1/qoe?range=…[&pop=…&country=…]': 'CTA-2066 quality of experience',
    [`GET /api/v1/breakdown?dimension=${DIMENSIONS.join('|')}&range=…[&limit=n]`]:
      'QoE per slice, worst first',
    'GET /api/v1/bad-rows?range=…[&limit=n]': 'bad rows per reason and the latest ones',
    'GET /api/v1/diagnose?since=15m|range=…[&limit=n]':
      'slices significantly worse than the rest, per metric, and the top one per minute',
    'GET /api/v1/health': 'consumer and store status',
    ...SESSION_ENDPOINTS,
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
