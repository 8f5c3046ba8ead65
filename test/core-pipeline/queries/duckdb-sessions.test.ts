/**
 * The session explorer's reads on a real DuckDB store, with sessions small enough that every
 * expected number is computed by hand next to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../../../core-pipeline/errors.js';
import { createDuckDbSessionQueries } from '../../../core-pipeline/queries/duckdb-sessions.js';
import type { SessionQueries } from '../../../core-pipeline/queries/types.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import type { EnrichedEvent, EnrichedRecord } from '../../../schemas/record.js';
import { badRow, edgeContext, enrichedRecord, event, T0 } from '../../helpers/records.js';
import { batchOf } from '../../helpers/temp-store.js';

const hb = (
  ts: number,
  played_ms: number,
  stall_ms: number,
  stall_count: number,
  bitrate?: number,
) => event('heartbeat', { ts, played_ms, stall_ms, stall_count, ...(bitrate ? { bitrate } : {}) });
const end = (ts: number, played_ms = 0, stall_ms = 0, stall_count = 0) =>
  event('session_end', { ts, played_ms, stall_ms, stall_count, reason: 'unload' });

function record(
  id: string,
  where: { pop: string; country: string },
  events: EnrichedEvent[],
  received_at: number,
): EnrichedRecord {
  const base = enrichedRecord();
  return enrichedRecord({
    session_id: id,
    received_at,
    viewer_id: `viewer-${id}`,
    geo: { ...base.geo, country: where.country },
    edge: edgeContext(`req-${id}-${received_at}`, where.pop),
    events,
  });
}
const seqd = (events: EnrichedEvent[], from = 0) => events.map((e, i) => ({ ...e, seq: from + i }));
const FRA = { pop: 'FRA56-C1', country: 'DE' };
const MAD = { pop: 'MAD50-C2', country: 'ES' };

/** A: a full playback, sent as two batches that arrive in reverse order. */
const A_FIRST = seqd([
  event('requested', { ts: T0 }),
  event('first_frame', { ts: T0 + 800, startup_ms: 800 }),
  event('started', { ts: T0 + 800 }),
  event('bitrate_changed', { ts: T0 + 5000, bitrate: 3_000_000, prev_bitrate: 1_500_000 }),
  event('stall_start', { ts: T0 + 10_000 }),
  event('stall_end', { ts: T0 + 10_500, stall_ms: 500 }),
]);
const A_SECOND = seqd(
  [
    hb(T0 + 20_000, 18_700, 500, 1, 2_500_000),
    event('paused', { ts: T0 + 25_000 }),
    event('volume_changed', { ts: T0 + 26_000, volume: 0.5, muted: false }),
    hb(T0 + 40_000, 30_000, 500, 1, 2_400_000),
    end(T0 + 45_000, 32_000, 500, 1),
  ],
  6,
);
const A = 'sessA_full_1';
const RECORDS = [
  record(A, FRA, A_SECOND, T0 + 45_100),
  record(A, FRA, A_FIRST, T0 + 45_200),
  // B: start failure (fatal error, no first frame), last event at +31.5 s.
  record(
    'sessB_fail_1',
    MAD,
    seqd([
      event('requested', { ts: T0 + 30_000 }),
      event('error', { ts: T0 + 31_000, code: 'MANIFEST_LOAD', fatal: true }),
      end(T0 + 31_500),
    ]),
    T0 + 32_000,
  ),
  // C: exit before start, last event at +52 s.
  record(
    'sessC_exit_1',
    MAD,
    seqd([event('requested', { ts: T0 + 50_000 }), end(T0 + 52_000)]),
    T0 + 53_000,
  ),
  // D: still playing, last event at +70 s (inside the last minute before NOW).
  record(
    'sessD_play_1',
    MAD,
    seqd([
      event('requested', { ts: T0 + 60_000 }),
      event('first_frame', { ts: T0 + 61_200, startup_ms: 1200 }),
      hb(T0 + 70_000, 8000, 0, 0, 1_000_000),
    ]),
    T0 + 71_000,
  ),
  // L: a long session (started 40 min before T0), still playing at +90 s.
  record(
    'sessL_long_1',
    FRA,
    seqd([
      event('requested', { ts: T0 - 2_400_000 }),
      event('first_frame', { ts: T0 - 2_399_000, startup_ms: 1000 }),
      hb(T0 - 2_000_000, 399_000, 0, 0, 1_000_000),
    ]),
    T0 - 1_999_000,
  ),
  record('sessL_long_1', FRA, seqd([hb(T0 + 90_000, 2_489_000, 0, 0, 1_000_000)], 3), T0 + 91_000),
  // E: an hour before T0, outside every window asked below.
  record(
    'sessE_old_01',
    FRA,
    seqd([event('requested', { ts: T0 - 3_600_000 }), end(T0 - 3_590_000)]),
    T0 - 3_589_000,
  ),
];
const NOW = T0 + 100_000;

let store: DuckDbStore;
let q: SessionQueries;
beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
  q = createDuckDbSessionQueries(store, () => NOW);
  for (const r of RECORDS) await store.writeBatch(batchOf([r]));
  await store.writeBatch(
    batchOf([], {
      badRows: [
        badRow({ session_id: A, reason: 'invalid_event', received_at: T0 + 45_100, index: 3 }),
        badRow({ session_id: A, reason: 'duplicate_seq', received_at: T0 + 20_000, index: 0 }),
        badRow({ session_id: 'sessB_fail_1', received_at: T0 + 32_000 }),
      ],
    }),
  );
});
afterAll(() => store.close());

describe('session', () => {
  it('returns every event of the session ordered by seq, timed from its requested event', async () => {
    const s = await q.session(A);
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.events).toBe(11);
    expect(s.timeline.map((e) => e.type)).toStrictEqual([
      'requested',
      'first_frame',
      'started',
      'bitrate_changed',
      'stall_start',
      'stall_end',
      'heartbeat',
      'paused',
      'volume_changed',
      'heartbeat',
      'session_end',
    ]);
    expect(s.timeline.map((e) => e.seq)).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.startedAt).toBe(T0);
    expect(s.timeline.map((e) => e.t)).toStrictEqual([
      0, 800, 800, 5000, 10_000, 10_500, 20_000, 25_000, 26_000, 40_000, 45_000,
    ]);
    expect(s.timeline[1].fields).toStrictEqual({ startup_ms: 800 });
    expect(s.timeline[3].fields).toStrictEqual({ bitrate: 3_000_000, prev_bitrate: 1_500_000 });
    expect(s.timeline[5].fields).toStrictEqual({ stall_ms: 500 });
    expect(s.timeline[8].fields).toStrictEqual({ volume: 0.5, muted: false });
    expect(s.timeline[10].receivedAt).toBe(T0 + 45_100);
    expect(s.firstAt).toBe(T0);
    expect(s.lastAt).toBe(T0 + 45_000);
  });

  it('reports its QoE numbers: startup, latest counters, rebuffer ratio, latest bitrate, outcome', async () => {
    const s = await q.session(A);
    expect(s).toMatchObject({
      sessionId: A,
      viewerId: `viewer-${A}`,
      contentId: 'big-buck-bunny',
      outcome: 'ended',
      startupMs: 800,
      // session_end (seq 10) is the highest-seq counter event.
      playedMs: 32_000,
      stallMs: 500,
      stallCount: 1,
      averageBitrateBps: 2_400_000,
    });
    expect(s?.rebufferRatio).toBeCloseTo(500 / 32_500, 12);
  });

  it('says where it was served from and lists its bad rows, oldest first', async () => {
    const s = await q.session(A);
    expect(s?.place).toStrictEqual({
      pop: 'FRA56-C1',
      serving_region: 'eu-central-1',
      edge_region: 'eu-central-1',
      country: 'DE',
      country_region: 'HE',
      asn: '3320',
      device: 'desktop',
      player_name: 'hls.js',
      player_version: '1.7.4',
      sdk_name: 'beacon-edge-web',
      sdk_version: '0.1.0',
      schema_version: '1-0-0',
      source: 'sdk',
    });
    expect(s?.badRows.map((b) => [b.reason, b.received_at, b.session_id])).toStrictEqual([
      ['duplicate_seq', T0 + 20_000, A],
      ['invalid_event', T0 + 45_100, A],
    ]);
  });

  it('classifies each outcome', async () => {
    const outcome = async (id: string) => (await q.session(id))?.outcome;
    expect(await outcome('sessB_fail_1')).toBe('start_failure');
    expect(await outcome('sessC_exit_1')).toBe('exit_before_start');
    expect(await outcome('sessD_play_1')).toBe('playing');
    const d = await q.session('sessD_play_1');
    expect(d).toMatchObject({ startupMs: 1200, playedMs: 8000, stallMs: 0, rebufferRatio: 0 });
    const b = await q.session('sessB_fail_1');
    expect(b).toMatchObject({ startupMs: null, playedMs: 0, rebufferRatio: null });
  });

  it('is null for an unknown session and refuses an id the schema would refuse', async () => {
    expect(await q.session('sessZ_none_1')).toBeNull();
    for (const bad of ['short', "x'; DROP TABLE events; --", 'a'.repeat(65), ''])
      await expect(q.session(bad)).rejects.toBeInstanceOf(InvalidQueryError);
  });
});

describe('recentSessions', () => {
  const ids = (list: { sessionId: string }[]) => list.map((s) => s.sessionId);

  it('lists sessions active since `since`, most recently active first', async () => {
    expect(ids(await q.recentSessions({ since: new Date(T0) }))).toStrictEqual([
      'sessL_long_1',
      'sessD_play_1',
      'sessC_exit_1',
      A,
      'sessB_fail_1',
    ]);
    // L's and D's last events (+90 s, +70 s) are in the first one-minute window.
    expect(ids(await q.recentSessions({ since: new Date(T0), limit: 2 }))).toStrictEqual([
      'sessL_long_1',
      'sessD_play_1',
    ]);
    expect(ids(await q.recentSessions({ since: new Date(T0 + 50_000) }))).toStrictEqual([
      'sessL_long_1',
      'sessD_play_1',
      'sessC_exit_1',
    ]);
    expect(ids(await q.recentSessions({ since: new Date(T0 - 4_000_000) }))).toContain(
      'sessE_old_01',
    );
  });

  it('filters on rollup dimensions and on outcome', async () => {
    const since = new Date(T0);
    expect(ids(await q.recentSessions({ since, filters: { pop: 'MAD50-C2' } }))).toStrictEqual([
      'sessD_play_1',
      'sessC_exit_1',
      'sessB_fail_1',
    ]);
    expect(
      ids(await q.recentSessions({ since, filters: { country: 'ES' }, outcome: 'start_failure' })),
    ).toStrictEqual(['sessB_fail_1']);
    expect(ids(await q.recentSessions({ since, outcome: 'ended' }))).toStrictEqual([A]);
    expect(await q.recentSessions({ since, filters: { pop: 'NOPE1-C1' } })).toStrictEqual([]);
    expect(
      ids(await q.recentSessions({ since, filters: { asn: '3320', device: 'desktop' } })),
    ).toHaveLength(5);
  });

  it('summarises a long session from its recent events in the list, all of them in session()', async () => {
    const [listed] = await q.recentSessions({ since: new Date(T0 - 3_000_000), limit: 1 });
    const whole = await q.session('sessL_long_1');
    // The list reads 10 minutes before its one-minute window: only the last heartbeat.
    expect(listed).toMatchObject({
      sessionId: 'sessL_long_1',
      events: 1,
      firstAt: T0 + 90_000,
      outcome: 'playing',
      startupMs: null,
      playedMs: 2_489_000,
    });
    expect(whole).toMatchObject({
      events: 4,
      firstAt: T0 - 2_400_000,
      outcome: 'playing',
      startupMs: 1000,
      playedMs: 2_489_000,
    });
  });

  it('gives each listed session the same summary as session()', async () => {
    const [listed] = await q.recentSessions({
      since: new Date(T0),
      filters: { pop: 'FRA56-C1' },
      outcome: 'ended',
    });
    const { timeline, badRows, startedAt, ...summary } = (await q.session(A)) ?? {};
    expect(listed).toStrictEqual(summary);
  });

  it('refuses unknown filters, outcomes and limits', async () => {
    const since = new Date(T0);
    const bad = [
      q.recentSessions({ since, filters: { city: 'x' } as never }),
      q.recentSessions({ since, outcome: 'bored' as never }),
      q.recentSessions({ since, limit: 0 }),
      q.recentSessions({ since, limit: 201 }),
      q.recentSessions({ since: new Date(Number.NaN) }),
    ];
    for (const p of bad) await expect(p).rejects.toBeInstanceOf(InvalidQueryError);
  });
});
