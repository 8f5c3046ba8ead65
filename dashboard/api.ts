/**
 * The /api/v1 answers the dashboard reads, and the fetch that gets them. The shapes come from the
 * store's query types (type-only imports: nothing of core-pipeline/ ends up in the page bundle)
 * plus what local/api/routes.ts adds around them.
 */
import type {
  BreakdownRow,
  Dimension,
  DimensionFilters,
  QoeSummary,
  TimeseriesResult,
  Totals,
} from '../core-pipeline/queries/types.js';
import type { StoredBadRow } from '../core-pipeline/rows.js';
import type { EventType } from '../schemas/index.js';

/** `GET /api/v1/timeseries`. */
export interface TimeseriesAnswer extends TimeseriesResult {
  from: string;
  to: string;
}

/** `GET /api/v1/totals`: the window totals and the events per type. */
export interface TotalsAnswer extends Totals {
  since: string;
  byType: Record<EventType, number>;
}

/** `GET /api/v1/qoe`. */
export interface QoeAnswer extends QoeSummary {
  since: string;
  filters: DimensionFilters;
}

/** `GET /api/v1/breakdown`. */
export interface BreakdownAnswer {
  dimension: Dimension;
  since: string;
  rows: BreakdownRow[];
}

/** `GET /api/v1/bad-rows`: bad rows per reason in the window, and the newest ones. */
export interface BadRowsAnswer {
  since: string;
  counts: Record<string, number>;
  recent: StoredBadRow[];
}

/** `GET /api/v1/health`: the fields the footer shows (the rest is the local stack's own). */
export interface HealthAnswer {
  status: string;
  uptimeSeconds?: number;
  store?: { kind: string };
}

/** The `{ error, detail }` body of a failed API call. */
interface ApiError {
  error?: string;
  detail?: string;
}

/** GETs `path` uncached; a non-2xx answer throws with its status and the API's error. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  const body: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const { error, detail } = body as ApiError;
    throw new Error(`${path}: ${res.status} ${error || ''} ${detail || ''}`.trim());
  }
  return body as T;
}
