/**
 * The session explorer's endpoints through `handleApi`, over a real DuckDB store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { createDuckDbSessionQueries } from '../../../core-pipeline/queries/duckdb-sessions.js';
import type { SessionDetail, SessionSummary } from '../../../core-pipeline/queries/types.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { handleApi, type ApiContext } from '../../../local/api/routes.js';
import { badRow, edgeContext, enrichedRecord, event } from '../../helpers/records.js';
import { batchOf } from '../../helpers/temp-store.js';

const now = Date.now();
const record = (id: string, pop: string, country: string, at: number, fatal = false) =>
  enrichedRecord({
    session_id: id,
    received_at: at,
    geo: { country, asn: '3320' },
    edge: edgeContext(`req-${id}`, pop),
    events: [
      event('requested', { seq: 0, ts: at - 3000 }),
      fatal
        ? event('error', { seq: 1, ts: at - 2000, code: 'MANIFEST', fatal: true })
        : event('first_frame', { seq: 1, ts: at - 2000, startup_ms: 1000 }),
      event('paused', { seq: 2, ts: at - 1000 }),
    ],
  });

describe('GET /api/v1/sessions', () => {
  let store: DuckDbStore;
  let ctx: ApiContext;
  const get = (path: string, query = '') => handleApi('GET', path, new URLSearchParams(query), ctx);

  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
    await store.writeBatch(
      batchOf(
        [
          record('sess_mad_fail', 'MAD50-C2', 'ES', now - 20_000, true),
          record('sess_mad_ok_1', 'MAD50-C2', 'ES', now - 10_000),
          record('sess_fra_ok_1', 'FRA56-C1', 'DE', now - 5_000),
          record('sess_old_fra1', 'FRA56-C1', 'DE', now - 7_200_000),
        ],
        { badRows: [badRow({ session_id: 'sess_fra_ok_1', received_at: now - 5_000 })] },
      ),
    );
    ctx = {
      queries: createDuckDbQueries(store),
      rollups: createDuckDbRollupQueries(store),
      sessions: createDuckDbSessionQueries(store, () => now),
      health: () => ({}),
      now: () => now,
    };
  });
  afterAll(() => store.close());

  it('/sessions/<id> answers the session with its timeline, place and bad rows', async () => {
    const r = await get('/sessions/sess_fra_ok_1');
    expect(r.status).toBe(200);
    const s = r.body as SessionDetail;
    expect(s.timeline.map((e) => [e.type, e.t])).toStrictEqual([
      ['requested', 0],
      ['first_frame', 1000],
      ['paused', 2000],
    ]);
    expect(s.place.pop).toBe('FRA56-C1');
    expect(s.startupMs).toBe(1000);
    expect(s.badRows).toHaveLength(1);
  });

  it('/sessions/<id> is 404 for an unknown session and 400 for an invalid id', async () => {
    expect(await get('/sessions/sess_nobody_1')).toStrictEqual({
      status: 404,
      body: { error: 'not_found', detail: 'no stored event of session sess_nobody_1' },
    });
    for (const bad of ['short', 'has%20space', `${'a'.repeat(65)}`, 'a/b/c/d/e/f/g', '%E0%A4%A'])
      expect((await get(`/sessions/${bad}`)).status).toBe(400);
    expect(
      (await handleApi('POST', '/sessions/sess_fra_ok_1', new URLSearchParams(), ctx)).status,
    ).toBe(405);
  });

  it('/sessions lists recent sessions, filtered by any rollup dimension and outcome', async () => {
    const ids = async (query: string) => {
      const r = await get('/sessions', query);
      expect(r.status).toBe(200);
      return (r.body as { sessions: SessionSummary[] }).sessions.map((s) => s.sessionId);
    };
    expect(await ids('range=15m')).toStrictEqual([
      'sess_fra_ok_1',
      'sess_mad_ok_1',
      'sess_mad_fail',
    ]);
    expect(await ids('range=24h&country=DE')).toStrictEqual(['sess_fra_ok_1', 'sess_old_fra1']);
    expect(await ids('range=15m&pop=MAD50-C2')).toStrictEqual(['sess_mad_ok_1', 'sess_mad_fail']);
    expect(await ids('range=15m&pop=MAD50-C2&outcome=start_failure')).toStrictEqual([
      'sess_mad_fail',
    ]);
    expect(await ids('range=15m&asn=3320&serving_region=eu-central-1&limit=1')).toStrictEqual([
      'sess_fra_ok_1',
    ]);
    const body = (await get('/sessions', 'range=1h&pop=MAD50-C2&outcome=playing')).body;
    expect(body).toMatchObject({ filters: { pop: 'MAD50-C2' }, outcome: 'playing' });
  });

  it.each([
    ['range=2d', 'range: must be one of 5m, 15m, 1h, 6h, 24h'],
    [
      'outcome=bored',
      'outcome: must be one of playing, ended, start_failure, playback_failure, exit_before_start, starting',
    ],
    ['limit=0', 'limit: must be between 1 and 200'],
    ['limit=201', 'limit: must be between 1 and 200'],
    [`pop=${'x'.repeat(513)}`, 'pop: at most 256 characters'],
  ])('/sessions?%s is a 400 with its reason', async (query, detail) => {
    expect(await get('/sessions', query)).toStrictEqual({
      status: 400,
      body: { error: 'invalid_parameter', detail },
    });
  });

  it('is listed in the API index, and 501 when the store has no session queries', async () => {
    const index = (await get('/')).body as { endpoints: Record<string, string> };
    expect(Object.keys(index.endpoints).filter((k) => k.includes('/sessions'))).toHaveLength(2);
    const bare = { ...ctx, sessions: undefined };
    const r = await handleApi('GET', '/sessions/sess_fra_ok_1', new URLSearchParams(), bare);
    expect(r.status).toBe(501);
  });
});
