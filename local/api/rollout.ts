/**
 * `GET /api/v1/rollout?range=1h&by=schema|sdk[&bucket=s]`: the rollout panel's answer (per schema
 * version or SDK release: events, sessions, share, bad-row rate, error rate, startup p50/p95,
 * rollout refusals; totals and a series per version). Read from the rollups, so buckets are whole
 * minutes: a range's default bucket below a minute becomes a minute, an explicit `bucket` must be
 * a multiple of 60. Errors are the API's `{ error, detail }` bodies (see routes.ts).
 */
import { ROLLOUT_GROUPINGS } from '../../core-pipeline/queries/rollout-answers.js';
import { parseChoice, parseWindow } from './params.js';
import type { ApiContext, ApiResponse } from './routes.js';

const json = (body: unknown, status = 200): ApiResponse => ({ status, body });
const iso = (ms: number): string => new Date(ms).toISOString();

/** The endpoint for the API index. */
export const ROLLOUT_ENDPOINT: Record<string, string> = {
  [`GET /api/v1/rollout?range=…&by=${ROLLOUT_GROUPINGS.join('|')}[&bucket=s, a multiple of 60]`]:
    'per schema version or SDK release: events, sessions, share of events, bad-row rate, error rate, startup p50/p95 and rollout refusals, in total and per bucket',
};

/** The rollout route (merged into the route table by routes.ts). */
export async function rolloutRoute(
  q: URLSearchParams,
  ctx: ApiContext,
  now: number,
): Promise<ApiResponse> {
  const by = parseChoice('by', q.get('by'), ROLLOUT_GROUPINGS, 'schema');
  if (!by.ok) return json(by.error, 400);
  const w = parseWindow(q, now);
  if (!w.ok) return json(w.error, 400);
  const explicit = q.get('bucket');
  if (explicit !== null && explicit !== '' && w.value.bucketSeconds % 60 !== 0)
    return json(
      {
        error: 'invalid_parameter',
        detail: 'bucket: must be a multiple of 60 (the rollout panel reads the per-minute rollups)',
      },
      400,
    );
  if (!ctx.rollout)
    return json(
      { error: 'not_available', detail: 'this store does not offer the rollout panel' },
      501,
    );
  const bucketSeconds = Math.ceil(w.value.bucketSeconds / 60) * 60;
  const r = await ctx.rollout.rollout({
    from: w.value.from,
    to: w.value.to,
    bucketSeconds,
    by: by.value,
  });
  const { fromMs, toMs, ...rest } = r;
  return json({ since: iso(fromMs), to: iso(toMs), ...rest });
}
