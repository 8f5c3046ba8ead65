/**
 * Read-side queries on a real DuckDB file, with a data set small enough to compute every
 * expectation by hand (see the comments next to each number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import type { EventQueries } from '../../../core-pipeline/queries/types.js';
import { InvalidQueryError } from '../../../core-pipeline/errors.js';
import { EVENT_TYPES } from '../../../schemas/index.js';
import type { EnrichedEvent, EnrichedRecord } from '../../../schemas/record.js';
import { badRow, enrichedRecord, event, playbackEvents, T0 } from '../../helpers/records.js';
import { batchOf, tempDir } from '../../helpers/temp-store.js';

const RECEIVED = T0 + 10_000;
const HOUR = T0 + 3_600_000;
const hb = (played_ms: number, stall_ms: number, stall_count: number, bitrate?: number) =>
  event('heartbeat', {
    played_ms,
    stall_ms,
    stall_count,
    ...(bitrate === undefined ? {} : { bitrate }),
  });
const end = (played_ms = 0, stall_ms = 0, stall_count = 0) =>
  event('session_end', { played_ms, stall_ms, stall_count, reason: 'unload' });
const fatal = () => event('error', { code: 'MEDIA_ERR', fatal: true });
const requested = () => event('requested', {});

function session(
  id: string,
  country: string,
  pop: string,
  events: EnrichedEvent[],
  received_at = RECEIVED,
): EnrichedRecord {
  const base = enrichedRecord();
  return enrichedRecord({
    session_id: id,
    received_at,
    viewer_id: `viewer-${id}`,
    geo: { ...base.geo, country },
    edge: { ...base.edge, pop },
    events: events.map((e, seq) => ({ ...e, seq })),
  });
}

/** The QoE data set. Startup times: S1 500, S2 1000, S3 3000, S7 9000, S8 700. */
const QOE_SESSIONS = [
  session(
    'S1_session',
    'DE',
    'FRA56-C1',
    playbackEvents(500, [
      hb(10000, 0, 0, 1_000_000),
      hb(20000, 500, 1, 2_000_000),
      end(30000, 1500, 2),
    ]),
  ),
  session(
    'S2_session',
    'DE',
    'FRA56-C1',
    playbackEvents(1000, [
      event('error', { code: 'FRAG_LOAD', fatal: false }),
      hb(20000, 0, 0, 5_000_000),
    ]),
  ),
  session('S3_session', 'US', 'IAD89-C1', playbackEvents(3000)),
  session('S4_session', 'US', 'IAD89-C1', [requested(), fatal(), end()]), // start failure
  session('S5_session', 'US', 'IAD89-C1', [requested(), end()]), // exit before start
  session('S6_session', 'US', 'IAD89-C1', [requested()]), // still starting: neither
  session('S7_session', 'DE', 'FRA56-C1', playbackEvents(9000, [fatal()])), // playback failure
  session('S8_session', 'FR', 'CDG50-C1', playbackEvents(700, [hb(10000, 2000, 1)])),
  // Received before the window: must not count anywhere.
  session('S0_session', 'US', 'IAD89-C1', [requested(), fatal()], T0 - 1000),
];

/** Timeseries data, an hour later: started at +1 s, +2 s, +65 s; paused at +70 s. */
const TS_SESSION = session(
  'TS_session',
  'DE',
  'FRA56-C1',
  [
    event('started', { ts: HOUR + 1000 }),
    event('started', { ts: HOUR + 2000 }),
    event('started', { ts: HOUR + 65000 }),
    event('paused', { ts: HOUR + 70000 }),
  ],
  HOUR,
);

const BAD_ROWS = [
  badRow({ reason: 'invalid_json', received_at: T0 + 4, request_id: 'req_bad_json_1' }),
  badRow({ reason: 'invalid_json', received_at: T0 + 3, request_id: 'req_bad_json_2' }),
  badRow({ reason: 'invalid_event', received_at: T0 + 5, request_id: 'req_bad_event' }),
  badRow({ reason: 'invalid_event', received_at: T0 - 1, request_id: 'req_bad_old' }),
];

const dir = tempDir();
let store: DuckDbStore;
let q: EventQueries;

beforeAll(async () => {
  store = await DuckDbStore.open(dir.file('queries.duckdb'));
  q = createDuckDbQueries(store);
  for (const r of [...QOE_SESSIONS, TS_SESSION]) await store.writeBatch(batchOf([r]));
  await store.writeBatch(batchOf([], { badRows: BAD_ROWS }));
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

/** Expected per-type counts computed from the records themselves. */
function typeCounts(records: EnrichedRecord[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
  for (const r of records) for (const e of r.events) counts[e.type] += 1;
  return counts;
}

describe('countsSince', () => {
  it('lists every event type, 0 when none, counting received_at ≥ since (inclusive)', async () => {
    expect(await q.countsSince(new Date(RECEIVED))).toStrictEqual(
      typeCounts([...QOE_SESSIONS.slice(0, 8), TS_SESSION]),
    );
    expect(await q.countsSince(new Date(RECEIVED + 1))).toStrictEqual(typeCounts([TS_SESSION]));
    expect(await q.countsSince(new Date(HOUR + 1))).toStrictEqual(typeCounts([]));
  });
});

describe('timeseries', () => {
  it('returns zero-filled, epoch-aligned buckets per type by event time', async () => {
    const result = await q.timeseries({
      types: ['started', 'paused', 'volume_changed'],
      from: new Date(HOUR + 30_000), // aligned down to HOUR
      to: new Date(HOUR + 180_000),
      bucketSeconds: 60,
    });
    expect(result).toStrictEqual({
      bucketSeconds: 60,
      series: {
        started: [
          [HOUR, 2],
          [HOUR + 60_000, 1],
          [HOUR + 120_000, 0],
        ],
        paused: [
          [HOUR, 0],
          [HOUR + 60_000, 1],
          [HOUR + 120_000, 0],
        ],
        volume_changed: [
          [HOUR, 0],
          [HOUR + 60_000, 0],
          [HOUR + 120_000, 0],
        ],
      },
    });
  });
});

describe('totals', () => {
  it('counts events, sessions, viewers, contents and bad rows in the window', async () => {
    const inWindow = [...QOE_SESSIONS.slice(0, 8), TS_SESSION];
    expect(await q.totals({ since: new Date(T0) })).toStrictEqual({
      events: inWindow.reduce((n, r) => n + r.events.length, 0),
      sessions: 9,
      viewers: 9,
      contents: 1,
      badRows: 3,
      firstReceivedAt: RECEIVED,
      lastReceivedAt: HOUR,
    });
  });
});

describe('qoe', () => {
  it('computes the CTA-2066 measures by the documented definitions', async () => {
    expect(await q.qoe({ since: new Date(T0) })).toStrictEqual({
      sessions: 9, // S1..S8 + the timeseries session
      plays: 9, // all: the timeseries session has `started` events
      startFailures: 1, // S4
      startFailureRate: 1 / 9,
      exitsBeforeStart: 1, // S5 (S4 had a fatal error, S6 and the timeseries session have not ended)
      exitBeforeStartRate: 1 / 9,
      playbackFailures: 1, // S7
      errorRate: 2 / 9,
      nonFatalErrors: 1, // S2
      startup: {
        sessions: 5, // 500, 700, 1000, 3000, 9000
        p50Ms: 1000, // rank ⌈0.5·5⌉ = 3
        p90Ms: 9000, // rank ⌈0.9·5⌉ = 5
        p95Ms: 9000,
        histogram: [
          { fromMs: 0, toMs: 500, sessions: 0 },
          { fromMs: 500, toMs: 1000, sessions: 2 },
          { fromMs: 1000, toMs: 2000, sessions: 1 },
          { fromMs: 2000, toMs: 4000, sessions: 1 },
          { fromMs: 4000, toMs: 8000, sessions: 0 },
          { fromMs: 8000, toMs: null, sessions: 1 },
        ],
      },
      stalls: {
        sessionsWithCounters: 5, // S1, S2, S4, S5, S8
        stallCount: 3, // S1 latest 2 + S8 1
        stallMs: 3500, // 1500 + 2000
        playedMs: 60000, // 30000 + 20000 + 10000
        stalledPct: (100 * 3500) / 60000,
      },
      // Heartbeat bitrates are the session's running time-weighted average. S1: 1 Mb/s for 10 s,
      // then 3 Mb/s for 10 s → heartbeats say 1 Mb/s, then 2 Mb/s; S2: 5 Mb/s for 20 s.
      // (2e6·2e4 + 5e6·2e4) / 4e4 = 3.5e6
      bitrate: { averageBps: 3_500_000, method: 'heartbeat_time_weighted' },
    });
  });

  it('filters on dimensions: the DE sessions with startups 500, 1000, 9000 ms', async () => {
    const de = await q.qoe({ since: new Date(T0), country: 'DE', pop: 'FRA56-C1' });
    expect(de.startup).toMatchObject({ sessions: 3, p50Ms: 1000, p90Ms: 9000, p95Ms: 9000 });
    expect(de.stalls.stalledPct).toBe((100 * 1500) / 50000);
    expect(de.plays).toBe(4); // S1, S2, S7 and the timeseries session
  });

  it('falls back to the mean of bitrate_changed when no heartbeat carries a bitrate', async () => {
    const s = await DuckDbStore.open(':memory:');
    try {
      await s.writeBatch(
        batchOf([
          enrichedRecord({
            events: [
              event('bitrate_changed', { bitrate: 1_000_000 }),
              event('bitrate_changed', { seq: 1, bitrate: 2_000_000 }),
            ],
          }),
        ]),
      );
      expect((await createDuckDbQueries(s).qoe({ since: new Date(T0) })).bitrate).toStrictEqual({
        averageBps: 1_500_000,
        method: 'bitrate_changed_mean',
      });
    } finally {
      await s.close();
    }
  });

  it('binds filter values: a quote in a value is just a value', async () => {
    const r = await q.qoe({ since: new Date(T0), country: "DE' OR '1'='1" });
    expect(r.sessions).toBe(0);
    expect(r.startup.p50Ms).toBeNull();
    expect(r.stalls.stalledPct).toBeNull();
  });
});

describe('breakdown', () => {
  it('puts the slice that hurts most first: most impacted sessions beyond the overall rate', async () => {
    // 9 sessions, 4 impacted: overall rate 4/9. Excess = impacted − sessions × 4/9.
    expect(await q.breakdown({ dimension: 'country', since: new Date(T0) })).toStrictEqual([
      // FR: 1 of 1 impacted (a stall, 20 % stalled): 1 − 4/9 = 0.56
      {
        value: 'FR',
        sessions: 1,
        plays: 1,
        startFailures: 0,
        exitsBeforeStart: 0,
        startupP95Ms: 700,
        stalledPct: 20,
        impactedSessions: 1,
        excessImpacted: 0.56,
      },
      // US: S4 failed, S5 exited → 2 of 4: 2 − 16/9 = 0.22; p95 of [3000]; no counters with played time
      {
        value: 'US',
        sessions: 4,
        plays: 4,
        startFailures: 1,
        exitsBeforeStart: 1,
        startupP95Ms: 3000,
        stalledPct: null,
        impactedSessions: 2,
        excessImpacted: 0.22,
      },
      // DE: 1 of 4: 1 − 16/9 = −0.78 (better than the rest)
      {
        value: 'DE',
        sessions: 4,
        plays: 4,
        startFailures: 0,
        exitsBeforeStart: 0,
        startupP95Ms: 9000,
        stalledPct: 3,
        impactedSessions: 1,
        excessImpacted: -0.78,
      },
    ]);
  });

  it('honours the limit', async () => {
    // POPs mirror the countries above: CDG (FR), IAD (US), FRA (DE).
    expect(
      (await q.breakdown({ dimension: 'pop', since: new Date(T0), limit: 2 })).map((r) => r.value),
    ).toStrictEqual(['CDG50-C1', 'IAD89-C1']);
  });

  it('ranks a small slice that is clearly worse above a big one with a normal rate, before the limit cuts', async () => {
    const s = await DuckDbStore.open(':memory:');
    try {
      const stalled = (n: number) => hb(10_000, n > 0 ? 500 : 0, n);
      const slice = (country: string, sessions: number, impacted: number) =>
        Array.from({ length: sessions }, (_, i) =>
          session(`sess_${country}_${String(i).padStart(4, '0')}`, country, 'FRA56-C1', [
            requested(),
            stalled(i < impacted ? 1 : 0),
          ]),
        );
      // XL: 100 sessions, 10 stalled (more impacted sessions than XS); XS: 10 sessions, 8 stalled;
      // XT: 1 of 1; 20 countries of 5 healthy sessions. Overall 19 / 211.
      const records = [...slice('XL', 100, 10), ...slice('XS', 10, 8), ...slice('XT', 1, 1)];
      for (let c = 0; c < 20; c++) records.push(...slice(`N${String.fromCharCode(65 + c)}`, 5, 0));
      await s.writeBatch(batchOf(records));
      const top = await createDuckDbQueries(s).breakdown({
        dimension: 'country',
        since: new Date(T0),
        limit: 3,
      });
      // XS: 8 − 10·19/211 = 7.10; XL: 10 − 100·19/211 = 1.00; XT: 1 − 19/211 = 0.91
      expect(top.map((r) => [r.value, r.impactedSessions, r.excessImpacted])).toStrictEqual([
        ['XS', 8, 7.1],
        ['XL', 10, 1],
        ['XT', 1, 0.91],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('bad rows', () => {
  it('counts bad rows per reason in the window', async () => {
    expect(await q.badRowCounts(new Date(T0))).toStrictEqual({ invalid_event: 1, invalid_json: 2 });
  });

  it('lists the newest bad rows first', async () => {
    const rows = await q.recentBadRows(2);
    expect(rows.map((r) => [r.request_id, r.reason, r.received_at])).toStrictEqual([
      ['req_bad_event', 'invalid_event', T0 + 5],
      ['req_bad_json_1', 'invalid_json', T0 + 4],
    ]);
    expect(rows[0]).toMatchObject({
      source: 'edge',
      status: 200,
      index: 0,
      payload_encoding: 'json',
      payload_truncated: false,
    });
  });
});

describe('input guards', () => {
  it.each([
    [
      'dimension',
      () => q.breakdown({ dimension: 'pop; DROP TABLE events' as never, since: new Date(T0) }),
    ],
    ['since', () => q.countsSince(new Date('not a date'))],
    [
      'types',
      () =>
        q.timeseries({
          types: ['nope' as never],
          from: new Date(T0),
          to: new Date(HOUR),
          bucketSeconds: 60,
        }),
    ],
    [
      'bucketSeconds',
      () =>
        q.timeseries({
          types: ['started'],
          from: new Date(T0),
          to: new Date(HOUR),
          bucketSeconds: 0,
        }),
    ],
    [
      'bucketSeconds',
      () =>
        q.timeseries({
          types: ['started'],
          from: new Date(0),
          to: new Date(HOUR),
          bucketSeconds: 1,
        }),
    ],
    [
      'to',
      () =>
        q.timeseries({
          types: ['started'],
          from: new Date(HOUR),
          to: new Date(T0),
          bucketSeconds: 60,
        }),
    ],
    ['limit', () => q.recentBadRows(0)],
    ['limit', () => q.breakdown({ dimension: 'pop', since: new Date(T0), limit: 1.5 })],
    ['country', () => q.qoe({ since: new Date(T0), country: 'x'.repeat(513) })],
  ])('rejects a bad %s with InvalidQueryError', async (field, call) => {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidQueryError);
    expect((err as InvalidQueryError).field).toBe(field);
  });

  it('still has its events after all the bad inputs', async () => {
    expect((await q.totals({ since: new Date(T0) })).events).toBeGreaterThan(0);
  });
});
