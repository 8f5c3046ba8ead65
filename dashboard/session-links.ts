/**
 * Links into the session explorer, and reading them back. `/dashboard?session=<id>` opens one
 * session; `/dashboard?sessions=<dimension>:<value>[,<dimension>:<value>…]` lists the recent
 * sessions of a slice (`sessions=all` for every slice), with optional `range` (15m, 1h, 6h, 24h)
 * and `outcome`. Kept free of DOM code so other views (Diagnostics) can import it alone.
 */
import type { RollupDimension } from '../core-pipeline/rollups/aggregate.js';

/** The rollup dimensions a list may filter on (the API's allow-list; repeated for the bundle). */
export const SESSION_FILTER_DIMENSIONS: readonly RollupDimension[] = [
  'serving_region',
  'pop',
  'country',
  'country_region',
  'asn',
  'device',
  'player_name',
  'sdk_name',
  'sdk_version',
  'schema_version',
  'content_id',
  'source',
  'player_version',
];

/** The link to one session's page. */
export function sessionLink(sessionId: string): string {
  return `/dashboard?session=${encodeURIComponent(sessionId)}`;
}

/**
 * The link to example sessions of one slice, e.g. `sessionsLink('pop', 'MAD50-C2')` →
 * `/dashboard?sessions=pop%3AMAD50-C2`. `range` (default the list's 15m) and `outcome` narrow it.
 */
export function sessionsLink(
  dimension: RollupDimension,
  value: string,
  opts: { range?: string; outcome?: string } = {},
): string {
  return sliceSessionsLink({ [dimension]: value }, opts);
}

/**
 * The link to example sessions of a slice on several dimensions at once, e.g. an SDK release:
 * `{ sdk_name: 'beacon-edge-web', sdk_version: '1.1.0' }` (a version alone is every SDK's).
 */
export function sliceSessionsLink(
  filters: Partial<Record<RollupDimension, string>>,
  opts: { range?: string; outcome?: string } = {},
): string {
  const sessions = Object.entries(filters)
    .map(([d, v]) => `${d}:${v}`)
    .join(',');
  const q = new URLSearchParams({ sessions });
  if (opts.range) q.set('range', opts.range);
  if (opts.outcome) q.set('outcome', opts.outcome);
  return `/dashboard?${q.toString()}`;
}

/** What a dashboard URL asks the explorer for; null for the main dashboard. */
export type ExplorerRequest =
  | { view: 'session'; sessionId: string }
  | {
      view: 'sessions';
      filters: Partial<Record<RollupDimension, string>>;
      range: string;
      outcome: string | null;
    };

/** Reads `location.search`; unknown dimensions in `sessions=` are ignored. */
export function explorerRequest(search: string): ExplorerRequest | null {
  const q = new URLSearchParams(search);
  const id = q.get('session');
  if (id !== null) return { view: 'session', sessionId: id };
  const list = q.get('sessions');
  if (list === null) return null;
  const filters: Partial<Record<RollupDimension, string>> = {};
  // A comma separates filters only before a `name:`, so a value may hold commas ("a, b").
  for (const part of list.split(/,(?=[a-z_]+:)/)) {
    const at = part.indexOf(':');
    if (at < 0) continue;
    const dim = part.slice(0, at) as RollupDimension;
    if (SESSION_FILTER_DIMENSIONS.includes(dim)) filters[dim] = part.slice(at + 1);
  }
  return { view: 'sessions', filters, range: q.get('range') || '15m', outcome: q.get('outcome') };
}

/** The API path that answers a list request. */
export function sessionsApiPath(r: Extract<ExplorerRequest, { view: 'sessions' }>): string {
  const q = new URLSearchParams({ range: r.range, limit: '100' });
  for (const [d, v] of Object.entries(r.filters)) q.set(d, v);
  if (r.outcome) q.set('outcome', r.outcome);
  return `/api/v1/sessions?${q.toString()}`;
}
