import { describe, expect, it } from 'vitest';
import type { EventQueries } from '../../../core-pipeline/queries/types.js';
import { parseDiagnoseWindow } from '../../../local/api/diagnose.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import { syntheticAudience } from '../../helpers/diagnose-audience.js';
import { memoryRollups } from '../../helpers/memory-rollups.js';

const NOW = Date.UTC(2026, 10, 30, 3, 0, 30);
const T0 = Date.UTC(2026, 10, 30, 2, 50);

/** Event queries diagnose must not touch: it reads rollups only. */
const noEventQueries = new Proxy({} as EventQueries, {
  get: (_t, name) => () => Promise.reject(new Error(`diagnose read raw events (${String(name)})`)),
});

function context(): ApiContext & { calls: unknown[] } {
  const audience = syntheticAudience(6, 6_000, [
    { dimension: 'pop', value: 'GRU50-C1', kind: 'start_failure', factor: 6 },
  ]);
  const rollups = memoryRollups(
    audience.rows.map((r) => ({ ...r, minute: T0 + r.minute * 60_000 })),
  );
  return {
    queries: noEventQueries,
    rollups,
    health: () => ({}),
    now: () => NOW,
    calls: rollups.calls,
  } as ApiContext & { calls: unknown[] };
}

const get = (ctx: ApiContext, query: string) =>
  handleApi('GET', '/diagnose', new URLSearchParams(query), ctx);

describe('GET /api/v1/diagnose', () => {
  it('ranks the faulty slice first, with the top finding per minute', async () => {
    const r = await get(context(), 'since=15m&limit=3');
    expect(r.status).toBe(200);
    const body = r.body as {
      window: { from: string; to: string };
      findings: { metric: string; dimension: string; value: string }[];
      top: {
        finding: unknown;
        series: { t: number; slice: number | null; baseline: number | null }[];
      };
    };
    // 15 minutes back from 03:00:30 is 02:45:30, down to its minute; the end up to 03:01.
    expect(body.window).toStrictEqual({
      from: '2026-11-30T02:45:00.000Z',
      to: '2026-11-30T03:01:00.000Z',
    });
    expect(body.findings.length).toBeGreaterThan(0);
    expect(body.findings.length).toBeLessThanOrEqual(3);
    expect(body.findings[0]).toMatchObject({
      metric: expect.stringMatching(/failure_rate$/),
      dimension: 'pop',
      value: 'GRU50-C1',
    });
    expect(body.top.finding).toStrictEqual(body.findings[0]);
    expect(body.top.series).toHaveLength(16);
    // The audience played in 02:50..02:59: before it both sides are empty.
    expect(body.top.series[0]).toStrictEqual({
      t: Date.parse('2026-11-30T02:45:00Z'),
      slice: null,
      baseline: null,
    });
    expect(body.top.series[5].slice).toBeGreaterThan(body.top.series[5].baseline ?? 1);
  });

  it('accepts range= and from=/to= as the other endpoints do', async () => {
    const a = await get(context(), 'range=1h');
    expect(a.status).toBe(200);
    expect((a.body as { window: { from: string } }).window.from).toBe('2026-11-30T02:00:00.000Z');
    const b = await get(context(), 'from=2026-11-30T02:50:00Z&to=2026-11-30T02:52:00Z');
    expect((b.body as { window: unknown }).window).toStrictEqual({
      from: '2026-11-30T02:50:00.000Z',
      to: '2026-11-30T02:52:00.000Z',
    });
  });

  it.each([
    ['since=30s', 'since: must be between 1m and 24h'],
    ['since=2d', 'since: must be between 1m and 24h'],
    ['since=15m&range=1h', 'since: give either since or range/from, not both'],
    ['since=soon', 'since: "soon" is not an ISO 8601 time such as 2026-11-28T12:00:00Z'],
    ['range=2m', 'range: must be one of 5m, 15m, 1h, 6h, 24h'],
    ['limit=0', 'limit: must be between 1 and 100'],
  ])('refuses %s with 400 and the reason', async (query, detail) => {
    const r = await get(context(), query);
    expect(r).toStrictEqual({ status: 400, body: { error: 'invalid_parameter', detail } });
  });

  it('is listed in the API index', async () => {
    const r = await handleApi('GET', '/', new URLSearchParams(), context());
    expect(Object.keys((r.body as { endpoints: object }).endpoints)).toContain(
      'GET /api/v1/diagnose?since=15m|range=…[&limit=n][&<dimension>=…]',
    );
  });

  it('slices by source, and analyses only the filtered source with source=', async () => {
    // The faulty POP's sessions all reached us as CMCD reports; everyone else through the SDK.
    const audience = syntheticAudience(6, 6_000, [
      { dimension: 'pop', value: 'GRU50-C1', kind: 'start_failure', factor: 6 },
    ]);
    const rows = audience.rows.map((r) => ({
      ...r,
      minute: T0 + r.minute * 60_000,
      key: { ...r.key, source: r.key.pop === 'GRU50-C1' ? 'cmcd' : 'sdk' },
    }));
    const ctx = { ...context(), rollups: memoryRollups(rows) };
    type Body = {
      audience: { plays: number };
      filters: object;
      findings: { dimension: string; value: string }[];
    };
    const all = (await get(ctx, 'since=15m')).body as Body;
    expect(all.findings).toContainEqual(
      expect.objectContaining({ dimension: 'source', value: 'cmcd' }),
    );
    const sdk = (await get(ctx, 'since=15m&source=sdk')).body as Body;
    const plays = (source: string) =>
      rows.filter((r) => r.key.source === source).reduce((a, r) => a + r.agg.plays, 0);
    expect(sdk.filters).toStrictEqual({ source: 'sdk' });
    expect(sdk.audience.plays).toBe(plays('sdk'));
    expect(sdk.findings.some((f) => f.value === 'GRU50-C1' || f.value === 'cmcd')).toBe(false);
    const cmcd = (await get(ctx, 'since=15m&source=cmcd')).body as Body;
    expect(cmcd.audience.plays).toBe(plays('cmcd'));
    expect(cmcd.audience.plays).toBeGreaterThan(0);
  });
});

describe('parseDiagnoseWindow', () => {
  it('reads durations in seconds, minutes, hours and days', () => {
    const w = (since: string) => parseDiagnoseWindow(new URLSearchParams({ since }), NOW);
    expect(w('90s')).toStrictEqual({
      ok: true,
      value: { from: new Date(NOW - 90_000), to: new Date(NOW) },
    });
    expect(w('2h')).toStrictEqual({
      ok: true,
      value: { from: new Date(NOW - 7_200_000), to: new Date(NOW) },
    });
    expect(w('1d')).toStrictEqual({
      ok: true,
      value: { from: new Date(NOW - 86_400_000), to: new Date(NOW) },
    });
  });
});
