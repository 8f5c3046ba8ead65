/**
 * `GET /api/v1/diagnose?since=15m|range=…|from=&to=[&limit=n][&<dimension>=<value>…]`: the slices
 * significantly worse than the rest in the window, most significant first, and the top one's
 * metric per minute against its baseline (core-pipeline/diagnose/). Dimension filters
 * (`source=cmcd`) narrow the whole analysis to those events. Reads rollups only.
 */
import { diagnoseWindow } from '../../core-pipeline/diagnose/run.js';
import type { ApiContext, ApiResponse } from './routes.js';
import { parseInteger, parseWindow, type Parsed } from './params.js';
import { parseFilters, shownFilters } from './rollup-routes.js';

/** Longest window diagnose analyses: a day of 1-minute rollups. */
const MAX_SINCE_SECONDS = 86_400;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * The window: `since` as a duration ending now (`15m`, `90s`, `2h`, at least a minute, at most a
 * day), else whatever `parseWindow` accepts (`range=15m`, `from=<ISO>&to=<ISO>`, `since=<ISO>`).
 */
export function parseDiagnoseWindow(
  q: URLSearchParams,
  now: number,
): Parsed<{ from: Date; to: Date }> {
  const since = q.get('since');
  const m = since === null ? null : /^(\d+)([smhd])$/.exec(since.trim());
  if (m) {
    if (q.has('range') || q.has('from'))
      return {
        ok: false,
        error: {
          error: 'invalid_parameter',
          detail: 'since: give either since or range/from, not both',
        },
      };
    const seconds = Number(m[1]) * UNIT_SECONDS[m[2]];
    if (seconds < 60 || seconds > MAX_SINCE_SECONDS)
      return {
        ok: false,
        error: { error: 'invalid_parameter', detail: 'since: must be between 1m and 24h' },
      };
    return { ok: true, value: { from: new Date(now - seconds * 1000), to: new Date(now) } };
  }
  const w = parseWindow(q, now);
  if (!w.ok) return w;
  return { ok: true, value: { from: w.value.from, to: w.value.to } };
}

/** The diagnose route (see the file comment). 503 when the stack has no rollups to read. */
export async function diagnoseRoute(
  q: URLSearchParams,
  ctx: ApiContext,
  now: number,
): Promise<ApiResponse> {
  const w = parseDiagnoseWindow(q, now);
  if (!w.ok) return { status: 400, body: w.error };
  const limit = parseInteger('limit', q.get('limit'), 20, 1, 100);
  if (!limit.ok) return { status: 400, body: limit.error };
  const f = parseFilters(q);
  if (!f.ok) return { status: 400, body: f.error };
  const answer = await diagnoseWindow(ctx.rollups, {
    ...w.value,
    limit: limit.value,
    filters: f.value,
  });
  return { status: 200, body: { ...answer, filters: shownFilters(f.value) } };
}
