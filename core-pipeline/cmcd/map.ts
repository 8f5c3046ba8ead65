/**
 * CMCD report lines → canonical event rows: one row per line, whose id is the line's entry id.
 *
 * Pure and stateful: given a session's state (or none) and the lines of one CmcdRecord, it
 * returns the rows and the session's next state; it does no I/O and never throws for any
 * report. The store keeps the state between records (DuckDB: in the batch's transaction), so a
 * replayed record starts from the state its first attempt started from and yields the same rows.
 *
 * `sn` orders the lines. A line whose `sn` is at or below the highest one already mapped (a resend,
 * or a line that arrives after later ones, e.g. a retried request) is mapped without the timeline:
 * its row takes no durations or counters and the state does not move. The exception is a `ps`
 * line above the last `ps` line mapped: with one line per request a state change often arrives
 * just after a later `t` or `rr` line, and only `ps` lines change the state, so it still applies
 * (the time between it and the later line stays with the earlier state). Lines without `sn`
 * cannot be ordered and are all taken as new. docs/METRICS.md says which metrics need which keys.
 */
import { LIMITS } from '../../schemas/limits.js';
import type { CmcdEntry, CmcdReport } from '../../schemas/cmcd.js';
import type { EventRow } from '../rows.js';
import type { SharedColumns } from '../transform.js';
import {
  firstNumber,
  firstString,
  kbpsToBps,
  reportAttrs,
  urlHost,
  videoNumber,
  wholeNumber,
} from './report-values.js';
import { type CmcdSessionState, initialCmcdState } from './state.js';
import { advance, averageBitrate, counters, enter, isPlayState } from './timeline.js';

/** The columns every row of a CMCD record shares (source `cmcd`; see readCmcdRecord). */
export type CmcdRowContext = SharedColumns;

/** Rows of one record's lines and the session state after them. */
export interface CmcdMapResult {
  rows: EventRow[];
  state: CmcdSessionState;
}

/** The event-specific columns of one row; every one left out is null. */
type Measures = Partial<
  Omit<EventRow, keyof SharedColumns | 'event_id' | 'seq' | 'ts' | 'time' | 'playhead' | 'attrs'>
> & {
  type: string;
  /** Values the mapper adds to attrs. */
  extra?: Record<string, unknown>;
};

/** The columns of readings a line of any event may carry. */
type Readings = Pick<Measures, 'buffer_ms' | 'throughput_kbps' | 'dropped_frames'>;

/** One line with the shared columns of the record it came in. */
export interface CmcdLine {
  entry: CmcdEntry;
  context: CmcdRowContext;
}

/**
 * Maps the lines of one CmcdRecord (one session) onto event rows.
 * @param state the session's state after its earlier records; undefined for a session not seen.
 * @param entries the record's lines (sorted here by `seq`, stable, in case they are not).
 * @param context the record's shared columns (session, content, player, geo, edge, skew).
 * @returns exactly one row per entry, and the next state (a new object; `state` is not changed).
 * @example const { rows, state: next } = mapCmcdEntries(prev, record.reports, context);
 */
export function mapCmcdEntries(
  state: CmcdSessionState | undefined,
  entries: readonly CmcdEntry[],
  context: CmcdRowContext,
): CmcdMapResult {
  return mapCmcdLines(
    state,
    [...entries].sort((a, b) => a.seq - b.seq).map((entry) => ({ entry, context })),
  );
}

/**
 * Maps one session's lines from several records at once (one sink write), each row with its own
 * record's columns. When every line has an `sn` they are mapped in `sn` order, so lines of
 * requests that overtook each other (a player sending one line per request) still make one
 * timeline; otherwise in the order given.
 * @returns exactly one row per line, in the order mapped, and the next state.
 */
export function mapCmcdLines(
  state: CmcdSessionState | undefined,
  lines: readonly CmcdLine[],
): CmcdMapResult {
  const s: CmcdSessionState = { ...(state ?? initialCmcdState()) };
  const ordered = lines.every((l) => typeof l.entry.report.sn === 'number')
    ? [...lines].sort((a, b) => (a.entry.report.sn as number) - (b.entry.report.sn as number))
    : lines;
  const rows: EventRow[] = [];
  for (const { entry, context } of ordered) {
    const r = entry.report;
    const ts = r.ts as number;
    const sn = typeof r.sn === 'number' ? r.sn : null;
    const inOrder = sn === null || sn > s.lastSn;
    const stateChange = r.e === 'ps' && sn !== null && sn > s.lastPsSn;
    let m: Measures;
    if (inOrder || stateChange) {
      if (sn !== null && inOrder) s.lastSn = sn;
      if (sn !== null && r.e === 'ps') s.lastPsSn = sn;
      m = mapInOrder(s, r, ts);
    } else {
      m = mapAlone(r);
      m.extra = { ...m.extra, out_of_order: true };
    }
    rows.push(toRow(context, entry, ts, m));
  }
  return { rows, state: s };
}

/** A line in `sn` order: moves the timeline, takes durations and counters from it. */
function mapInOrder(s: CmcdSessionState, r: CmcdReport, ts: number): Measures {
  if (r.e === 'ps') return playState(s, r, ts);
  // Only `ps` lines change the state: the `sta` other lines repeat is not always the current one
  // (dash.js puts the state of the request's start on `rr` lines).
  advance(s, ts);
  const change = playheadChange(s, r);
  if (change !== null) return change;
  switch (r.e) {
    case 't': {
      const bitrate = kbpsToBps(r.pb) ?? kbpsToBps(r.br);
      if (bitrate !== null) s.bitrate = bitrate;
      return { type: 'heartbeat', ...counters(s), bitrate: averageBitrate(s), ...readings(r) };
    }
    case 'bc': {
      s.sentBc = true;
      s.playheadBitrate = kbpsToBps(r.pb) ?? s.playheadBitrate;
      const prev = s.bitrate;
      const bitrate = kbpsToBps(r.br) ?? kbpsToBps(r.pb);
      if (bitrate !== null) s.bitrate = bitrate;
      return { type: 'bitrate_changed', bitrate, prev_bitrate: prev, ...readings(r) };
    }
    default:
      // `rr` lines are left out: dash.js puts the request's data on them, not the playhead's.
      if (r.e !== 'rr') s.bitrate = kbpsToBps(r.pb) ?? s.bitrate;
      s.playheadBitrate = kbpsToBps(r.pb) ?? s.playheadBitrate;
      return mapAlone(r);
  }
}

/**
 * A `t` or `rr` line whose video playhead bitrate (`pb`) differs from the session's last known
 * one is the session's `bitrate_changed` (dash.js sends no `bc`; its rendition switch shows only
 * as `pb` changing). Still one row per line: such a `t` line gives no heartbeat, and the next
 * one carries the counters (they are cumulative). The first `pb` of a session is no change (there
 * is nothing to change from), and a session that sends `bc` gets its changes from `bc` only.
 */
function playheadChange(s: CmcdSessionState, r: CmcdReport): Measures | null {
  if (r.e !== 't' && r.e !== 'rr') return null;
  const pb = kbpsToBps(r.pb);
  if (pb === null) return null;
  const prev = s.playheadBitrate;
  s.playheadBitrate = pb;
  if (prev === null || prev === pb || s.sentBc) return null;
  s.bitrate = pb;
  const extra = r.e === 'rr' ? { url_host: urlHost(r.url) ?? undefined } : undefined;
  return { type: 'bitrate_changed', bitrate: pb, prev_bitrate: prev, extra, ...readings(r) };
}

/** A `ps` line in order: the lifecycle event its state change means. */
function playState(s: CmcdSessionState, r: CmcdReport, ts: number): Measures {
  // A `ps` line keeps its type; the `pb` it reports is the one the next change compares against.
  s.playheadBitrate = kbpsToBps(r.pb) ?? s.playheadBitrate;
  if (!isPlayState(r.sta)) {
    advance(s, ts);
    return { type: 'play_state', ...readings(r) };
  }
  const t = enter(s, r.sta, ts);
  // The playhead bitrate a `ps` line reports applies from its state change on (dash.js sends no
  // `bc`: this is how its rendition changes reach the weighted average).
  s.bitrate = kbpsToBps(r.pb) ?? s.bitrate;
  const since = (from: number | null) => (from === null ? null : Math.max(0, ts - from));
  switch (r.sta) {
    case 's':
      return { type: 'requested', ...readings(r) };
    case 'p':
      if (!t.hadFirstFrame) {
        // Startup time needs the `s` line; without it the first frame's time is all we know.
        return { type: 'first_frame', startup_ms: since(s.startedAt), ...readings(r) };
      }
      if (t.seekFrom !== null)
        return { type: 'seeked', seek_ms: since(t.seekFrom), ...readings(r) };
      if (t.prev === 'r')
        return { type: 'stall_end', stall_ms: since(t.prevSince), ...readings(r) };
      return { type: 'resumed', ...readings(r) };
    case 'r': {
      // Rebuffering before the first frame is still startup (CTA-2066), and during a seek it is
      // the seek's wait (hls.js reports k → r → p): neither is a stall.
      const stall = t.hadFirstFrame && s.seekFrom === null && t.prev !== 'r';
      return { type: stall ? 'stall_start' : 'play_state', ...readings(r) };
    }
    case 'q':
      return { type: 'session_end', reason: 'unload', ...counters(s), ...readings(r) };
    case 'e':
      return { type: 'ended', ...counters(s), ...readings(r) };
    default:
      return { ...alonePlayState(r.sta, r), ...readings(r) };
  }
}

/** A line mapped on its own: what its event means without the session's timeline. */
function mapAlone(r: CmcdReport): Measures {
  switch (r.e) {
    case 'ps':
      return { ...alonePlayState(isPlayState(r.sta) ? r.sta : '', r), ...readings(r) };
    case 't':
      return { type: 'heartbeat', bitrate: kbpsToBps(r.pb) ?? kbpsToBps(r.br), ...readings(r) };
    case 'bc':
      return {
        type: 'bitrate_changed',
        bitrate: kbpsToBps(r.br) ?? kbpsToBps(r.pb),
        ...readings(r),
      };
    case 'm':
      return { type: 'muted', muted: true, ...readings(r) };
    case 'um':
      return { type: 'unmuted', muted: false, ...readings(r) };
    case 'e':
      return { type: 'error', ...errorFields(r, r.sta === 'f'), ...readings(r) };
    case 'rr':
      return {
        type: 'response_received',
        extra: { url_host: urlHost(r.url) ?? undefined },
        ...readings(r),
      };
    default:
      // Content change, playback rate, background, player size, ads, custom events: kept whole.
      return { type: 'cmcd_event', ...readings(r) };
  }
}

/** A play state's event when nothing of the timeline is needed (or known). */
function alonePlayState(sta: string, r: CmcdReport): Measures {
  switch (sta) {
    case 's':
      return { type: 'requested' };
    case 'a':
      return { type: 'paused' };
    case 'k':
      return { type: 'seeking' };
    case 'e':
      return { type: 'ended' };
    case 'f':
      return { type: 'error', ...errorFields(r, true) };
    case 'q':
      return { type: 'session_end', reason: 'unload' };
    default:
      // p and r without the timeline, w (waiting), d (preloading): the state, kept in attrs.
      return { type: 'play_state' };
  }
}

function errorFields(r: CmcdReport, fatal: boolean): Pick<Measures, 'error_code' | 'fatal'> {
  return { error_code: firstString(r.ec, LIMITS.maxLength.error_code), fatal };
}

/** Readings any line may carry, each in its column: buffer, throughput, dropped frames. */
function readings(r: CmcdReport): Readings {
  const n = LIMITS.eventNumbers;
  const out: Readings = {};
  const bl = videoNumber(r.bl);
  if (bl !== null && bl <= n.buffer_ms.max) out.buffer_ms = bl;
  const mtp = wholeNumber(videoNumber(r.mtp), n.throughput_kbps.max);
  if (mtp !== null) out.throughput_kbps = mtp;
  const dfa = wholeNumber(firstNumber(r.dfa), n.dropped_frames.max);
  if (dfa !== null) out.dropped_frames = dfa;
  return out;
}

/** The full row: shared columns copied one by one (see transform.ts on why not a spread). */
function toRow(c: CmcdRowContext, entry: CmcdEntry, ts: number, m: Measures): EventRow {
  const pt = firstNumber(entry.report.pt);
  return {
    event_id: entry.id,
    type: m.type,
    seq: entry.seq,
    ts,
    time: ts + c.skew_ms,
    playhead: pt === null ? 0 : pt / 1000,
    received_at: c.received_at,
    ingested_at: c.ingested_at,
    skew_ms: c.skew_ms,
    record_version: c.record_version,
    schema_version: c.schema_version,
    session_id: c.session_id,
    viewer_id: c.viewer_id,
    content_id: c.content_id,
    sdk_name: c.sdk_name,
    sdk_version: c.sdk_version,
    player_name: c.player_name,
    player_version: c.player_version,
    source: c.source,
    drm_system: c.drm_system,
    audio_language: c.audio_language,
    subtitle_language: c.subtitle_language,
    country: c.country,
    country_region: c.country_region,
    city: c.city,
    time_zone: c.time_zone,
    asn: c.asn,
    lat: c.lat,
    lon: c.lon,
    pop: c.pop,
    edge_region: c.edge_region,
    serving_region: c.serving_region,
    stream_region: c.stream_region,
    request_id: c.request_id,
    device: c.device,
    os: c.os,
    startup_ms: m.startup_ms ?? null,
    stall_ms: m.stall_ms ?? null,
    bitrate: m.bitrate ?? null,
    prev_bitrate: m.prev_bitrate ?? null,
    width: null,
    height: null,
    level: null,
    volume: null,
    muted: m.muted ?? null,
    error_code: m.error_code ?? null,
    error_message: null,
    fatal: m.fatal ?? null,
    played_ms: m.played_ms ?? null,
    stall_count: m.stall_count ?? null,
    dropped_frames: m.dropped_frames ?? null,
    seek_ms: m.seek_ms ?? null,
    seek_to: null,
    reason: m.reason ?? null,
    autoplay: null,
    frame_rate: null,
    throughput_kbps: m.throughput_kbps ?? null,
    buffer_ms: m.buffer_ms ?? null,
    attrs: reportAttrs(entry.report, m.extra),
  };
}
