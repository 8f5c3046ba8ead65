import { describe, expect, it } from 'vitest';
import { mapCmcdEntries } from '../../../core-pipeline/cmcd/map.js';
import { initialCmcdState } from '../../../core-pipeline/cmcd/state.js';
import type { EventRow } from '../../../core-pipeline/rows.js';
import type { CmcdReport } from '../../../schemas/cmcd.js';
import { cmcdContext, cmcdEntry, cmcdLines, sta, T0 } from '../../helpers/cmcd-records.js';

const ctx = cmcdContext();
const map = (lines: Parameters<typeof cmcdLines>[0], state = initialCmcdState()) =>
  mapCmcdEntries(state, cmcdLines(lines), ctx);
const types = (rows: EventRow[]) => rows.map((r) => r.type);
const attrs = (row: EventRow) => JSON.parse(row.attrs ?? '{}') as Record<string, unknown>;

describe('mapCmcdEntries: play states', () => {
  it('s → requested, first p → first_frame with startup = ts(p) − ts(s)', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 1_200, sta('p')],
    ]);
    expect(types(rows)).toEqual(['requested', 'first_frame']);
    expect(rows[1].startup_ms).toBe(1_200);
  });

  it('a first p without a starting state has no startup time (never invented)', () => {
    const { rows } = map([[0, 'ps', 500, sta('p')]]);
    expect(rows[0].type).toBe('first_frame');
    expect(rows[0].startup_ms).toBeNull();
  });

  it('r before the first frame is startup, not a stall', () => {
    const { rows, state } = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 300, sta('r')],
      [2, 'ps', 2_000, sta('p')],
      [3, 't', 3_000],
    ]);
    expect(types(rows)).toEqual(['requested', 'play_state', 'first_frame', 'heartbeat']);
    expect(rows[2].startup_ms).toBe(2_000);
    expect(rows[3]).toMatchObject({ played_ms: 1_000, stall_ms: 0, stall_count: 0 });
    expect(state.stallCount).toBe(0);
  });

  it('r after start → stall_start, p after r → stall_end with that interval', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 1_000, sta('p')],
      [2, 'ps', 5_000, sta('r')],
      [3, 'ps', 6_500, sta('p')],
    ]);
    expect(types(rows)).toEqual(['requested', 'first_frame', 'stall_start', 'stall_end']);
    expect(rows[3].stall_ms).toBe(1_500);
  });

  it('a → paused, p after a → resumed; k → seeking, p after k → seeked with seek_ms', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p')],
      [1, 'ps', 1_000, sta('a')],
      [2, 'ps', 4_000, sta('p')],
      [3, 'ps', 5_000, sta('k')],
      [4, 'ps', 5_400, sta('p')],
    ]);
    expect(types(rows)).toEqual(['first_frame', 'paused', 'resumed', 'seeking', 'seeked']);
    expect(rows[4].seek_ms).toBe(400);
  });

  it('a seek is not a stall: hls.js k → r → p and dash.js k → w → p end in seeked', () => {
    for (const wait of ['r', 'w']) {
      const { rows, state } = map([
        [0, 'ps', 0, sta('p')],
        [1, 'ps', 5_000, sta('k')],
        [2, 'ps', 5_100, sta(wait)],
        [3, 'ps', 5_600, sta('p')],
        [4, 't', 6_000],
      ]);
      expect(types(rows)).toEqual(['first_frame', 'seeking', 'play_state', 'seeked', 'heartbeat']);
      expect(rows[3].seek_ms).toBe(600);
      expect(rows[4]).toMatchObject({ played_ms: 5_400, stall_ms: 0, stall_count: 0 });
      expect(state.seekFrom).toBeNull();
    }
  });

  it('a stall after a finished seek is a stall again', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p')],
      [1, 'ps', 1_000, sta('k')],
      [2, 'ps', 1_200, sta('p')],
      [3, 'ps', 3_000, sta('r')],
      [4, 'ps', 3_800, sta('p')],
    ]);
    expect(types(rows)).toEqual(['first_frame', 'seeking', 'seeked', 'stall_start', 'stall_end']);
    expect(rows[4].stall_ms).toBe(800);
  });

  it('the playhead bitrate of ps lines weighs the average (dash.js sends no bc)', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p', { pb: [1_000, 64] })],
      [1, 'ps', 4_000, sta('r', { pb: [3_000, 64] })],
      [2, 'ps', 5_000, sta('p', { pb: [3_000, 64] })],
      [3, 't', 7_000],
    ]);
    // 4 s at 1 Mbps, 2 s at 3 Mbps (video, the first item).
    expect(rows[3]).toMatchObject({
      played_ms: 6_000,
      bitrate: Math.round((4 * 1e6 + 2 * 3e6) / 6),
    });
  });

  it('e → ended, f → fatal error with the ec code, q → session_end (unload) with counters', () => {
    const ended = map([
      [0, 'ps', 0, sta('p')],
      [1, 'ps', 10_000, sta('e')],
    ]).rows[1];
    expect(ended).toMatchObject({ type: 'ended', played_ms: 10_000 });
    const fatal = map([[0, 'ps', 0, sta('f', { ec: ['manifestLoadError'] })]]).rows[0];
    expect(fatal).toMatchObject({ type: 'error', fatal: true, error_code: 'manifestLoadError' });
    expect(map([[0, 'ps', 0, sta('f')]]).rows[0]).toMatchObject({
      type: 'error',
      fatal: true,
      error_code: null,
    });
    const quit = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 800, sta('p')],
      [2, 'ps', 3_000, sta('r')],
      [3, 'ps', 3_500, sta('q')],
    ]).rows[3];
    expect(quit).toMatchObject({
      type: 'session_end',
      reason: 'unload',
      played_ms: 2_200,
      stall_ms: 500,
      stall_count: 1,
    });
  });

  it('w (waiting) and d (preloading) are kept as play_state and count as neither play nor stall', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('d')],
      [1, 'ps', 1_000, sta('s')],
      [2, 'ps', 2_000, sta('p')],
      [3, 'ps', 3_000, sta('w')],
      [4, 'ps', 9_000, sta('p')],
      [5, 't', 10_000],
    ]);
    expect(types(rows)).toEqual([
      'play_state',
      'requested',
      'first_frame',
      'play_state',
      'resumed',
      'heartbeat',
    ]);
    expect(rows[2].startup_ms).toBe(1_000);
    expect(rows[5]).toMatchObject({ played_ms: 2_000, stall_ms: 0, stall_count: 0 });
    expect(attrs(rows[3]).sta).toBe('w');
  });
});

describe('mapCmcdEntries: interval reports and counters', () => {
  it('t carries cumulative played/stall time and count through pauses, stalls and seeks', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 1_000, sta('p')],
      [2, 't', 3_000],
      [3, 'ps', 4_000, sta('r')],
      [4, 't', 5_000],
      [5, 'ps', 6_000, sta('p')],
      [6, 'ps', 7_000, sta('a')],
      [7, 't', 9_000],
      [8, 'ps', 9_500, sta('p')],
      [9, 'ps', 10_000, sta('k')],
      [10, 'ps', 10_500, sta('p')],
      [11, 't', 12_000],
    ]);
    const hb = rows.filter((r) => r.type === 'heartbeat');
    expect(hb.map((r) => [r.played_ms, r.stall_ms, r.stall_count])).toEqual([
      [2_000, 0, 0],
      [3_000, 1_000, 1],
      [4_000, 2_000, 1],
      [6_000, 2_000, 1],
    ]);
  });

  it('t reads buffer, throughput, dropped frames; its bitrate is the time-weighted average (kbps → bps)', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p')],
      [1, 'bc', 0, { br: [1_000] }],
      [2, 'bc', 1_000, { br: [3_000] }],
      [3, 't', 4_000, { pb: [3_000], bl: [12_000], mtp: [25_400], dfa: 7 }],
    ]);
    expect(rows[3]).toMatchObject({
      type: 'heartbeat',
      played_ms: 4_000,
      // 1 s at 1 Mbps and 3 s at 3 Mbps.
      bitrate: 2_500_000,
      buffer_ms: 12_000,
      throughput_kbps: 25_400,
      dropped_frames: 7,
    });
  });

  it('a t report before any play state has no counters (a player without sta)', () => {
    const { rows } = map([[0, 't', 0, { br: [2_000], bl: [8_000] }]]);
    expect(rows[0]).toMatchObject({
      type: 'heartbeat',
      played_ms: null,
      stall_ms: null,
      stall_count: null,
      bitrate: 2_000_000,
      buffer_ms: 8_000,
    });
  });

  it('only ps lines change the state: the sta other lines repeat does not (dash.js rr lines)', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p')],
      [1, 'ps', 2_000, sta('r')],
      // Requested while playing, answered during the stall: carries the request's sta.
      [2, 'rr', 2_500, { sta: 'p', url: 'https://cdn.example/a.m4s', rc: 200 }],
      [3, 'ps', 3_500, sta('p')],
      [4, 't', 4_000, { sta: 'r' }],
    ]);
    expect(types(rows)).toEqual([
      'first_frame',
      'stall_start',
      'response_received',
      'stall_end',
      'heartbeat',
    ]);
    expect(rows[3].stall_ms).toBe(1_500);
    expect(rows[4]).toMatchObject({ played_ms: 2_500, stall_ms: 1_500, stall_count: 1 });
  });

  it('without ps lines there are no counters, whatever sta the other lines carry', () => {
    const { rows } = map([
      [0, 't', 0, { sta: 'p' }],
      [1, 't', 10_000, { sta: 'p' }],
    ]);
    expect(rows.map((r) => r.played_ms)).toEqual([null, null]);
  });
});

describe('mapCmcdEntries: per-object-type values (br=(128;v 16;a))', () => {
  const v = (value: number) => ({ value, params: { v: true } });
  const a = (value: number) => ({ value, params: { a: true } });

  it('reads the video item of br, pb, bl, mtp wherever it is, else the first item', () => {
    const { rows } = map([
      [0, 'bc', 0, { br: [a(16), v(128)], bl: [a(900), v(4_000)], mtp: [a(50), v(12_900)] }],
      [1, 'bc', 1_000, { br: [{ value: 300, params: { av: true } }, a(16)] }],
      [2, 'bc', 2_000, { br: [a(16), 7] }],
      [3, 'bc', 3_000, { br: [500, a(16)] }],
    ]);
    expect(rows[0]).toMatchObject({ bitrate: 128_000, buffer_ms: 4_000, throughput_kbps: 12_900 });
    expect(rows.slice(1).map((r) => r.bitrate)).toStrictEqual([300_000, 16_000, 500_000]);
  });
});

describe('mapCmcdEntries: bitrate changes from pb (dash.js sends no bc)', () => {
  const pb = (kbps: number): CmcdReport => ({
    pb: [
      { value: kbps, params: { v: true } },
      { value: 16, params: { a: true } },
    ],
  });

  it('the first rr or t line whose video pb changed is the bitrate_changed; the first pb is none', () => {
    const { rows, state } = map([
      [0, 'ps', 0, sta('s')],
      [1, 'rr', 100, { ...pb(24), url: 'https://cdn.example/a.m4s' }],
      [2, 'ps', 500, sta('p', pb(24))],
      [3, 't', 2_500, pb(24)],
      [4, 'rr', 3_000, { ...pb(128), url: 'https://cdn.example/b.m4s', rc: 200 }],
      [5, 'rr', 3_100, pb(128)],
      [6, 't', 4_500, pb(128)],
      [7, 't', 6_500, pb(24)],
    ]);
    expect(types(rows)).toStrictEqual([
      'requested',
      'response_received',
      'first_frame',
      'heartbeat',
      'bitrate_changed',
      'response_received',
      'heartbeat',
      'bitrate_changed',
    ]);
    expect(rows[4]).toMatchObject({ bitrate: 128_000, prev_bitrate: 24_000 });
    // The rr line's other keys stay in attrs as on any row; the url as its host only.
    expect(attrs(rows[4])).toMatchObject({ e: 'rr', rc: 200, url_host: 'cdn.example' });
    expect(rows[7]).toMatchObject({ bitrate: 24_000, prev_bitrate: 128_000, played_ms: null });
    // The t line that became the change carries no counters; the state still has them.
    expect(state).toMatchObject({ playheadBitrate: 24_000, bitrate: 24_000, playedMs: 6_000 });
    const next = map([[8, 't', 8_500, pb(24)]], state);
    expect(next.rows[0]).toMatchObject({ type: 'heartbeat', played_ms: 8_000 });
  });

  it('a ps line keeps its type but records the new pb: the next rr compares against it', () => {
    const { rows } = map([
      [0, 'ps', 0, sta('p', pb(24))],
      [1, 'ps', 1_000, sta('a', pb(128))],
      [2, 'rr', 1_100, pb(128)],
      [3, 't', 2_000, pb(128)],
    ]);
    expect(types(rows)).toStrictEqual(['first_frame', 'paused', 'response_received', 'heartbeat']);
  });

  it('a session that sends bc gets its changes from bc only (hls.js), not twice', () => {
    const { rows } = map([
      [0, 'bc', 0, { br: [44], ...pb(44) }],
      [1, 't', 1_000, pb(44)],
      [2, 'bc', 2_000, { br: [148] }],
      [3, 't', 3_000, pb(148)],
    ]);
    expect(types(rows)).toStrictEqual([
      'bitrate_changed',
      'heartbeat',
      'bitrate_changed',
      'heartbeat',
    ]);
  });

  it('a late rr line neither changes the bitrate nor the state', () => {
    const first = map([
      [0, 'ps', 0, sta('p', pb(24))],
      [2, 't', 2_000, pb(24)],
    ]);
    const late = map([[1, 'rr', 1_000, pb(128)]], first.state);
    expect(types(late.rows)).toStrictEqual(['response_received']);
    expect(late.state).toStrictEqual(first.state);
  });
});

describe('mapCmcdEntries: other events', () => {
  it('bc → bitrate_changed with the previous bitrate from the state', () => {
    const first = map([[0, 'bc', 0, { br: [1_500] }]]);
    expect(first.rows[0]).toMatchObject({
      type: 'bitrate_changed',
      bitrate: 1_500_000,
      prev_bitrate: null,
    });
    const next = map([[1, 'bc', 9_000, { br: [4_000] }]], first.state);
    expect(next.rows[0]).toMatchObject({ bitrate: 4_000_000, prev_bitrate: 1_500_000 });
  });

  it('m / um → muted / unmuted; e → non-fatal error unless the state is f', () => {
    const { rows } = map([
      [0, 'm', 0],
      [1, 'um', 10],
      [2, 'e', 20, { ec: ['fragLoadError', 'x'] }],
      [3, 'e', 30, { ec: ['bufferStalledError'], sta: 'f' }],
    ]);
    expect(rows.map((r) => [r.type, r.muted, r.fatal, r.error_code])).toEqual([
      ['muted', true, null, null],
      ['unmuted', false, null, null],
      ['error', null, false, 'fragLoadError'],
      ['error', null, true, 'bufferStalledError'],
    ]);
    expect(attrs(rows[2]).ec).toEqual(['fragLoadError', 'x']);
  });

  it('rr → response_received with ttfb/ttlb/rc and the url HOST only', () => {
    const url = 'https://cdn-7.example.net/video/720p/seg12.m4s?token=SECRET123&exp=9';
    const { rows } = map([[0, 'rr', 0, { url, ttfb: 42, ttlb: 180, rc: 200, ot: 'v' }]]);
    const a = attrs(rows[0]);
    expect(rows[0].type).toBe('response_received');
    expect(a).toMatchObject({
      url_host: 'cdn-7.example.net',
      ttfb: 42,
      ttlb: 180,
      rc: 200,
      ot: 'v',
    });
    expect(rows[0].attrs).not.toContain('SECRET123');
    expect(rows[0].attrs).not.toContain('seg12');
  });

  it('other events keep the whole report; custom keys are kept in attrs', () => {
    const { rows } = map([
      [0, 'ce', 0, { cen: 'chapter', 'com.example-chapter': 3 }],
      [1, 'pr', 10, { pr: 2 }],
      [2, 't', 20, { 'com.example-tier': 'gold' }],
    ]);
    expect(types(rows)).toEqual(['cmcd_event', 'cmcd_event', 'heartbeat']);
    expect(attrs(rows[0])).toMatchObject({ e: 'ce', cen: 'chapter', 'com.example-chapter': 3 });
    expect(attrs(rows[1])).toMatchObject({ e: 'pr', pr: 2 });
    expect(attrs(rows[2])['com.example-tier']).toBe('gold');
  });
});

describe('mapCmcdEntries: rows and state', () => {
  it('one row per entry: id, seq = sn, ts, time = ts + skew, pt as playhead, the shared columns', () => {
    const { rows } = map([[4, 'ps', 100, sta('p', { pt: 12_500 })]]);
    expect(rows[0]).toMatchObject({
      event_id: cmcdLines([[4, 'ps', 100, sta('p', { pt: 12_500 })]])[0].id,
      seq: 4,
      ts: T0 + 100,
      time: T0 + 100 + ctx.skew_ms,
      playhead: 12.5,
      source: 'cmcd',
      schema_version: 'cmcd-1-0-0',
      sdk_name: 'cmcd',
      sdk_version: '2',
      player_name: 'hls.js',
      player_version: '1.7.4',
      content_id: 'big-buck-bunny',
      pop: 'FRA56-P1',
      country: 'DE',
    });
    expect(Object.keys(attrs(rows[0])).sort()).toEqual(['e', 'pt', 'sta']);
  });

  it('does not change the state it is given, and is deterministic', () => {
    const state = initialCmcdState();
    const lines = cmcdLines([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 700, sta('p')],
    ]);
    const a = mapCmcdEntries(state, lines, ctx);
    const b = mapCmcdEntries(state, lines, ctx);
    expect(state).toEqual(initialCmcdState());
    expect(b).toEqual(a);
  });

  it('a session split over records gives the rows of one record', () => {
    const lines: Parameters<typeof cmcdLines>[0] = [
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 900, sta('p')],
      [2, 'ps', 3_000, sta('r')],
      [3, 't', 3_500],
      [4, 'ps', 4_000, sta('p')],
      [5, 'ps', 8_000, sta('q')],
    ];
    const whole = map(lines).rows;
    let state = initialCmcdState();
    const parts: EventRow[] = [];
    for (const part of [lines.slice(0, 2), lines.slice(2, 3), lines.slice(3)]) {
      const out = map(part, state);
      parts.push(...out.rows);
      state = out.state;
    }
    expect(parts).toEqual(whole);
  });

  it('sorts a record by seq', () => {
    const lines = cmcdLines([
      [1, 'ps', 1_000, sta('p')],
      [0, 'ps', 0, sta('s')],
    ]);
    const { rows } = mapCmcdEntries(undefined, lines, ctx);
    expect(types(rows)).toEqual(['requested', 'first_frame']);
    expect(rows[1].startup_ms).toBe(1_000);
  });
});

describe('mapCmcdEntries: resends, late lines, lines without sn', () => {
  const first: Parameters<typeof cmcdLines>[0] = [
    [0, 'ps', 0, sta('s')],
    [1, 'ps', 1_000, sta('p')],
    [2, 'ps', 3_000, sta('r')],
    [3, 'ps', 4_000, sta('p')],
  ];

  it('a resent record keeps its ids, is mapped without the timeline and does not move the state', () => {
    const once = map(first);
    const again = map(first, once.state);
    expect(again.state).toEqual(once.state);
    expect(again.rows.map((r) => r.event_id)).toEqual(once.rows.map((r) => r.event_id));
    expect(types(again.rows)).toEqual(['requested', 'play_state', 'play_state', 'play_state']);
    expect(again.rows.every((r) => attrs(r).out_of_order === true)).toBe(true);
    expect(again.rows.every((r) => r.startup_ms === null && r.stall_ms === null)).toBe(true);
  });

  it('a late line (sn below the highest mapped) is stored but leaves the timeline alone', () => {
    const a = map([
      [0, 'ps', 0, sta('p')],
      [5, 't', 5_000],
    ]);
    const late = map(
      [
        [3, 't', 3_000],
        [4, 'bc', 3_500, { br: [800] }],
      ],
      a.state,
    );
    expect(types(late.rows)).toEqual(['heartbeat', 'bitrate_changed']);
    expect(late.rows[0].played_ms).toBeNull();
    expect(late.rows[1]).toMatchObject({ bitrate: 800_000, prev_bitrate: null });
    expect(late.rows.every((r) => attrs(r).out_of_order === true)).toBe(true);
    expect(late.state).toEqual(a.state);
    const after = map([[6, 't', 6_000]], late.state);
    expect(after.rows[0].played_ms).toBe(6_000);
  });

  it('a late ps line above the last ps line still changes the state: the stall that overtook its t', () => {
    // One line per request: the stall's end (sn 3) reaches the store after the t line (sn 4).
    const a = map([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 1_000, sta('p')],
      [2, 'ps', 3_000, sta('r')],
      [4, 't', 4_600],
    ]);
    const late = map([[3, 'ps', 4_500, sta('p')]], a.state);
    expect(types(late.rows)).toEqual(['stall_end']);
    expect(late.rows[0].stall_ms).toBe(1_500);
    expect(attrs(late.rows[0]).out_of_order).toBeUndefined();
    expect(late.state).toMatchObject({ sta: 'p', lastSn: 4, lastPsSn: 3, stallCount: 1 });
    // Its resend is a late line like any other and changes nothing.
    const again = map([[3, 'ps', 4_500, sta('p')]], late.state);
    expect(types(again.rows)).toEqual(['play_state']);
    expect(again.state).toEqual(late.state);
    const after = map([[5, 't', 6_600]], again.state);
    expect(after.rows[0]).toMatchObject({ played_ms: 4_000, stall_ms: 1_600, stall_count: 1 });
  });

  it('lines without sn are all taken as new, in body order', () => {
    const lines = [
      cmcdEntry({ e: 'ps', sta: 's', ts: T0 }),
      { ...cmcdEntry({ e: 'ps', sta: 'p', ts: T0 + 400 }), seq: 1 },
    ];
    const { rows, state } = mapCmcdEntries(undefined, lines, ctx);
    expect(types(rows)).toEqual(['requested', 'first_frame']);
    expect(rows[1].startup_ms).toBe(400);
    expect(state.lastSn).toBe(-1);
  });

  it('a ts before the last one accounted adds no time', () => {
    const { rows } = map([
      [0, 'ps', 5_000, sta('p')],
      [1, 't', 4_000],
      [2, 't', 6_000],
    ]);
    expect(rows.map((r) => r.played_ms).slice(1)).toEqual([0, 1_000]);
  });
});
