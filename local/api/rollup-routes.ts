/**
 * The API endpoints answered from the 1-minute rollups: totals, QoE, breakdown, and timeseries
 * whose buckets are whole minutes (shorter buckets read raw events). Their windows are whole
 * minutes of event time: `range=15m` at 12:07:30 reads the minutes 11:52–12:08, and `since`/`to`
 * in the answer say which. See routes.ts for the error conventions.
 */
import { ROLLUP_DIMENSIONS, type RollupFilters } from '../../core-pipeline/rollups/aggregate.js';
import {
  breakdownOverall,
  qoeSummary,
  rankSlices,
} from '../../core-pipeline/queries/rollup-answers.js';
import { DEMO_EVENT_TYPES } from '../../schemas/index.js';
import {
  parseChoice,
  parseInteger,
  parseTypes,
  parseWindow,
  type ApiParamError,
  type Parsed,
} from './params.js';
import type { ApiContext, ApiResponse } from './routes.js';

type Route = (q: URLSearchParams, ctx: ApiContext, now: number) => Promise<ApiResponse>;

const json = (body: unknown, status = 200): ApiResponse => ({ status, body });
const paramError = (e: ApiParamError): ApiResponse => json(e, 400);
const iso = (ms: number): string => new Date(ms).toISOString();

/** The breakdown's label for a missing value; as a filter value it selects those rows. */
const UNKNOWN = '(unknown)';

/** Filters on rollup dimensions from the query string (`pop=FRA&country=DE`, `source=cmcd`). */
export function parseFilters(q: URLSearchParams): Parsed<RollupFilters> {
  const filters: RollupFilters = {};
  for (const d of ROLLUP_DIMENSIONS) {
    const v = q.get(d);
    if (v === null) continue;
    if (v === '')
      return {
        ok: false,
        error: {
          error: 'invalid_parameter',
          detail: `${d}: must not be empty (${UNKNOWN} selects events without one)`,
        },
      };
    filters[d] = v === UNKNOWN ? '' : v;
  }
  return { ok: true, value: filters };
}

/** Filters as the answer echoes them (missing values shown as the breakdown shows them). */
export const shownFilters = (f: RollupFilters): RollupFilters =>
  Object.fromEntries(Object.entries(f).map(([d, v]) => [d, v === '' ? UNKNOWN : v]));

/** Endpoints that read rollups (merged into the route table by routes.ts). */
export const ROLLUP_ROUTES: Record<'timeseries' | 'totals' | 'qoe' | 'breakdown', Route> = {
  async timeseries(q, ctx, now) {
    const types = parseTypes(q.get('types'), DEMO_EVENT_TYPES);
    if (!types.ok) return paramError(types.error);
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const f = parseFilters(q);
    if (!f.ok) return paramError(f.error);
    const input = {
      types: types.value,
      from: w.value.from,
      to: w.value.to,
      bucketSeconds: w.value.bucketSeconds,
      filters: f.value,
    };
    // The per-minute type counts have no slices: a filtered series counts raw events.
    const fromRollups = input.bucketSeconds % 60 === 0 && Object.keys(f.value).length === 0;
    const r = fromRollups
      ? await ctx.rollups.typeSeries(input)
      : await ctx.queries.timeseries(input);
    return json({
      from: input.from.toISOString(),
      to: input.to.toISOString(),
      source: fromRollups ? 'rollups' : 'events',
      filters: shownFilters(f.value),
      ...r,
    });
  },

  async totals(q, ctx, now) {
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const { from, to } = w.value;
    const [byContent, byType, received] = await Promise.all([
      ctx.rollups.aggregateBy({ from, to, dimension: 'content_id' }),
      ctx.rollups.typeTotals({ from, to }),
      ctx.queries.receivedSince(from),
    ]);
    return json({
      since: iso(byContent.fromMs),
      to: iso(byContent.toMs),
      events: Object.values(byType).reduce((a, b) => a + b, 0),
      sessions: byContent.total.sessions,
      plays: byContent.total.plays,
      contents: byContent.slices.filter((s) => s.value !== '' && s.agg.events > 0).length,
      ...received,
      byType,
    });
  },

  async qoe(q, ctx, now) {
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const f = parseFilters(q);
    if (!f.ok) return paramError(f.error);
    const r = await ctx.rollups.aggregateBy({
      from: w.value.from,
      to: w.value.to,
      dimension: null,
      filters: f.value,
    });
    // Concurrent viewers divide watch time by the window up to now: the current minute is partial.
    const windowMs = Math.min(r.toMs, Math.max(now, r.fromMs + 1)) - r.fromMs;
    return json({
      since: iso(r.fromMs),
      to: iso(r.toMs),
      filters: shownFilters(f.value),
      ...qoeSummary(r.total, windowMs),
    });
  },

  async breakdown(q, ctx, now) {
    if (q.has('dimension') && q.has('by'))
      return paramError({
        error: 'invalid_parameter',
        detail: 'by: give dimension or by, not both',
      });
    // `by` is an alias of `dimension`, as the rollout endpoint names its grouping.
    const name = q.has('by') ? 'by' : 'dimension';
    const dimension = parseChoice(name, q.get(name), ROLLUP_DIMENSIONS);
    if (!dimension.ok) return paramError(dimension.error);
    const w = parseWindow(q, now);
    if (!w.ok) return paramError(w.error);
    const limit = parseInteger('limit', q.get('limit'), 20, 1, 100);
    if (!limit.ok) return paramError(limit.error);
    const f = parseFilters(q);
    if (!f.ok) return paramError(f.error);
    const r = await ctx.rollups.aggregateBy({
      from: w.value.from,
      to: w.value.to,
      dimension: dimension.value,
      filters: f.value,
    });
    return json({
      dimension: dimension.value,
      filters: shownFilters(f.value),
      since: iso(r.fromMs),
      to: iso(r.toMs),
      overall: breakdownOverall(r.total),
      rows: rankSlices(r.slices, r.total, limit.value),
    });
  },
};
