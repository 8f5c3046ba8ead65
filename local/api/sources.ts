/**
 * `GET /api/v1/sources?range=…[&<dimension>=…]`: QoE per source (`sdk` or `cmcd`) × player name ×
 * player version over the whole-minute window, most sessions first (the dashboard's Sources
 * card). Reads rollups only (core-pipeline/queries/source-answers.ts).
 */
import { sourceRows } from '../../core-pipeline/queries/source-answers.js';
import { parseWindow } from './params.js';
import { parseFilters, shownFilters } from './rollup-routes.js';
import type { ApiContext, ApiResponse } from './routes.js';

/** The endpoint's line in the /api/v1 index. */
export const SOURCES_ENDPOINT = {
  'GET /api/v1/sources?range=…[&<dimension>=…]':
    'QoE per source (sdk | cmcd) × player name × player version, most sessions first',
};

/** The sources route (see the file comment). */
export async function sourcesRoute(
  q: URLSearchParams,
  ctx: ApiContext,
  now: number,
): Promise<ApiResponse> {
  const w = parseWindow(q, now);
  if (!w.ok) return { status: 400, body: w.error };
  const f = parseFilters(q);
  if (!f.ok) return { status: 400, body: f.error };
  const r = await sourceRows(ctx.rollups, { from: w.value.from, to: w.value.to, filters: f.value });
  return {
    status: 200,
    body: {
      since: new Date(r.fromMs).toISOString(),
      to: new Date(r.toMs).toISOString(),
      filters: shownFilters(f.value),
      rows: r.rows,
    },
  };
}
