/**
 * The dashboard's API calls, two ways: "after" through the API handler as it serves them now
 * (rollups where they apply), "before" as the raw-event queries the handler used to run for the
 * same calls (same file, same moment). Each call's latency is sampled one request at a time.
 */
import type { EventQueries } from '../../core-pipeline/queries/types.js';
import { DEMO_EVENT_TYPES } from '../../schemas/index.js';
import { handleApi, type ApiContext } from '../../local/api/routes.js';

/** One API call the page makes. */
export interface Endpoint {
  name: string;
  call: () => Promise<unknown>;
}

/** Ranges the benchmark reads, with the bucket the old API drew their timeseries at. */
export const RANGES = { '1h': { ms: 3_600_000, bucket: 30 }, '15m': { ms: 900_000, bucket: 10 } };
export type RangeName = keyof typeof RANGES;
/** The regional-diagnostics tabs of the page. */
const TABS = ['pop', 'country', 'serving_region', 'asn'] as const;

/** Calls the API handler and serialises the answer, as the HTTP adapter would; non-200 throws. */
async function api(ctx: ApiContext, path: string, query: string): Promise<unknown> {
  const r = await handleApi('GET', path, new URLSearchParams(query), ctx);
  if (r.status !== 200) throw new Error(`${path}?${query}: ${r.status} ${JSON.stringify(r.body)}`);
  return JSON.stringify(r.body).length;
}

/** The page's calls through today's API (plus diagnose when the API has it). */
export async function afterEndpoints(ctx: ApiContext, range: RangeName): Promise<Endpoint[]> {
  const now = () => (ctx.now ?? Date.now)();
  const r = `range=${range}`;
  const list: Endpoint[] = [
    {
      name: 'counts',
      call: () => api(ctx, '/counts', `since=${new Date(now() - RANGES[range].ms).toISOString()}`),
    },
    {
      name: 'timeseries',
      call: () => api(ctx, '/timeseries', `types=${DEMO_EVENT_TYPES.join(',')}&${r}`),
    },
    { name: 'totals', call: () => api(ctx, '/totals', r) },
    { name: 'qoe', call: () => api(ctx, '/qoe', r) },
    ...TABS.map((d) => ({
      name: `breakdown ${d}`,
      call: () => api(ctx, '/breakdown', `dimension=${d}&${r}&limit=15`),
    })),
    { name: 'bad-rows', call: () => api(ctx, '/bad-rows', `${r}&limit=25`) },
  ];
  list.push({ name: 'diagnose', call: () => api(ctx, '/diagnose', r) });
  if (ctx.rollout)
    for (const by of ['schema', 'sdk'])
      list.push({ name: `rollout ${by}`, call: () => api(ctx, '/rollout', `${r}&by=${by}`) });
  // The session explorer: the recent-sessions list, one slice's list and one session's page.
  if (ctx.sessions) {
    list.push({ name: 'sessions', call: () => api(ctx, '/sessions', `${r}&limit=50`) });
    const probe = await handleApi('GET', '/sessions', new URLSearchParams(`${r}&limit=1`), ctx);
    const first = (probe.body as { sessions?: { sessionId: string; place: { pop: string } }[] })
      .sessions?.[0];
    if (first) {
      list.push(
        {
          name: 'sessions of a pop',
          call: () => api(ctx, '/sessions', `${r}&pop=${first.place.pop}&limit=50`),
        },
        { name: 'session', call: () => api(ctx, `/sessions/${first.sessionId}`, '') },
      );
    }
  }
  return list;
}

/** The same calls as the raw-event queries the API ran before the rollups. */
export function beforeEndpoints(
  raw: EventQueries,
  range: RangeName,
  now: () => number,
): Endpoint[] {
  const since = () => new Date(now() - RANGES[range].ms);
  return [
    { name: 'counts', call: () => raw.countsSince(since()) },
    {
      name: 'timeseries',
      call: () =>
        raw.timeseries({
          types: [...DEMO_EVENT_TYPES],
          from: since(),
          to: new Date(now()),
          bucketSeconds: RANGES[range].bucket,
        }),
    },
    {
      name: 'totals',
      call: () => Promise.all([raw.totals({ since: since() }), raw.countsSince(since())]),
    },
    { name: 'qoe', call: () => raw.qoe({ since: since() }) },
    ...TABS.map((dimension) => ({
      name: `breakdown ${dimension}`,
      call: () => raw.breakdown({ dimension, since: since(), limit: 15 }),
    })),
    {
      name: 'bad-rows',
      call: () => Promise.all([raw.badRowCounts(since()), raw.recentBadRows(25)]),
    },
  ];
}

/** Latencies of the calls that answered, and the calls that failed (with the first error). */
export interface Samples {
  ms: number[];
  errors: number;
  firstError: string | null;
}

/**
 * Latencies (ms) of `samples` calls one after another, stopping early once `budgetMs` is spent
 * (but never before `minSamples`), after an unmeasured warm-up call when `warmUp`. A call that
 * fails (e.g. the store out of memory) is counted, not timed.
 */
export async function sample(
  e: Endpoint,
  opts: { samples: number; minSamples: number; budgetMs: number; warmUp: boolean },
): Promise<Samples> {
  const out: Samples = { ms: [], errors: 0, firstError: null };
  const attempt = async (): Promise<boolean> => {
    try {
      await e.call();
      return true;
    } catch (err) {
      out.errors += 1;
      out.firstError ??= err instanceof Error ? err.message.split('\n')[0] : String(err);
      return false;
    }
  };
  if (opts.warmUp) await attempt();
  const start = performance.now();
  for (let i = 0; i < opts.samples; i++) {
    const t = performance.now();
    if (await attempt()) out.ms.push(performance.now() - t);
    if (i + 1 >= opts.minSamples && performance.now() - start > opts.budgetMs) break;
  }
  return out;
}
