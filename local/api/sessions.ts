/**
 * The session explorer's API: `GET /api/v1/sessions/<id>` (one session: timeline, QoE numbers,
 * where it was served from, bad rows) and `GET /api/v1/sessions?range=…&<dimension>=…&outcome=…`
 * (recent sessions of a slice, most recently active first). Wired into ./routes.ts by
 * `sessionRoute`; answers use the same `{ error, detail }` bodies as every other endpoint.
 */
import { MAX_FILTER_LENGTH } from '../../core-pipeline/queries/guards.js';
import { SESSION_OUTCOMES } from '../../core-pipeline/queries/duckdb-sessions.js';
import type { RollupFilters } from '../../core-pipeline/rollups/aggregate.js';
import { ROLLUP_DIMENSIONS } from '../../core-pipeline/rollups/aggregate.js';
import { LIMITS } from '../../schemas/index.js';
import { parseChoice, parseInteger, parseWindow } from './params.js';
import type { ApiContext, ApiResponse } from './routes.js';

type SessionRoute = (q: URLSearchParams, ctx: ApiContext, now: number) => Promise<ApiResponse>;

const json = (body: unknown, status = 200): ApiResponse => ({ status, body });

/** The endpoints for the API index. */
export const SESSION_ENDPOINTS: Record<string, string> = {
  'GET /api/v1/sessions/<session id>':
    'one session: its events on a timeline (ms since playback began), QoE numbers, where it was served from, bad rows',
  [`GET /api/v1/sessions?range=…[&${ROLLUP_DIMENSIONS.join('=…&')}=…][&outcome=${SESSION_OUTCOMES.join('|')}][&limit=1..200]`]:
    'recent sessions of a slice, most recently active first',
};

/** The route for `sessions` or `sessions/<id>` (path without /api/v1/), else undefined. */
export function sessionRoute(name: string): SessionRoute | undefined {
  if (name === 'sessions') return listSessions;
  if (!name.startsWith('sessions/')) return undefined;
  const id = decodeURIComponentSafe(name.slice('sessions/'.length));
  return (_q, ctx) => oneSession(id, ctx);
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const unavailable = json(
  { error: 'not_available', detail: 'this store does not offer the session explorer' },
  501,
);

async function oneSession(id: string | null, ctx: ApiContext): Promise<ApiResponse> {
  if (id === null || !LIMITS.idPattern.test(id))
    return json(
      {
        error: 'invalid_parameter',
        detail: `session id: must match ${LIMITS.idPattern} (8 to 64 letters, digits, _ or -)`,
      },
      400,
    );
  if (!ctx.sessions) return unavailable;
  const session = await ctx.sessions.session(id);
  if (!session)
    return json({ error: 'not_found', detail: `no stored event of session ${id}` }, 404);
  return json(session);
}

async function listSessions(q: URLSearchParams, ctx: ApiContext, now: number) {
  const w = parseWindow(q, now);
  if (!w.ok) return json(w.error, 400);
  const bad = (detail: string) => json({ error: 'invalid_parameter', detail }, 400);
  const rawOutcome = q.get('outcome') || null;
  const outcome = rawOutcome ? parseChoice('outcome', rawOutcome, SESSION_OUTCOMES) : undefined;
  if (outcome && !outcome.ok) return json(outcome.error, 400);
  const limit = parseInteger('limit', q.get('limit'), 50, 1, 200);
  if (!limit.ok) return json(limit.error, 400);
  const filters: RollupFilters = {};
  for (const d of ROLLUP_DIMENSIONS) {
    const v = q.get(d);
    if (v === null) continue;
    if (v.length > MAX_FILTER_LENGTH) return bad(`${d}: at most 256 characters`);
    filters[d] = v;
  }
  if (!ctx.sessions) return unavailable;
  const sessions = await ctx.sessions.recentSessions({
    since: w.value.from,
    filters,
    outcome: outcome?.value,
    limit: limit.value,
  });
  return json({
    since: w.value.from.toISOString(),
    filters,
    outcome: outcome?.value ?? null,
    sessions,
  });
}
