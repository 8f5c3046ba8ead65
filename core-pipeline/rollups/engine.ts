/**
 * The rollup engine: turns the NEW events of a batch (duplicates already removed by the store)
 * into the delta rows of the 1-minute rollups, keeping each recent session's state in memory.
 *
 * - Session-level sums (sessions, plays, failures, exits, startups and the startup sketch) sit at
 *   the session's anchor: the minute of its earliest event and the slice of its lowest-seq event.
 *   When a batch changes a session's state, the batch emits contribution(new) − contribution(old),
 *   so a late event retracts what an earlier batch counted.
 * - Time-based sums sit at the event's own minute and slice: events, non-fatal errors, switches,
 *   seeks, and the counter deltas a heartbeat/session_end brings over the session's latest counters.
 *   A counter event older (lower seq) than the latest one adds nothing: its time lies inside the
 *   later delta, which was already counted at the later event's minute. So out-of-order counters
 *   can move played/stall time to a later minute, never count it twice or lose it.
 *
 * `apply` returns a handle: `commit()` once the store's transaction committed, `rollback()` if it
 * did not, which restores every session the batch touched. Pure: no I/O; the store loads stored
 * states (`load`) for sessions it does not hold (`unknownSessions`).
 */
import type { EventRow } from '../rows.js';
import type { SliceKey } from './aggregate.js';
import { DeltaBuffer, type RollupDelta, type TypeCountDelta } from './deltas.js';
import {
  before,
  contributionOf,
  emptyState,
  foldEvent,
  KeyInterner,
  minuteOf,
  sameSessionLevel,
  type SessionContribution,
  type SessionState,
} from './session-state.js';

/** A session state as read back from the store: dims as a plain key. */
export type StoredSessionState = Omit<SessionState, 'dims'> & { dims: SliceKey };

/** One batch applied to the engine, waiting for the store's transaction. */
export interface AppliedBatch {
  /** Rollup deltas, one per (minute, slice) touched. */
  rollups: RollupDelta[];
  /** Event counts per (minute, type). */
  typeCounts: TypeCountDelta[];
  /** The transaction committed: keep the new states. */
  commit(): void;
  /** The transaction failed: restore every session as it was before the batch. */
  rollback(): void;
}

/** Keys interned beyond this many are dropped at the next eviction sweep (memory bound). */
const MAX_INTERNED_KEYS = 200_000;

/** The engine. One per store; batches are applied one at a time. */
export class RollupEngine {
  private readonly sessions = new Map<string, SessionState>();
  private readonly keys = new KeyInterner();
  private open: Map<string, SessionState | null> | null = null;

  /** Sessions held in memory. */
  get size(): number {
    return this.sessions.size;
  }

  /** The state of a session, if held (for tests and diagnostics; do not mutate). */
  state(sessionId: string): Readonly<SessionState> | undefined {
    return this.sessions.get(sessionId);
  }

  /**
   * Sessions of `events` that the engine does not hold and whose lowest seq in the batch is above
   * 0: they may have stored events (evicted, or written before a restart), so the store must load
   * their state first. A session whose batch starts at seq 0 is taken as new, unless `all`.
   */
  unknownSessions(events: readonly EventRow[], all = false): string[] {
    const minSeq = new Map<string, number>();
    for (const e of events) {
      if (this.sessions.has(e.session_id)) continue;
      const m = minSeq.get(e.session_id);
      if (m === undefined || e.seq < m) minSeq.set(e.session_id, e.seq);
    }
    const out: string[] = [];
    for (const [id, m] of minSeq) if (all || m > 0) out.push(id);
    return out;
  }

  /** Holds a session's state computed from its stored events (replaces any held one). */
  load(sessionId: string, stored: StoredSessionState): void {
    this.sessions.set(sessionId, { ...stored, dims: this.keys.ofKey(stored.dims) });
  }

  /**
   * Applies a batch of new events. Call `commit()` or `rollback()` on the result before the next.
   * @throws Error when the previous batch was neither committed nor rolled back.
   */
  apply(events: readonly EventRow[]): AppliedBatch {
    if (this.open !== null) throw new Error('RollupEngine: the previous batch is still open');
    const snapshots = new Map<string, SessionState | null>();
    this.open = snapshots;
    try {
      return this.applyOpen(events, snapshots);
    } catch (err) {
      // Nothing of a batch that failed half-way may stay: restore its sessions and close it, so
      // the store's retry (or the next batch) starts from the committed state.
      this.restore(snapshots);
      this.open = null;
      throw err;
    }
  }

  /** The body of `apply`, with the batch's snapshots open. */
  private applyOpen(
    events: readonly EventRow[],
    snapshots: Map<string, SessionState | null>,
  ): AppliedBatch {
    const buf = new DeltaBuffer();
    // A live batch holds each session's events in seq order (usually one or two per session):
    // then they are applied as they come, with no per-session grouping; otherwise each session's
    // events are sorted first, so a batch always counts as its events applied in seq order.
    if (inSessionOrder(events)) {
      for (const e of events) this.applyEvent(this.touch(e, snapshots), e, buf);
    } else {
      for (const group of bySession(events)) {
        if (!ascending(group)) group.sort(bySeq);
        const s = this.touch(group[0], snapshots);
        for (const e of group) this.applyEvent(s, e, buf);
      }
    }
    for (const [id, snap] of snapshots) {
      const s = this.sessions.get(id) as SessionState;
      if (snap === null) addContribution(buf, contributionOf(s), 1);
      else if (!sameSessionLevel(snap, s)) {
        addContribution(buf, contributionOf(snap), -1);
        addContribution(buf, contributionOf(s), 1);
      }
    }
    const settle = (restore: boolean): void => {
      if (this.open !== snapshots) return;
      this.open = null;
      if (restore) this.restore(snapshots);
    };
    return {
      rollups: buf.rollupDeltas(),
      typeCounts: buf.typeCounts(),
      commit: () => settle(false),
      rollback: () => settle(true),
    };
  }

  /** Puts every session a batch touched back as it was before the batch. */
  private restore(snapshots: Map<string, SessionState | null>): void {
    for (const [id, snap] of snapshots) {
      if (snap === null) this.sessions.delete(id);
      else this.sessions.set(id, snap);
    }
  }

  /**
   * Forgets the longest-held sessions (the Map keeps insertion order) until at most `max` remain.
   * @returns how many were forgotten.
   */
  evictBeyond(max: number): number {
    let n = 0;
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= max) break;
      this.sessions.delete(id);
      n += 1;
    }
    return n;
  }

  /**
   * Forgets sessions whose latest event is older than `horizonMs` before `nowMs`.
   * @returns how many were evicted.
   */
  evictIdle(nowMs: number, horizonMs: number): number {
    const cutoff = nowMs - horizonMs;
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (s.lastSeen < cutoff) {
        this.sessions.delete(id);
        n += 1;
      }
    }
    if (this.keys.size > MAX_INTERNED_KEYS) this.keys.clear();
    return n;
  }

  /** The session's state, snapshotting it (or noting it is new) on its first event in the batch. */
  private touch(e: EventRow, snapshots: Map<string, SessionState | null>): SessionState {
    const id = e.session_id;
    let s = this.sessions.get(id);
    if (s === undefined) {
      snapshots.set(id, null);
      s = emptyState(this.keys.of(e));
      this.sessions.set(id, s);
    } else if (!snapshots.has(id)) {
      snapshots.set(id, { ...s });
    }
    return s;
  }

  /** The time-based sums of one event at its own minute and slice, then its fold into the state. */
  private applyEvent(s: SessionState, e: EventRow, buf: DeltaBuffer): void {
    const dims = this.keys.of(e);
    const minute = minuteOf(e.time);
    const a = buf.at(minute, dims);
    a.events += 1;
    buf.countType(minute, e.type);
    switch (e.type) {
      case 'error':
        if (e.fatal !== true) a.nonFatalErrors += 1;
        break;
      case 'bitrate_changed':
        a.switches += 1;
        break;
      case 'seeked':
        if (e.seek_ms !== null) {
          a.seeks += 1;
          a.seekMsSum += e.seek_ms;
          a.seekMsSq += e.seek_ms * e.seek_ms;
        }
        break;
      case 'heartbeat':
      case 'session_end': {
        const played = e.played_ms ?? 0;
        if (before(s.counterSeq, s.counterId, e.seq, e.event_id)) {
          const stall = e.stall_ms ?? 0;
          const count = e.stall_count ?? 0;
          const dPlayed = Math.max(0, played - s.playedMs);
          const dStall = Math.max(0, stall - s.stallMs);
          const watch = dPlayed + dStall;
          a.playedMs += dPlayed;
          a.stallMs += dStall;
          a.stallCount += Math.max(0, count - s.stallCount);
          a.observations += 1;
          a.stallSq += dStall * dStall;
          a.watchSq += watch * watch;
          a.stallWatch += dStall * watch;
          s.counterSeq = e.seq;
          s.counterId = e.event_id;
          s.playedMs = played;
          s.stallMs = stall;
          s.stallCount = count;
        }
        if (
          e.type === 'heartbeat' &&
          e.bitrate !== null &&
          before(s.bitrateSeq, s.bitrateId, e.seq, e.event_id)
        ) {
          const bits = e.bitrate * played;
          const dBits = bits - s.bits;
          const dPlayed = played - s.bitratePlayedMs;
          a.bitrateWeighted += dBits;
          a.bitratePlayedMs += dPlayed;
          a.bitrateWeightedSq += dBits * dBits;
          a.bitratePlayedSq += dPlayed * dPlayed;
          a.bitrateCross += dBits * dPlayed;
          s.bitrateSeq = e.seq;
          s.bitrateId = e.event_id;
          s.bits = bits;
          s.bitratePlayedMs = played;
        }
        break;
      }
    }
    foldEvent(s, e, dims);
  }
}

/** Adds (sign 1) or retracts (sign −1) a session-level contribution. */
function addContribution(buf: DeltaBuffer, c: SessionContribution, sign: 1 | -1): void {
  const a = buf.at(c.minuteMs, c.dims);
  a.sessions += sign;
  a.plays += sign * c.plays;
  a.startFailures += sign * c.startFailures;
  a.playbackFailures += sign * c.playbackFailures;
  a.exitsBeforeStart += sign * c.exitsBeforeStart;
  a.startups += sign * c.startups;
  a.startupMsSum += sign * c.startupMsSum;
  if (c.bucket >= 0) a.startupSketch.set(c.bucket, (a.startupSketch.get(c.bucket) ?? 0) + sign);
}

/** A batch's events per session, each group in batch order (a session's events usually are). */
function bySession(events: readonly EventRow[]): Iterable<EventRow[]> {
  const groups = new Map<string, EventRow[]>();
  let lastId = '';
  let last: EventRow[] | undefined;
  for (const e of events) {
    if (last === undefined || e.session_id !== lastId) {
      lastId = e.session_id;
      last = groups.get(lastId);
      if (last === undefined) {
        last = [];
        groups.set(lastId, last);
      }
    }
    last.push(e);
  }
  return groups.values();
}

/** True when every session's events appear in (seq, event_id) order. */
function inSessionOrder(events: readonly EventRow[]): boolean {
  const last = new Map<string, EventRow>();
  for (const e of events) {
    const p = last.get(e.session_id);
    if (p !== undefined && !before(p.seq, p.event_id, e.seq, e.event_id)) return false;
    last.set(e.session_id, e);
  }
  return true;
}

function ascending(group: readonly EventRow[]): boolean {
  for (let i = 1; i < group.length; i++) {
    const p = group[i - 1];
    const e = group[i];
    if (!before(p.seq, p.event_id, e.seq, e.event_id)) return false;
  }
  return true;
}

function bySeq(a: EventRow, b: EventRow): number {
  return a.seq - b.seq || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);
}
