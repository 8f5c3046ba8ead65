/**
 * What the rollup engine remembers of one session, and the session-level part of its rollup
 * contribution. The state is a pure function of the SET of the session's stored events (ties in
 * seq are broken by event_id), so it is the same whatever the batches, their order or a restart;
 * `stateSql` in the DuckDB store computes the same state with SQL aggregates.
 *
 * The definitions follow core-pipeline/queries/duckdb-queries.ts (plays, start failures, playback
 * failures, exits before start, startup time). Pure: no I/O.
 */
import {
  missingDimensionValue,
  ROLLUP_DIMENSIONS,
  sketchBucket,
  type SliceKey,
} from './aggregate.js';
import type { EventRow } from '../rows.js';

/** Types that mean "the viewer asked to play". */
export const PLAY_TYPES: ReadonlySet<string> = new Set(['requested', 'started', 'first_frame']);

/** A slice key with its string form (the Map key the engine groups by). */
export interface InternedKey {
  readonly id: string;
  readonly key: SliceKey;
}

/** One session's state. `-1` / `Infinity` mean "none" for seqs, so comparisons need no null checks. */
export interface SessionState {
  /** Earliest event time (ms): its minute is the session's anchor minute. */
  minTime: number;
  /** Latest event time (ms): the idle horizon is measured from it. */
  lastSeen: number;
  /** Seq and event_id of the lowest-seq event, whose dims are the anchor slice. */
  dimsSeq: number;
  dimsId: string;
  dims: InternedKey;
  played: boolean;
  /** Lowest first_frame seq (Infinity: none), its event_id and startup_ms. */
  ffSeq: number;
  ffId: string;
  startupMs: number | null;
  /** Lowest fatal error seq (Infinity: none). */
  fatalSeq: number;
  ended: boolean;
  /** Highest heartbeat/session_end seq (-1: none) and its cumulative counters. */
  counterSeq: number;
  counterId: string;
  playedMs: number;
  stallMs: number;
  stallCount: number;
  /** Highest heartbeat-with-bitrate seq (-1: none): bits played × 1000 (bitrate × played_ms), played_ms. */
  bitrateSeq: number;
  bitrateId: string;
  bits: number;
  bitratePlayedMs: number;
}

/** A session state before any event. */
export function emptyState(dims: InternedKey): SessionState {
  return {
    minTime: Infinity,
    lastSeen: -Infinity,
    dimsSeq: Infinity,
    dimsId: '',
    dims,
    played: false,
    ffSeq: Infinity,
    ffId: '',
    startupMs: null,
    fatalSeq: Infinity,
    ended: false,
    counterSeq: -1,
    counterId: '',
    playedMs: 0,
    stallMs: 0,
    stallCount: 0,
    bitrateSeq: -1,
    bitrateId: '',
    bits: 0,
    bitratePlayedMs: 0,
  };
}

/** (seq, id) strictly before (seq2, id2): the total order of a session's events. */
export function before(seq: number, id: string, seq2: number, id2: string): boolean {
  return seq < seq2 || (seq === seq2 && id < id2);
}

/**
 * Folds the set-defined fields of one new event into the state. The counter fields are not
 * touched here: the engine updates them with the time-based deltas (engine.ts).
 */
export function foldEvent(s: SessionState, e: EventRow, dims: InternedKey): void {
  if (e.time < s.minTime) s.minTime = e.time;
  if (e.time > s.lastSeen) s.lastSeen = e.time;
  if (before(e.seq, e.event_id, s.dimsSeq, s.dimsId)) {
    s.dimsSeq = e.seq;
    s.dimsId = e.event_id;
    s.dims = dims;
  }
  const type = e.type;
  if (PLAY_TYPES.has(type)) s.played = true;
  if (type === 'first_frame' && before(e.seq, e.event_id, s.ffSeq, s.ffId)) {
    s.ffSeq = e.seq;
    s.ffId = e.event_id;
    s.startupMs = e.startup_ms;
  } else if (type === 'error' && e.fatal === true && e.seq < s.fatalSeq) {
    s.fatalSeq = e.seq;
  } else if (type === 'session_end') {
    s.ended = true;
  }
}

/** The session-level part of a rollup row: what a session adds at its anchor. */
export interface SessionContribution {
  minuteMs: number;
  dims: InternedKey;
  plays: number;
  startFailures: number;
  playbackFailures: number;
  exitsBeforeStart: number;
  startups: number;
  startupMsSum: number;
  /** Sketch bucket of the startup time, or -1 for none. */
  bucket: number;
}

/** The floor of a time to its minute (ms). */
export function minuteOf(ms: number): number {
  return ms - (((ms % 60_000) + 60_000) % 60_000);
}

/** What a session adds at its anchor (minute of its earliest event, dims of its lowest-seq one). */
export function contributionOf(s: SessionState): SessionContribution {
  const hasFf = s.ffSeq !== Infinity;
  const hasFatal = s.fatalSeq !== Infinity;
  const play = s.played ? 1 : 0;
  const startup = hasFf && s.startupMs !== null;
  return {
    minuteMs: minuteOf(s.minTime),
    dims: s.dims,
    plays: play,
    startFailures: play && hasFatal && (!hasFf || s.fatalSeq < s.ffSeq) ? 1 : 0,
    playbackFailures: play && hasFatal && hasFf && s.fatalSeq > s.ffSeq ? 1 : 0,
    exitsBeforeStart: play && s.ended && !hasFf && !hasFatal ? 1 : 0,
    startups: startup ? 1 : 0,
    startupMsSum: startup ? (s.startupMs as number) : 0,
    bucket: startup ? sketchBucket(s.startupMs as number) : -1,
  };
}

/**
 * True when two states of one session have the same session-level contribution (same anchor
 * minute and slice, same outcome fields): compared field by field, with no allocation.
 */
export function sameSessionLevel(a: SessionState, b: SessionState): boolean {
  return (
    minuteOf(a.minTime) === minuteOf(b.minTime) &&
    a.dims.id === b.dims.id &&
    a.played === b.played &&
    a.ffSeq === b.ffSeq &&
    a.startupMs === b.startupMs &&
    a.fatalSeq === b.fatalSeq &&
    a.ended === b.ended
  );
}

/**
 * Slice keys by their string form, so the many events and sessions of one slice share one key
 * object, and an event whose dims equal its predecessor's costs no string building.
 */
export class KeyInterner {
  private readonly byId = new Map<string, InternedKey>();
  private last: InternedKey | null = null;
  private lastRow: EventRow | null = null;

  /** The interned key of an event's dims (missing values as missingDimensionValue gives them). */
  of(e: EventRow): InternedKey {
    const prev = this.lastRow;
    if (prev !== null && this.last !== null && sameDims(prev, e)) {
      this.lastRow = e;
      return this.last;
    }
    const key = {} as SliceKey;
    let id = '';
    for (const d of ROLLUP_DIMENSIONS) {
      const v = e[d] ?? missingDimensionValue(d);
      key[d] = v;
      id += `${v}\u0001`;
    }
    let k = this.byId.get(id);
    if (k === undefined) {
      k = { id, key };
      this.byId.set(id, k);
    }
    this.last = k;
    this.lastRow = e;
    return k;
  }

  /** The interned key of dims read back from the store. */
  ofKey(key: SliceKey): InternedKey {
    let id = '';
    for (const d of ROLLUP_DIMENSIONS) id += `${key[d]}\u0001`;
    let k = this.byId.get(id);
    if (k === undefined) {
      k = { id, key };
      this.byId.set(id, k);
    }
    return k;
  }

  /** Keys known (the interner is cleared by the engine when it grows past its bound). */
  get size(): number {
    return this.byId.size;
  }

  /** Forgets every key (states keep theirs; equal keys may then exist as two objects). */
  clear(): void {
    this.byId.clear();
    this.last = null;
    this.lastRow = null;
  }
}

function sameDims(a: EventRow, b: EventRow): boolean {
  return (
    a.session_id === b.session_id &&
    a.serving_region === b.serving_region &&
    a.pop === b.pop &&
    a.country === b.country &&
    a.country_region === b.country_region &&
    a.asn === b.asn &&
    a.device === b.device &&
    a.player_name === b.player_name &&
    a.sdk_name === b.sdk_name &&
    a.sdk_version === b.sdk_version &&
    a.schema_version === b.schema_version &&
    a.content_id === b.content_id &&
    a.source === b.source &&
    a.player_version === b.player_version
  );
}
