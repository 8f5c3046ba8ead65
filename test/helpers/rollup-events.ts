/**
 * Event rows and reference computations for the rollup tests: `row` builds an EventRow with
 * defaults, `reference` computes from a full event set, the plain way, what the rollups must
 * add up to, and `sessionsArb` generates sessions with monotonic cumulative counters.
 */
import fc from 'fast-check';
import {
  AGGREGATE_SUMS,
  emptyAggregate,
  mergeInto,
  missingDimensionValue,
  ROLLUP_DIMENSIONS,
  sketchBucket,
  type QoeAggregate,
} from '../../core-pipeline/rollups/aggregate.js';
import type { RollupDelta } from '../../core-pipeline/rollups/deltas.js';
import type { EventRow } from '../../core-pipeline/rows.js';
import { T0 } from './records.js';

/** An EventRow of `type` with every other column defaulted (a Frankfurt desktop viewer). */
export function row(type: string, fields: Partial<EventRow> = {}): EventRow {
  return {
    event_id: `ev_${type}_${fields.session_id ?? 's'}_${fields.seq ?? 0}`,
    type,
    seq: 0,
    ts: T0,
    time: T0,
    playhead: 0,
    received_at: T0,
    ingested_at: T0,
    skew_ms: 0,
    record_version: 1,
    schema_version: '1-0-0',
    session_id: 'sess_rollup_0001',
    viewer_id: null,
    content_id: 'content-1',
    sdk_name: 'beacon-sdk',
    sdk_version: '1.0.0',
    player_name: 'html5',
    player_version: null,
    source: 'sdk',
    drm_system: null,
    audio_language: null,
    subtitle_language: null,
    country: 'DE',
    country_region: 'HE',
    city: null,
    time_zone: null,
    asn: '3320',
    lat: null,
    lon: null,
    pop: 'FRA56-C1',
    edge_region: 'eu-central-1',
    serving_region: 'eu-central-1',
    stream_region: 'eu-central-1',
    request_id: 'req-1',
    device: 'desktop',
    os: null,
    startup_ms: null,
    stall_ms: null,
    bitrate: null,
    prev_bitrate: null,
    width: null,
    height: null,
    level: null,
    volume: null,
    muted: null,
    error_code: null,
    error_message: null,
    fatal: null,
    played_ms: null,
    stall_count: null,
    dropped_frames: null,
    seek_ms: null,
    seek_to: null,
    reason: null,
    autoplay: null,
    frame_rate: null,
    throughput_kbps: null,
    buffer_ms: null,
    attrs: null,
    ...fields,
  };
}

/** The sum of every delta. */
export function total(deltas: readonly RollupDelta[]): QoeAggregate {
  const t = emptyAggregate();
  for (const d of deltas) mergeInto(t, d.agg);
  return t;
}

/** Deltas merged per (minute, slice), keyed `minute|dims`. */
export function perKey(deltas: readonly RollupDelta[]): Map<string, QoeAggregate> {
  const m = new Map<string, QoeAggregate>();
  for (const d of deltas) {
    const id = `${d.minuteMs}|${ROLLUP_DIMENSIONS.map((k) => d.key[k]).join('|')}`;
    mergeInto(m.get(id) ?? m.set(id, emptyAggregate()).get(id)!, d.agg);
  }
  return m;
}

const keyOf = (e: EventRow): string =>
  `${e.time - (e.time % 60_000)}|${ROLLUP_DIMENSIONS.map((k) => e[k] ?? missingDimensionValue(k)).join('|')}`;

/** Session-level fields (anchored per session) and event-level counts, per `minute|dims`. */
export const SESSION_FIELDS = [
  'sessions',
  'plays',
  'startFailures',
  'playbackFailures',
  'exitsBeforeStart',
  'startups',
  'startupMsSum',
] as const;

/**
 * The reference: from the full (deduplicated) event set, computed session by session in seq
 * order with the definitions of core-pipeline/queries/duckdb-queries.ts.
 */
export function reference(events: readonly EventRow[]): Map<string, QoeAggregate> {
  const out = new Map<string, QoeAggregate>();
  const at = (id: string): QoeAggregate => out.get(id) ?? out.set(id, emptyAggregate()).get(id)!;
  const sessions = new Map<string, EventRow[]>();
  for (const e of events) sessions.set(e.session_id, [...(sessions.get(e.session_id) ?? []), e]);
  for (const list of sessions.values()) {
    list.sort((a, b) => a.seq - b.seq || (a.event_id < b.event_id ? -1 : 1));
    const first = list[0];
    const minTime = Math.min(...list.map((e) => e.time));
    const anchor = at(keyOf({ ...first, time: minTime }));
    const played = list.some((e) => ['requested', 'started', 'first_frame'].includes(e.type));
    const ff = list.find((e) => e.type === 'first_frame');
    const fatal = list.find((e) => e.type === 'error' && e.fatal === true);
    const ended = list.some((e) => e.type === 'session_end');
    anchor.sessions += 1;
    if (played) {
      anchor.plays += 1;
      if (fatal && (!ff || fatal.seq < ff.seq)) anchor.startFailures += 1;
      if (fatal && ff && fatal.seq > ff.seq) anchor.playbackFailures += 1;
      if (ended && !ff && !fatal) anchor.exitsBeforeStart += 1;
    }
    if (ff && ff.startup_ms !== null) {
      anchor.startups += 1;
      anchor.startupMsSum += ff.startup_ms;
      const b = sketchBucket(ff.startup_ms);
      anchor.startupSketch.set(b, (anchor.startupSketch.get(b) ?? 0) + 1);
    }
    let prev = { played: 0, stall: 0, count: 0, bits: 0, bPlayed: 0 };
    for (const e of list) {
      const a = at(keyOf(e));
      a.events += 1;
      if (e.type === 'error' && e.fatal !== true) a.nonFatalErrors += 1;
      if (e.type === 'bitrate_changed') a.switches += 1;
      if (e.type === 'seeked' && e.seek_ms !== null) {
        a.seeks += 1;
        a.seekMsSum += e.seek_ms;
        a.seekMsSq += e.seek_ms ** 2;
      }
      if (e.type !== 'heartbeat' && e.type !== 'session_end') continue;
      const p = e.played_ms ?? 0;
      const s = e.stall_ms ?? 0;
      const dp = p - prev.played;
      const ds = s - prev.stall;
      a.playedMs += dp;
      a.stallMs += ds;
      a.stallCount += (e.stall_count ?? 0) - prev.count;
      a.observations += 1;
      a.stallSq += ds ** 2;
      a.watchSq += (dp + ds) ** 2;
      a.stallWatch += ds * (dp + ds);
      prev = { ...prev, played: p, stall: s, count: e.stall_count ?? 0 };
      if (e.type === 'heartbeat' && e.bitrate !== null) {
        const bits = e.bitrate * p;
        a.bitrateWeighted += bits - prev.bits;
        a.bitratePlayedMs += p - prev.bPlayed;
        a.bitrateWeightedSq += (bits - prev.bits) ** 2;
        a.bitratePlayedSq += (p - prev.bPlayed) ** 2;
        a.bitrateCross += (bits - prev.bits) * (p - prev.bPlayed);
        prev = { ...prev, bits, bPlayed: p };
      }
    }
  }
  return out;
}

/** Fields whose totals do not depend on the order batches arrive in (the second moments do). */
export const ORDER_FREE_SUMS = AGGREGATE_SUMS.filter(
  (f) =>
    ![
      'observations',
      'stallSq',
      'watchSq',
      'stallWatch',
      'bitrateWeightedSq',
      'bitratePlayedSq',
      'bitrateCross',
    ].includes(f),
);

const TYPES = [
  'requested',
  'started',
  'first_frame',
  'heartbeat',
  'heartbeat',
  'heartbeat',
  'error',
  'bitrate_changed',
  'seeked',
  'paused',
  'session_end',
] as const;

/** Sessions of 1–10 events each: seq 0..n−1, times that cross minutes, monotonic counters. */
export function sessionsArb(maxSessions = 4): fc.Arbitrary<EventRow[]> {
  const session = (s: number) =>
    fc
      .array(
        fc.record({
          type: fc.constantFrom(...TYPES),
          gapMs: fc.integer({ min: 0, max: 40_000 }),
          jitterMs: fc.integer({ min: -20_000, max: 5_000 }),
          played: fc.integer({ min: 0, max: 30_000 }),
          stall: fc.integer({ min: 0, max: 3_000 }),
          stalls: fc.integer({ min: 0, max: 2 }),
          bitrate: fc.option(fc.integer({ min: 100_000, max: 8_000_000 }), { nil: null }),
          fatal: fc.option(fc.boolean(), { nil: null }),
          startup: fc.option(fc.integer({ min: 0, max: 9_000 }), { nil: null }),
          seek: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: null }),
          pop: fc.constantFrom('FRA56-C1', 'MAD50-C2'),
          // null: a row stored before the source column existed (counts as sdk).
          source: fc.constantFrom('sdk', 'cmcd', null),
          playerVersion: fc.constantFrom(null, '1.7.4', '5.2.1'),
          // Two SDKs at the same version: two slices.
          sdkName: fc.constantFrom('beacon-edge-web', 'beacon-edge-tv'),
        }),
        { minLength: 1, maxLength: 10 },
      )
      .map((specs) => {
        let t = T0 + s * 17_000;
        const c = { played: 0, stall: 0, count: 0 };
        return specs.map((x, seq) => {
          t += x.gapMs;
          c.played += x.played;
          c.stall += x.stall;
          c.count += x.stalls;
          const counter = x.type === 'heartbeat' || x.type === 'session_end';
          return row(x.type, {
            session_id: `sess_p_${s}`,
            event_id: `ev_p_${s}_${seq}`,
            seq,
            time: t + x.jitterMs,
            pop: x.pop,
            source: x.source,
            player_version: x.playerVersion,
            sdk_name: x.sdkName,
            played_ms: counter ? c.played : null,
            stall_ms: counter ? c.stall : null,
            stall_count: counter ? c.count : null,
            bitrate: x.type === 'heartbeat' ? x.bitrate : null,
            fatal: x.type === 'error' ? x.fatal : null,
            startup_ms: x.type === 'first_frame' ? x.startup : null,
            seek_ms: x.type === 'seeked' ? x.seek : null,
          });
        });
      });
  return fc
    .integer({ min: 1, max: maxSessions })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, s) => session(s))))
    .map((lists) => lists.flat());
}
