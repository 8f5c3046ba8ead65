/**
 * The /api/v1 answers the dashboard reads, and the fetch that gets them. The shapes come from the
 * store's query types (type-only imports: nothing of core-pipeline/ ends up in the page bundle)
 * plus what local/api/routes.ts adds around them.
 */
import type {
  BreakdownOverall,
  RollupBreakdownRow,
  RollupQoeSummary,
} from '../core-pipeline/queries/rollup-answers.js';
import type { ReceivedSummary, TimeseriesResult } from '../core-pipeline/queries/types.js';
import type { RollupDimension, RollupFilters } from '../core-pipeline/rollups/aggregate.js';
import type { StoredBadRow } from '../core-pipeline/rows.js';
import type { EventType } from '../schemas/index.js';

/** `GET /api/v1/timeseries`: from the rollups when the buckets are whole minutes. */
export interface TimeseriesAnswer extends TimeseriesResult {
  from: string;
  to: string;
  source: 'rollups' | 'events';
}

/**
 * `GET /api/v1/totals`: events (per type too), sessions, plays and contents in the whole-minute
 * window [since, to) from the rollups; bad rows and receive times from the raw rows since then.
 */
export interface TotalsAnswer extends ReceivedSummary {
  since: string;
  to: string;
  events: number;
  sessions: number;
  plays: number;
  contents: number;
  byType: Record<EventType, number>;
}

/** `GET /api/v1/qoe`: the QoE of the whole-minute window [since, to). */
export interface QoeAnswer extends RollupQoeSummary {
  since: string;
  to: string;
  filters: RollupFilters;
}

/** `GET /api/v1/breakdown`. */
export interface BreakdownAnswer {
  dimension: RollupDimension;
  since: string;
  to: string;
  overall: BreakdownOverall;
  rows: RollupBreakdownRow[];
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
